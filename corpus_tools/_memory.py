"""Handing memory back to the system after a large step.

Two kinds of memory stay counted in a process's resident size after an analysis of a million
articles, although nothing uses them any more: heap memory that glibc keeps for the next
allocations of the threads that freed it (hundreds of MB after a threaded step), and the pages
of corpus arrays mapped from the cache that the step read (``Corpus.release_pages``). Tools that
watch memory (a notebook's resource monitor, a Dask worker's memory limit, a report's peak)
count both.
"""
from __future__ import annotations

import functools
import sys


def give_back_memory(*, arrow: bool = False) -> None:
    """Return the memory freed in the heaps of this process's threads (glibc's ``malloc_trim``)
    and, with ``arrow``, what Arrow's pool keeps for reuse. Does nothing where there is no glibc.

    Examples
    --------
    >>> give_back_memory(arrow=True)
    """
    if arrow and "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim``, loaded once; None on other systems and C libraries (musl)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
