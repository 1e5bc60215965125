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


def check_positive_int(name: str, value: Any, *, allow_none: bool = False, what: str = "integer") -> int | None:
    """Return ``value`` as an int when it is a whole number >= 1 (or None, when allowed); else raise.

    ``bool`` is refused although it is an ``int`` subclass: ``top=True`` is a mistake, not 1.

    >>> check_positive_int("top", 20)
    20
    >>> check_positive_int("top", 0, allow_none=True)
    Traceback (most recent call last):
    ...
    ValueError: `top` must be a positive integer or None; got 0.
    """
    import numbers

    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        tail = " or None" if allow_none else ""
        raise ValueError(f"`{name}` must be a positive {what}{tail}; got {value!r}.")
    return int(value)


def check_n_jobs(n_jobs: Any) -> int:
    """Number of worker processes: a positive integer, or -1 for every core.

    >>> check_n_jobs(2)
    2
    """
    import os

    if n_jobs == -1 and not isinstance(n_jobs, bool):
        return os.cpu_count() or 1
    try:
        return check_positive_int("n_jobs", n_jobs)
    except ValueError:
        raise ValueError(f"`n_jobs` must be a positive integer or -1 (all cores); got {n_jobs!r}.") from None
