"""Errors and the one message format every option check uses."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class CorpusToolsError(Exception):
    """Base class of the errors this package raises on purpose."""


class LoadError(CorpusToolsError, ValueError):
    """Input that cannot be read; the message names the file/line and what to do."""


class NotFittedError(CorpusToolsError, RuntimeError):
    """A model was used before ``fit``."""


class DatasetNotFoundError(CorpusToolsError, FileNotFoundError):
    """A named dataset is neither on disk nor downloadable."""


def option_error(name: str, value: Any, allowed: Iterable[Any]) -> ValueError:
    """The error for a value outside a fixed set of options.

    >>> str(option_error("measure", "precent", ["count", "share"]))
    "`measure` must be one of ['count', 'share']; got 'precent'."
    """
    return ValueError(f"`{name}` must be one of {list(allowed)!r}; got {value!r}.")


def check_option(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """Return ``value`` when it is one of ``allowed``, else raise :func:`option_error`."""
    allowed = list(allowed)
    if value not in allowed:
        raise option_error(name, value, allowed)
    return value
