"""The counting analyses as map-reduce over the shards of a corpus.

Each analysis is four steps, so that it runs the same on one Corpus in memory and on a corpus
held as shards (each shard a Corpus with the global vocabulary, counted where it lies):

``prepare(corpus, ...) -> plan``
    Everything decided once for the whole corpus, from what a sharded corpus offers without its
    tokens: the vocabulary, the docs metadata, the dates, the document lengths, the term totals
    and the build parameters. Options are checked, queries resolved to term ids, the period grid
    drawn, a target resolved to a boolean mask over every row, the top terms chosen. Warnings
    about the whole corpus are given here, once.
``parts(shard, rows, plan) -> parts``
    The counts of one shard; ``rows`` is the slice of the whole corpus's rows the shard holds
    (so a mask of the plan is ``mask[rows]``). Small, picklable, and additive.
``combine([parts, ...]) -> parts``
    Sums (concatenation for KWIC rows), in shard order.
``finish(parts, plan) -> DataFrame``
    Every statistic, threshold and sort, computed from the summed counts. Integer counts add up
    exactly, so the table is the one the whole corpus gives, to the last bit.

:func:`run` chains them: over the shards when the corpus has ``map_shards``, else on the whole
corpus as one part.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np


class Plan:
    """What ``prepare`` decided, as attributes.

    The attributes named in ``client_only`` (the vocabulary, labels: what only ``finish``
    reads) are left out when the plan is pickled for the shards, which have their own
    vocabulary; ``finish`` runs on the plan ``prepare`` returned.

    Examples
    --------
    >>> import pickle
    >>> plan = Plan(top=5, vocab=["a", "b"], client_only=("vocab",))
    >>> shipped = pickle.loads(pickle.dumps(plan))
    >>> shipped.top, shipped.vocab
    (5, None)
    """

    def __init__(self, *, client_only: tuple[str, ...] = (), **fields):
        self.__dict__.update(fields)
        self._client_only = tuple(client_only)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        for name in self._client_only:
            state[name] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        names = ", ".join(n for n in self.__dict__ if not n.startswith("_"))
        return f"Plan({names})"


def is_sharded(corpus) -> bool:
    """Whether ``corpus`` is held as shards (it maps a function over them)."""
    return callable(getattr(corpus, "map_shards", None))


def whole(corpus) -> slice:
    """The rows of a corpus counted as one part."""
    return slice(0, corpus.n_docs)


def covers(rows: slice, n_docs: int) -> bool:
    """Whether ``rows`` is every row of the corpus (then no other part adds to this one)."""
    return rows.start == 0 and rows.stop == n_docs


def refuse_sharded(corpus, option: str, hint: str) -> None:
    """Raise for an option that needs the whole corpus in memory when ``corpus`` is sharded."""
    if is_sharded(corpus):
        raise ValueError(f"{option} needs the whole corpus in memory and this corpus is held as shards; {hint}")


def refuse_dedupe_search(corpus, dedupe) -> None:
    """``dedupe=True`` searches the texts for copies: on a sharded corpus, ask for the groups instead."""
    if dedupe is True:
        refuse_sharded(corpus, "dedupe=True", "find the copies once and pass them: dedupe=<the groups "
                       "ct.near_duplicates returned>.")


def compact(ids: np.ndarray) -> np.ndarray:
    """Non-negative integers as int32 when they fit: half the bytes sent to every shard."""
    if len(ids) and int(ids.max()) > np.iinfo(np.int32).max:
        return ids
    return ids.astype(np.int32, copy=False)


def add(parts: list[dict]) -> dict:
    """Key by key sums of additive parts (numpy arrays, scipy sparse matrices, ints).

    A single part is returned as it is: the whole corpus counted as one part costs no copy.
    """
    parts = list(parts)
    if not parts:
        raise ValueError("no parts to combine: a corpus has at least one shard.")
    if len(parts) == 1:
        return parts[0]
    out = dict(parts[0])
    for part in parts[1:]:
        for key, value in part.items():
            out[key] = out[key] + value
    return out


def run(corpus, prepare: Callable, parts: Callable, combine: Callable, finish: Callable, /, *args, **kwargs):
    """``finish(combine([parts of every shard]), plan)`` with ``plan = prepare(corpus, *args, **kwargs)``.

    A corpus with ``map_shards`` (a sharded corpus) counts each shard where it lies:
    ``corpus.map_shards(parts, plan)`` returns the parts in shard order. Any other corpus is
    one part, its rows ``slice(0, corpus.n_docs)``; the pages of its mapped arrays that the pass
    read are handed back afterwards, as each shard's are.

    Examples
    --------
    >>> run(corpus, _frequencies_prepare, _frequencies_parts, add, _frequencies_finish, by="source")  # doctest: +SKIP
    """
    plan = prepare(corpus, *args, **kwargs)
    if is_sharded(corpus):
        found = corpus.map_shards(parts, plan)
    else:
        found = [parts(corpus, whole(corpus), plan)]
        # as after a shard's task: the pages of the arrays mapped from the cache that this pass
        # read go back (see Corpus.release_pages), so that analyses in a row do not add them up
        release = getattr(corpus, "release_pages", None)
        if release is not None:
            release()
    return finish(combine(found), plan)


__all__ = ["Plan", "add", "compact", "covers", "is_sharded", "refuse_dedupe_search", "refuse_sharded", "run",
           "whole"]
