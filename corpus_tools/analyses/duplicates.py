"""Which articles are copies: exact and near-duplicate groups (MinHash + LSH over word shingles).

Everything works on the stored token ids (``corpus.ids``), so the copies found are copies of
the kept words: case, punctuation, stopwords, numbers (unless the corpus keeps them) and the
title do not count.

1. Exact copies: a 128-bit BLAKE2 digest of every document's token-id bytes; documents with
   equal digests form one class, and only one member of each class goes through the steps below.
2. Shingles: every run of ``shingle`` consecutive token ids *within one sentence* is hashed to
   32 bits (a rolling polynomial hash in uint64, then a 64-bit finaliser); a sentence shorter
   than ``shingle`` is one shingle. Keeping shingles inside sentences makes a copy with whole
   sentences or paragraphs dropped, reordered or added share all its other shingles with the
   original (shingles across a cut would be new).
3. MinHash: ``num_perm`` hash functions ``h(x) = (a * x + b) >> 32`` (Dietzfelbinger's
   multiply-add-shift family, universal for 32-bit keys: two cheap integer operations where
   ``(a * x + b) mod p`` needs 128-bit products) and the minimum per document
   (``np.minimum.reduceat``), in cache-sized blocks of documents on ``n_jobs`` threads.
4. LSH: the signature is cut into ``bands`` bands; documents whose band is equal are candidates
   (each with its bucket's first member and the member before it).
5. Verification: a candidate pair is a *near* copy when its estimated Jaccard similarity is at
   least ``threshold``; with ``containment=True`` a pair that is not, and that would join two
   groups still apart, is checked exactly on its shingle sets and is a *contained* copy when
   the smaller set lies at least ``threshold`` in the larger (a wire story with a local
   paragraph added, or its first half).
6. Groups: connected components of the verified pairs, plus the members of each exact class.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ..corpus import _ranges
from ..errors import check_n_jobs, check_positive_int

KINDS = ("first", "exact", "near", "contained")
# tokens per chunk of documents hashed at once: bounds the temporary arrays (tens of MB) whatever
# the corpus size, and gives the threads many chunks each
_CHUNK_TOKENS = 1 << 20
# shingles hashed at once by each MinHash function: 512 KiB of uint64, within a core's cache
_CACHE_SHINGLES = 1 << 16
# candidate pairs compared at once (two gathered signature blocks of this many rows)
_PAIR_BLOCK = 1 << 16
# recall of a pair at the lowest similarity that must become a candidate, when choosing bands
_BAND_RECALL = 0.99
# LSH is tuned to find a contained copy half as long as the original (with probability 0.99)
_CONTAINED_SHARE_FOUND = 0.5
# a contained copy must hold at least this share of the larger document's shingles: without a
# limit a one-line document ("Reuter") is "contained" in thousands and chains them into one group
MIN_CONTAINED_SHARE = 0.25
# ... and at least this many distinct shingles: short templated notices ("Qtly div cts vs cts
# prior. Pay July. Record June") lie in many others and would chain them into one group
MIN_CONTAINED_SHINGLES = 10
# rounds of exact containment checks that pick one pair per two groups (see near_duplicates)
_ROUNDS = 3
# a pair whose estimated containment is this far below the threshold is not checked exactly
_CONTAINMENT_MARGIN = 0.15

# shingles stay inside a sentence; "document" lets them cross sentence ends (kept to compare the two)
_SHINGLE_WITHIN = "sentence"
_POLY = np.uint64(0x100000001B3)  # odd multiplier of the rolling shingle hash


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a bijective scramble of uint64 values (wrapping arithmetic)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


# ---------------------------------------------------------------------- chunks of documents
def _chunks(rows: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
    """Split ``rows`` (document rows) into consecutive runs of about ``_CHUNK_TOKENS`` tokens."""
    if len(rows) == 0:
        return []
    cum = np.cumsum(lengths[rows])
    cuts = np.searchsorted(cum, np.arange(_CHUNK_TOKENS, int(cum[-1]), _CHUNK_TOKENS), side="right")
    return [part for part in np.split(rows, np.unique(cuts)) if len(part)]


def _gather(corpus, rows: np.ndarray):
    """The token ids of ``rows`` (concatenated), and each document's start in them."""
    starts, ends = corpus.doc_offsets[rows], corpus.doc_offsets[rows + 1]
    x = corpus.ids[_ranges(starts, ends)].astype(np.uint64)
    local = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(ends - starts, out=local[1:])
    return x, local


def _exact_hashes(corpus) -> np.ndarray:
    """A 128-bit BLAKE2 digest of every document's token-id bytes, shape (n_docs, 2) uint64.

    One call per document over a view of ``corpus.ids`` (no copy): about 2 s per million
    documents, faster than a numpy hash of every token, and with no collision to fear.
    """
    import hashlib

    view = memoryview(np.ascontiguousarray(corpus.ids)).cast("B")
    bounds = (corpus.doc_offsets * corpus.ids.itemsize).tolist()
    blake = hashlib.blake2b
    digests = b"".join([blake(view[s:e], digest_size=16).digest() for s, e in zip(bounds[:-1], bounds[1:])])
    return np.frombuffer(digests, dtype=np.uint64).reshape(-1, 2)


def _shingles(corpus, rows: np.ndarray, k: int):
    """32-bit hashes of the within-sentence shingles of ``rows``, and each document's start in them.

    Every document of ``rows`` must hold at least one token (and so at least one shingle).
    """
    x, local = _gather(corpus, rows)
    starts, ends = corpus.doc_offsets[rows], corpus.doc_offsets[rows + 1]
    bounds = corpus.sent_offsets if _SHINGLE_WITHIN == "sentence" else corpus.doc_offsets
    # the sentences of each document, as local runs of the gathered tokens
    s_lo = np.searchsorted(bounds, starts, side="left")
    s_hi = np.searchsorted(bounds, ends, side="left")
    sents = _ranges(s_lo, s_hi)
    sent_len = bounds[sents + 1] - bounds[sents]
    sent_end = np.cumsum(sent_len)
    n = len(x)
    remaining = np.repeat(sent_end, sent_len) - np.arange(n, dtype=np.int64)
    is_first = np.zeros(n, dtype=bool)
    is_first[sent_end - sent_len] = True
    starts_at = np.flatnonzero((remaining >= k) | (is_first & (remaining < k)))
    width = np.minimum(remaining[starts_at], k).astype(np.uint64)
    h = np.zeros(len(starts_at), dtype=np.uint64)
    last = n - 1
    for j in range(k):
        g = x[np.minimum(starts_at + j, last)]
        h = np.where(width > j, h * _POLY + g, h)
    h = (_mix(h ^ (width << np.uint64(56))) >> np.uint64(32)).astype(np.uint32)
    doc_of_token = np.repeat(np.arange(len(rows), dtype=np.int64), np.diff(local))
    counts = np.bincount(doc_of_token[starts_at], minlength=len(rows))
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return h, offsets


def _perm_params(num_perm: int, random_state) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(random_state)
    a = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2)
    return a, b


def minhash_signatures(corpus, rows: np.ndarray, *, shingle: int = 5, num_perm: int = 128, random_state=0,
                       n_jobs: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures of some documents' within-sentence word shingles.

    Parameters
    ----------
    corpus : Corpus
    rows : int array
        Document rows, each holding at least one token.
    shingle, num_perm, random_state, n_jobs
        As in :func:`near_duplicates`.

    Returns
    -------
    signatures : uint32 array, shape (len(rows), num_perm)
        The share of equal columns of two rows estimates the Jaccard similarity of their shingle sets.
    n_shingles : int64 array, shape (len(rows),)
        Shingles per document (with repeats).

    Examples
    --------
    >>> import pandas as pd, corpus_tools as ct
    >>> docs = pd.DataFrame({"text": ["Oil prices rose sharply on Monday after the strike ended."] * 2})
    >>> corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    >>> sig, n = minhash_signatures(corpus, np.array([0, 1]), num_perm=16)
    >>> sig.shape, bool((sig[0] == sig[1]).all()), n.tolist()
    ((2, 16), True, [3, 3])
    """
    rows = np.asarray(rows, dtype=np.int64)
    a, b = _perm_params(num_perm, random_state)
    lengths = np.diff(corpus.doc_offsets)
    chunks = _chunks(rows, lengths)
    shift = np.uint64(32)

    def one(chunk_rows):
        h, offsets = _shingles(corpus, chunk_rows, shingle)
        h = h.astype(np.uint64)
        sig = np.empty((len(chunk_rows), num_perm), dtype=np.uint32)
        # blocks of documents with about _CACHE_SHINGLES shingles, so that the passes over
        # them run in the CPU cache rather than at memory speed
        cuts = np.searchsorted(offsets, np.arange(0, offsets[-1], _CACHE_SHINGLES), side="right") - 1
        cuts = np.unique(np.r_[cuts, len(chunk_rows)])
        tmp = np.empty(min(len(h), 2 * _CACHE_SHINGLES + int(np.diff(offsets).max(initial=0))), dtype=np.uint64)
        for d0, d1 in zip(cuts[:-1], cuts[1:]):
            lo, hi = offsets[d0], offsets[d1]
            block, t = h[lo:hi], tmp[: hi - lo]
            starts = offsets[d0:d1] - lo
            for p in range(num_perm):
                np.multiply(block, a[p], out=t)
                np.add(t, b[p], out=t)
                # the high 32 bits of the minimum are the minimum of the high 32 bits
                sig[d0:d1, p] = np.minimum.reduceat(t, starts) >> shift
        return sig, np.diff(offsets)

    with ThreadPoolExecutor(max_workers=check_n_jobs(n_jobs)) as pool:
        parts = list(pool.map(one, chunks))
    if not parts:
        return np.zeros((0, num_perm), dtype=np.uint32), np.zeros(0, dtype=np.int64)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _shingle_sets(corpus, rows: np.ndarray, k: int, n_jobs: int = 1) -> np.ndarray:
    """Sorted distinct keys ``(i << 32) | shingle hash`` of the shingles of ``rows[i]``, every i."""
    chunks = _chunks(rows, np.diff(corpus.doc_offsets))
    first = np.cumsum([0] + [len(c) for c in chunks])

    def one(i):
        h, offsets = _shingles(corpus, chunks[i], k)
        doc = np.repeat(np.arange(first[i], first[i + 1], dtype=np.uint64), np.diff(offsets))
        return _sorted_unique((doc << np.uint64(32)) | h.astype(np.uint64))

    with ThreadPoolExecutor(max_workers=n_jobs) as pool:
        parts = list(pool.map(one, range(len(chunks))))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def exact_overlap(corpus, pairs: np.ndarray, *, shingle: int = 5,
                  n_jobs: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact shingle-set sizes and intersections of document pairs.

    Parameters
    ----------
    pairs : int array, shape (n_pairs, 2)
        Document rows, each holding at least one token.
    shingle, n_jobs
        As in :func:`near_duplicates`.

    Returns
    -------
    size_a, size_b, common : int64 arrays, shape (n_pairs,)
        Distinct shingles of each side and shingles they share; the Jaccard similarity is
        ``common / (size_a + size_b - common)``.

    Examples
    --------
    >>> import pandas as pd, corpus_tools as ct
    >>> docs = pd.DataFrame({"text": ["Oil prices rose sharply on Monday after the strike ended.",
    ...                               "Oil prices rose sharply on Monday. Traders were relieved."]})
    >>> corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    >>> [x.tolist() for x in exact_overlap(corpus, np.array([[0, 1]]), shingle=3)]
    [[5], [4], [3]]
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    docs = _sorted_unique(pairs.reshape(-1))
    inverse = np.searchsorted(docs, pairs)
    keys = _shingle_sets(corpus, docs, shingle, check_n_jobs(n_jobs))
    offsets = np.searchsorted(keys, np.arange(len(docs) + 1, dtype=np.uint64) << np.uint64(32))
    sizes = np.diff(offsets)
    size_a, size_b = sizes[inverse[:, 0]], sizes[inverse[:, 1]]
    # each shingle of the smaller side is looked up, under the other side's key, in all the sets
    small = np.where(size_a <= size_b, inverse[:, 0], inverse[:, 1])
    other = np.where(size_a <= size_b, inverse[:, 1], inverse[:, 0]).astype(np.uint64)
    common = np.zeros(len(pairs), dtype=np.int64)
    block = max(1, (1 << 20) // max(1, int(sizes.mean()) if len(sizes) else 1))
    low = np.uint64(0xFFFFFFFF)

    def count(lo):
        hi = min(lo + block, len(pairs))
        counts = sizes[small[lo:hi]]
        take = _ranges(offsets[small[lo:hi]], offsets[small[lo:hi] + 1])
        query = (np.repeat(other[lo:hi], counts) << np.uint64(32)) | (keys[take] & low)
        found = keys[np.minimum(np.searchsorted(keys, query), len(keys) - 1)] == query
        pair = np.repeat(np.arange(hi - lo), counts)
        common[lo:hi] = np.bincount(pair, weights=found, minlength=hi - lo).astype(np.int64)

    with ThreadPoolExecutor(max_workers=check_n_jobs(n_jobs)) as pool:
        list(pool.map(count, range(0, len(pairs), block)))
    return size_a, size_b, common


def _sorted_unique(x: np.ndarray) -> np.ndarray:
    # sort + neighbour test: np.unique's hash table is several times slower on large int arrays
    x = np.sort(x)
    return x[np.r_[True, x[1:] != x[:-1]]] if len(x) else x


# ---------------------------------------------------------------------- LSH
def choose_bands(threshold: float, num_perm: int, *, containment: bool = True) -> int:
    """Bands for LSH: the fewest (longest bands, fewest chance candidates) that still make a
    pair at the lowest similarity of interest a candidate with probability >= 0.99.

    The lowest similarity of interest is ``threshold - 0.05`` for near copies; with
    ``containment``, a copy half as long as the original and contained in it at ``threshold``
    (Jaccard ``t f / (1 + f - t f)`` with ``f = 0.5``; 0.36 at ``t = 0.8``).

    Examples
    --------
    >>> choose_bands(0.8, 128, containment=False), choose_bands(0.8, 128)
    (25, 64)
    """
    low = max(threshold - 0.05, 0.01)
    if containment:
        f = _CONTAINED_SHARE_FOUND
        low = min(low, threshold * f / (1 + f - threshold * f))
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if 1 - (1 - low**rows) ** bands >= _BAND_RECALL:
            return bands
    return num_perm


def _band_keys(sig: np.ndarray, band: int, rows: int) -> np.ndarray:
    """One 64-bit hash of each document's values in the band."""
    cols = sig[:, band * rows : (band + 1) * rows].astype(np.uint64)
    key = np.full(len(sig), band, dtype=np.uint64)
    for c in range(rows):
        key = _mix(key * _POLY + cols[:, c])
    return key


def _band_pairs(key: np.ndarray) -> np.ndarray:
    """Candidate pairs of one band, as sorted distinct ``low * n + high`` codes: each member of a
    bucket with the bucket's first member and with the member before it (in row order), so that
    a bucket of m documents gives fewer than 2m pairs, not m(m-1)/2.

    The row sits in the low bits of the sorted value (the key keeps its high bits), so one
    ``np.sort`` of plain integers orders the buckets and their members, several times faster
    than a stable argsort. A bucket shared by two keys equal in their high bits only adds
    candidates that the verification then refuses.
    """
    n = len(key)
    row_bits = np.uint64(max(1, int(n - 1).bit_length()))
    mask = (np.uint64(1) << row_bits) - np.uint64(1)
    packed = np.sort((key & ~mask) | np.arange(n, dtype=np.uint64))
    bucket, order = packed >> row_bits, (packed & mask).astype(np.int64)
    later = np.r_[False, bucket[1:] == bucket[:-1]]  # not the first of its bucket
    if not later.any():
        return np.zeros(0, dtype=np.int64)
    first = order[np.flatnonzero(~later)[np.cumsum(~later) - 1]]
    star = first[later] * n + order[later]
    prev_later = later.copy()
    prev_later[1:] &= later[:-1]  # the member before is not the bucket's first either
    chain = order[np.flatnonzero(prev_later) - 1] * n + order[prev_later]
    return _sorted_unique(np.concatenate([star, chain]))


def _estimated_jaccard(sig: np.ndarray, a: np.ndarray, b: np.ndarray, n_jobs: int = 1) -> np.ndarray:
    out = np.empty(len(a), dtype=np.float64)

    def block(lo):
        hi = lo + _PAIR_BLOCK
        out[lo:hi] = (sig[a[lo:hi]] == sig[b[lo:hi]]).sum(axis=1)

    with ThreadPoolExecutor(max_workers=n_jobs) as pool:
        list(pool.map(block, range(0, len(a), _PAIR_BLOCK)))
    return out / sig.shape[1]


def _containment_from_jaccard(j: np.ndarray, size_a: np.ndarray, size_b: np.ndarray) -> np.ndarray:
    """Share of the smaller set inside the larger, from the Jaccard similarity and the set sizes:
    ``|A & B| = J (|A| + |B|) / (1 + J)``."""
    common = j * (size_a + size_b) / (1 + j)
    return np.clip(common / np.maximum(np.minimum(size_a, size_b), 1), 0.0, 1.0)


# ---------------------------------------------------------------------- the analysis
def _check_fraction(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not 0 < float(value) <= 1:
        raise ValueError(f"`{name}` must be a number in (0, 1]; got {value!r}.")
    return float(value)


def near_duplicates(corpus, *, threshold: float = 0.8, shingle: int = 5, num_perm: int = 128,
                    bands: int | None = None, containment: bool = True, random_state=0,
                    n_jobs: int = 1) -> pd.DataFrame:
    """Groups of copies: exact duplicates, near duplicates and contained (syndicated) copies.

    Parameters
    ----------
    corpus : Corpus
    threshold : float in (0, 1]
        Least similarity of two copies: the Jaccard similarity of their word-shingle sets
        (estimated by MinHash) for a near copy, the exact containment for a contained copy.
    shingle : int
        Words per shingle: runs of this many consecutive kept tokens inside one sentence; a
        shorter sentence is one shingle.
    num_perm : int
        MinHash functions; the standard error of a similarity estimate is about
        ``sqrt(J (1 - J) / num_perm)`` (0.035 at J = 0.8 with 128).
    bands : int, optional
        LSH bands (of ``num_perm // bands`` values each). By default the fewest that find a
        pair at the lowest similarity of interest with probability 0.99 (see
        :func:`choose_bands`): 25 for near copies at 0.8, 64 when contained copies down to
        half the original's length are looked for.
    containment : bool
        Also group a document whose shingles lie for at least ``threshold`` in another's, or
        the reverse (an article that is a wire story plus a local paragraph, or its first half),
        when the smaller holds at least a quarter of the larger's shingles and at least 10
        (``MIN_CONTAINED_SHARE``, ``MIN_CONTAINED_SHINGLES``): a one-line notice is not a copy of
        every article that contains its line. LSH finds such a pair with probability 0.99 when
        the smaller is half the larger, about 0.9 when it is a quarter (see :func:`choose_bands`).
    random_state : int or numpy Generator
        Seed of the hash functions; the same seed gives the same table.
    n_jobs : int
        Threads for the hashing, the bands and the checks (-1: every core).

    Returns
    -------
    DataFrame
        One row per document in a group (documents in no group are not listed), groups in order
        of their earliest member (by ``date``, undated last, then position), members likewise:

        - ``group`` (int, from 0), ``doc_id``
        - ``kind``: ``"first"`` for the group's earliest member; else how the document matches
          it: ``"exact"`` (same token sequence), ``"near"`` (estimated Jaccard >= threshold),
          ``"contained"`` (containment >= threshold). A document that matches the earliest
          member only through another member takes the kind of its best match in the group.
        - ``similarity``: estimated Jaccard similarity of its shingles and the earliest member's (1.0 for it)
        - ``containment``: estimated share of the smaller of the two shingle sets found in the
          larger one (Broder's containment of the smaller in the larger, from the similarity and
          the two documents' shingle counts; 1.0 for the earliest)
        - ``n_tokens``: kept tokens of the document
        - ``date``, ``source``: when the docs have these columns
        - per group, repeated on each row: ``group_size``, ``first_date``, ``last_date``, and
          ``n_sources`` when there is a ``source`` column

        ``attrs`` holds the parameters, ``rows_per_band``, ``n_empty`` (documents with no kept
        token, never grouped), ``n_short`` (documents shorter than one shingle, hashed whole),
        ``n_candidates`` (candidate pairs), ``n_checked_exactly`` (pairs whose containment was
        computed on shingle sets), ``n_groups``, ``n_duplicates`` (members beyond the first) and
        ``seconds`` (the time of each step).

    Raises
    ------
    ValueError
        For a threshold outside (0, 1], a non-positive ``shingle`` or ``num_perm``, or
        ``bands`` greater than ``num_perm``.

    Examples
    --------
    >>> import pandas as pd, corpus_tools as ct
    >>> wire = ("Oil prices rose sharply on Monday after the strike at the northern refinery ended. "
    ...         "Traders said supplies would recover within two weeks. "
    ...         "The government welcomed the agreement between unions and management.")
    >>> docs = pd.DataFrame({"text": [wire, "Local farmers protested about water rights in the valley.",
    ...                               wire + " Our reporter visited the refinery on Tuesday and spoke to "
    ...                               "workers at the gate about their long wait for wages.", wire],
    ...                      "date": pd.to_datetime(["2024-01-02", "2024-01-01", "2024-01-03", "2024-01-04"])},
    ...                     index=pd.Index(["a", "b", "c", "d"], name="doc_id"))
    >>> corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    >>> groups = ct.near_duplicates(corpus)
    >>> groups[["group", "doc_id", "kind", "group_size"]]
       group doc_id       kind  group_size
    0      0      a      first           3
    1      0      c  contained           3
    2      0      d      exact           3
    >>> corpus.drop_duplicates(groups).docs.index.tolist()
    ['a', 'b']
    """
    threshold = _check_fraction("threshold", threshold)
    shingle = check_positive_int("shingle", shingle)
    num_perm = check_positive_int("num_perm", num_perm)
    if bands is None:
        bands = choose_bands(threshold, num_perm, containment=containment)
    bands = check_positive_int("bands", bands)
    if bands > num_perm:
        raise ValueError(f"`bands` must be at most `num_perm` ({num_perm}); got {bands}.")
    n_jobs = check_n_jobs(n_jobs)
    rows_per_band = num_perm // bands

    n = corpus.n_docs
    lengths = np.diff(corpus.doc_offsets)

    clock = _Clock()
    # 1. exact classes (equal digests), in the order of their digest, so that everything below,
    # the candidate pairs included, is the same whatever the order of the documents
    hashes = _exact_hashes(corpus)
    nonempty = np.flatnonzero(lengths > 0)
    order = nonempty[np.lexsort((nonempty, hashes[nonempty, 1], hashes[nonempty, 0]))]
    hs = hashes[order]
    new_class = np.r_[True, (hs[1:] != hs[:-1]).any(axis=1)] if len(order) else np.zeros(0, dtype=bool)
    reps = order[new_class]  # one representative per class (all its members are identical)
    rep_index = np.full(n, -1, dtype=np.int64)  # row -> index into reps
    rep_index[order] = np.cumsum(new_class) - 1
    n_reps = len(reps)
    clock("exact")
    # 2-3. MinHash signatures of the representatives
    sig, n_sh = minhash_signatures(corpus, reps, shingle=shingle, num_perm=num_perm,
                                   random_state=random_state, n_jobs=n_jobs)
    sig = sig[:, : bands * rows_per_band] if bands * rows_per_band < num_perm else sig
    clock("minhash")
    # 4. LSH candidates
    def some_bands(which):
        # the same pair comes from many bands: each thread merges its own bands' pairs first
        found = [_band_pairs(_band_keys(sig, bi, rows_per_band)) for bi in which]
        return _sorted_unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)

    with ThreadPoolExecutor(max_workers=n_jobs) as pool:
        found = list(pool.map(some_bands, np.array_split(np.arange(bands), n_jobs)))
    pairs = _sorted_unique(np.concatenate(found))
    a, b = pairs // max(n_reps, 1), pairs % max(n_reps, 1)
    n_candidates = len(a)

    clock("lsh")
    # 5. verification
    j_est = _estimated_jaccard(sig, a, b, n_jobs)
    edge_kind = np.where(j_est >= threshold, 2, 0)  # 2 near, 1 contained, 0 none
    n_checked = 0
    if containment:
        near = edge_kind == 2
        comp = _components(n_reps, a[near], b[near])
        c_est = _containment_from_jaccard(j_est, n_sh[a], n_sh[b])
        small, large = np.minimum(n_sh[a], n_sh[b]), np.maximum(n_sh[a], n_sh[b])
        todo = np.flatnonzero(~near & (c_est >= threshold - _CONTAINMENT_MARGIN)
                              & (small >= 0.8 * MIN_CONTAINED_SHARE * large) & (small >= MIN_CONTAINED_SHINGLES))
        # Only pairs that would join groups still apart are checked exactly, in rounds: first
        # the likeliest pair between each two groups, then the rest while their groups stay
        # apart. A pair skipped joins nothing that is not joined already, so the groups are
        # those of checking every pair, at a fraction of the cost (many copies link the same
        # two groups). After _ROUNDS rounds every pair left is checked at once.
        for round_ in range(_ROUNDS + 1):
            todo = todo[comp[a[todo]] != comp[b[todo]]]
            if not len(todo):
                break
            if round_ < _ROUNDS:
                ca, cb = comp[a[todo]], comp[b[todo]]
                lo, hi = np.minimum(ca, cb), np.maximum(ca, cb)
                by_link = np.lexsort((-c_est[todo], hi, lo))
                link = lo[by_link] * n_reps + hi[by_link]
                pick = by_link[np.r_[True, link[1:] != link[:-1]]]
            else:
                pick = np.arange(len(todo))
            check = todo[pick]
            todo = np.delete(todo, pick)
            n_checked += len(check)
            size_a, size_b, common = exact_overlap(corpus, np.column_stack([reps[a[check]], reps[b[check]]]),
                                                   shingle=shingle, n_jobs=n_jobs)
            small, large = np.minimum(size_a, size_b), np.maximum(size_a, size_b)
            contained = ((common >= threshold * small) & (small >= MIN_CONTAINED_SHARE * large)
                         & (small >= MIN_CONTAINED_SHINGLES))
            if contained.any():
                edge_kind[check[contained]] = 1
                linked = edge_kind > 0
                comp = _components(n_reps, a[linked], b[linked])
    clock("verify")
    keep = edge_kind > 0
    ea, eb, ek = a[keep], b[keep], edge_kind[keep]

    # 6. groups: components over representatives, then every member of an exact class
    comp = _components(n_reps, ea, eb)
    doc_rows = nonempty
    doc_comp = comp[rep_index[doc_rows]]
    size = np.bincount(doc_comp, minlength=n_reps)
    in_group = size[doc_comp] >= 2
    doc_rows, doc_comp = doc_rows[in_group], doc_comp[in_group]
    best_edge = np.zeros(n_reps, dtype=np.int64)
    np.maximum.at(best_edge, ea, ek)
    np.maximum.at(best_edge, eb, ek)

    dates = corpus.dates.to_numpy()
    date_key = _date_key(dates)
    ordered = np.lexsort((doc_rows, date_key[doc_rows], doc_comp))
    doc_rows, doc_comp = doc_rows[ordered], doc_comp[ordered]
    starts = np.flatnonzero(np.r_[True, doc_comp[1:] != doc_comp[:-1]]) if len(doc_rows) else np.zeros(0, int)
    firsts = doc_rows[starts]
    # groups numbered by their earliest member's date, then its position
    group_rank = np.empty(len(starts), dtype=np.int64)
    group_rank[np.lexsort((firsts, date_key[firsts]))] = np.arange(len(starts))
    member_group = np.repeat(group_rank, np.diff(np.r_[starts, len(doc_rows)]))
    first_row = np.repeat(firsts, np.diff(np.r_[starts, len(doc_rows)]))
    final = np.lexsort((np.arange(len(doc_rows)), member_group))
    doc_rows, member_group, first_row = doc_rows[final], member_group[final], first_row[final]

    rm, rf = rep_index[doc_rows], rep_index[first_row]
    sim = np.ones(len(doc_rows))
    cont = np.ones(len(doc_rows))
    differ = rm != rf
    if differ.any():
        sim[differ] = _estimated_jaccard(sig, rm[differ], rf[differ])
        cont[differ] = _containment_from_jaccard(sim[differ], n_sh[rm[differ]], n_sh[rf[differ]])
    kind = np.where(doc_rows == first_row, 0,
                    np.where(~differ, 1,
                             np.where(sim >= threshold, 2,
                                      np.where(cont >= threshold, 3, np.where(best_edge[rm] == 2, 2, 3)))))

    out = pd.DataFrame({
        "group": member_group,
        "doc_id": corpus.docs.index.to_numpy()[doc_rows],
        "kind": pd.Categorical.from_codes(kind, categories=list(KINDS)),
        "similarity": sim,
        "containment": cont,
        "n_tokens": lengths[doc_rows],
    })
    if "date" in corpus.docs.columns:
        out["date"] = dates[doc_rows]
    has_source = "source" in corpus.docs.columns
    if has_source:
        out["source"] = corpus.docs["source"].to_numpy()[doc_rows]
    per_group = out.groupby("group", sort=True)
    out["group_size"] = per_group["doc_id"].transform("size").astype(np.int64)
    if "date" in out.columns:
        out["first_date"] = per_group["date"].transform("min")
        out["last_date"] = per_group["date"].transform("max")
    if has_source:
        out["n_sources"] = per_group["source"].transform("nunique").astype(np.int64)
    clock("table")
    out.attrs.update(
        threshold=threshold, shingle=shingle, num_perm=num_perm, bands=bands, rows_per_band=rows_per_band,
        containment=containment,
        random_state=random_state if isinstance(random_state, (int, type(None))) else repr(random_state),
        n_docs=n, n_empty=int(n - len(nonempty)), n_short=int(((lengths > 0) & (lengths < shingle)).sum()),
        n_candidates=int(n_candidates), n_checked_exactly=int(n_checked),
        n_groups=int(len(starts)), n_duplicates=int(len(out) - len(starts)), seconds=clock.laps,
    )
    return out


class _Clock:
    """Seconds of each step, kept in ``attrs["seconds"]`` (where the time goes on a large corpus)."""

    def __init__(self):
        import time

        self._time = time.perf_counter
        self._last = self._time()
        self.laps: dict = {}

    def __call__(self, step: str) -> None:
        now = self._time()
        self.laps[step] = round(now - self._last, 3)
        self._last = now


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected component of each of n nodes, given the edges (a, b)."""
    graph = sp.coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _date_key(dates: np.ndarray) -> np.ndarray:
    """Dates as sortable int64, undated last."""
    d = np.asarray(dates).astype("datetime64[ns]")
    key = d.view(np.int64).copy()
    key[np.isnat(d)] = np.iinfo(np.int64).max
    return key
