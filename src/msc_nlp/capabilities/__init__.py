"""Map stories and themes to capability frameworks (the ECDPM 5C by default), with evidence, in nl/en/fr."""
from __future__ import annotations

from .agreement import agreement, theme_profile
from .few_shot import CapabilityClassifier, cross_validated_predictions
from .framework import CAPABILITY_KEYS, Capability, Framework, load_framework
from .zero_shot import CapabilityMapper, map_capabilities, split_sentences

__all__ = ["map_capabilities", "CapabilityMapper", "CapabilityClassifier", "cross_validated_predictions",
           "agreement", "theme_profile", "load_framework", "Framework", "Capability", "CAPABILITY_KEYS",
           "split_sentences"]
