"""The exceptions msc_nlp raises.

Every message says what was got, what was expected and how to fix it. The tree::

    MscNlpError
    ├── InputError (also a ValueError)       bad stories, files or parameters
    │   ├── EmptyInputError                  a file or table with no stories
    │   ├── MissingColumnError (KeyError)    no text/id column that could be used
    │   ├── DuplicateIdError                 the same story id twice
    │   ├── UnreadableFileError              binary, undecodable or unsupported files
    │   └── ParameterError                   a parameter outside its allowed values
    ├── ModelUnavailableError (ImportError)  an optional backend or model file that is not installed
    └── AnalysisError (RuntimeError)         a dependency failed inside analyze() (original attached)
"""
from __future__ import annotations

__all__ = [
    "MscNlpError",
    "InputError",
    "EmptyInputError",
    "MissingColumnError",
    "DuplicateIdError",
    "UnreadableFileError",
    "ParameterError",
    "ModelUnavailableError",
    "AnalysisError",
]


class MscNlpError(Exception):
    """Base class of every error msc_nlp raises on purpose."""


class InputError(MscNlpError, ValueError):
    """The input (stories, a file, a parameter) cannot be used as given."""


class EmptyInputError(InputError):
    """A file or table holds no stories."""


class MissingColumnError(InputError, KeyError):
    """A required column (text, id) is not in the input."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class DuplicateIdError(InputError):
    """Two or more stories share an id."""


class UnreadableFileError(InputError):
    """A file is binary, in an unknown encoding or of an unsupported type."""


class ParameterError(InputError):
    """A parameter is outside its allowed values."""


class ModelUnavailableError(MscNlpError, ImportError):
    """An optional backend or a model file is not installed."""


class AnalysisError(MscNlpError, RuntimeError):
    """A library msc_nlp uses failed inside :func:`~msc_nlp.analyze`; the original error is ``__cause__``."""
