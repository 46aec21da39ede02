"""Capability frameworks as data: the packaged ECDPM 5C, or a team's own file in the same JSON format."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["Capability", "Framework", "load_framework", "CAPABILITY_KEYS"]

#: The 5C keys, in the framework's order.
CAPABILITY_KEYS = ("act_commit", "deliver", "relate", "adapt_renew", "coherence")


@dataclass(frozen=True)
class Capability:
    """One capability: ``key``, names (``{"mfs2": ..., "ecdpm_2008": ..., "aliases": [...]}``), a definition,
    indicators and example statements per language (what a story about it sounds like)."""

    key: str
    definition: str
    examples: dict[str, list[str]]
    names: dict[str, Any] = field(default_factory=dict)
    indicators: list[str] = field(default_factory=list)

    def statements(self) -> list[str]:
        """Definition and all example statements (every language)."""
        return [self.definition, *[s for lang in sorted(self.examples) for s in self.examples[lang]]]

    def statement_languages(self) -> list[str]:
        """The language of each of :meth:`statements`; ``""`` for the definition, which is not part of the
        per-language example banks."""
        return ["", *[lang for lang in sorted(self.examples) for _ in self.examples[lang]]]


@dataclass(frozen=True)
class Framework:
    """A capability framework: ``name``, ``version``, its capabilities (any number), optional
    ``none_examples`` (statements about people's lives rather than organisational capacity)."""

    name: str
    version: str
    capabilities: tuple[Capability, ...]
    none_examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.capabilities]

    def resolve(self, name: str) -> str:
        """A capability key from a key, a name in either tradition or an alias (case-insensitive)."""
        wanted = name.strip().lower()
        for c in self.capabilities:
            names = [c.key, *(v for k, v in c.names.items() if k != "aliases"), *c.names.get("aliases", [])]
            if wanted in {str(n).lower() for n in names}:
                return c.key
        raise InputError(f"{name!r} is not a capability of framework {self.name!r}. Known keys: {self.keys}.")


def load_framework(framework: str | Path | Framework = "5c") -> Framework:
    """Load ``"5c"`` (packaged) or a JSON file with the same structure as ``msc_nlp/data/framework_5c.json``."""
    if isinstance(framework, Framework):
        return framework
    if framework == "5c":
        text = (resources.files("msc_nlp") / "data" / "framework_5c.json").read_text(encoding="utf-8")
        source = "framework_5c.json (packaged)"
    else:
        path = Path(framework)
        if not path.is_file():
            raise InputError(f"No framework file {str(path)!r}. Pass '5c' or the path of a JSON framework file.")
        text, source = path.read_text(encoding="utf-8"), str(path)
    try:
        data = json.loads(text)
        caps = tuple(Capability(key=c["key"], definition=c["definition"], examples=dict(c["examples"]),
                                names=dict(c.get("names", {})), indicators=list(c.get("indicators", [])))
                     for c in data["capabilities"])
        fw = Framework(data["name"], str(data.get("version", "unversioned")), caps,
                       dict(data.get("none_examples", {})))
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"{source} is not a capability framework file ({type(exc).__name__}: {exc}). Expected "
                         '{"name": ..., "capabilities": [{"key", "definition", "examples": {lang: [...]}}]}.') from exc
    if len(caps) < 2 or len(set(fw.keys)) != len(caps) or "none" in fw.keys:
        raise InputError(f"{source} must define at least 2 capabilities with unique keys other than 'none'. "
                         f"Got {fw.keys}.")
    if any(not c.statements()[1:] for c in caps):
        raise InputError(f"Every capability in {source} needs at least one example statement.")
    return fw
