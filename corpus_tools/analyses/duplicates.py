"""Which articles are copies: exact and near-duplicate groups (MinHash + LSH over word shingles).

Everything works on the stored token ids (``corpus.ids``), so the copies found are copies of
the kept words: case, punctuation, stopwords and the title do not count. Numbers do: a corpus
leaves them out of its tokens by default, and templated notices ("Shr 12 cts vs 10 cts / Net
1.2 mln vs 1.1 mln", a dividend, a price list) then have the same words whatever their
figures; such documents are copies only when their texts also hold the same numbers (step 7).

1. Exact copies: two 64-bit digests of every document's token sequence (each the sum over its
   tokens of a pseudo-random value of the term times one of the position), in one pass over the
   token array (compiled, or vectorised in numpy); documents with equal digests and lengths form one class, and only
   one member of each class goes through the steps below (chosen by content, so that the
   result does not depend on the order of the documents).
2. Shingles: every run of ``shingle`` consecutive token ids *within one sentence* is hashed to
   32 bits (a polynomial hash in uint64, then a 64-bit finaliser: compiled, or in numpy for
   every position at once by Horner's rule over shifted slices of the token array); a sentence
   shorter than
   ``shingle`` is one shingle. Keeping shingles inside sentences makes a copy with whole
   sentences or paragraphs dropped, reordered or added share all its other shingles with the
   original (shingles across a cut would be new).
3. MinHash: ``num_perm`` hash functions ``h(x) = a * x mod 2**32``, each with a random odd
   multiplier ``a`` (a random permutation of the 32-bit shingle hashes, which are already
   scrambled; their lowest bit is set, so that no key is 0), and the minimum per document: a
   product and a minimum in uint32 per function. The compiled ``_csets.minhash`` hashes each
   shingle by all the functions at once, in vector instructions; where it was not built (no C
   compiler at install), numpy lays documents of similar length side by side in cache-sized
   blocks (shingle j of every document in row j, a shorter document padded with its own first
   shingle), so that each minimum is a vectorised reduction over rows. Both give the same
   signatures, in chunks of documents on ``n_jobs`` threads. The estimates have the error of
   ideal MinHash (``benchmarks/RESULTS.md``, "Near duplicates").
4. LSH: the signature is cut into ``bands`` bands, each hashed to one 64-bit key per document;
   documents whose key is equal are candidates (each with its bucket's first member and the
   member before it; the keys and the partners of a sorted band compiled, or in numpy). The
   partners of every band are gathered in one short row per document, whose sort removes the
   pairs that many bands give.
5. Verification: a candidate pair is a *near* copy when its estimated Jaccard similarity is at
   least ``threshold``; with ``containment=True`` a pair that is not, and that would join two
   groups still apart, is checked exactly on its shingle sets and is a *contained* copy when
   the smaller set lies at least ``threshold`` in the larger (a wire story with a local
   paragraph added, or its first half). The shingle sets (sorted distinct hashes) of the
   documents of a round's pairs are made for that round, and each pair's two sets merged by
   the compiled ``_csets.intersect_counts`` (else sorted together in numpy). The pairs are verified a block of
   ``_VERIFY_BLOCK`` at a time wherever arrays per pair are made, their two sides held as int32
   and their estimates as counts of equal columns (uint16), so that tens of millions of
   candidates (a million news articles) take a few hundred MB; the memory the worker threads
   freed is given back to the system at the end (glibc's ``malloc_trim``).
6. Groups: connected components of the verified pairs, plus the members of each exact class.
7. Numbers (``check_numbers=True``, when the corpus leaves numbers out of its tokens): the texts
   of the documents that may be copies are read back (from the text column, or by
   the file of a corpus built by ``Corpus.from_parquet`` or of a shard, a batch at a time in
   the order of the file) and scanned as UTF-8
   bytes in numpy for their numbers: runs of the digits 0-9, a comma or point between two
   digits kept inside (``1,545,160``, ``12.6``), each hashed from its bytes (read 8 at a time).
   Before step 2, every exact class of more than one member is split by a digest of its
   members' numbers in their order; a member whose text is that of the member before it in its
   class (a copy sent again, compared by Arrow) takes its numbers unscanned. In step 5, a near
   or contained pair stays one only when the one of the two with fewer distinct numbers finds
   them in the other, all but as many as a word of its text could change: each number it lacks
   counts as ``shingle`` changed shingles, and at most ``1 - threshold`` of its shingles may
   change (a story of 200 shingles may lack 8 of its numbers at the defaults, a one-line
   dividend notice none). The numbers of a pair's unshared text count against it too, so the
   check is a little stricter on heavily trimmed copies than the words are
   (``benchmarks/RESULTS.md``, "Near duplicates"). Numbers written as words ("six") are words.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .. import _groups
from ..corpus import _ranges
from ..errors import check_n_jobs, check_option, check_positive_int

try:  # the compiled shingles, MinHash, LSH keys and set intersections (_csets.c): the same values,
    # several times faster
    from ._csets import band_keys as _band_keys_c
    from ._csets import band_partners as _band_partners_c
    from ._csets import digests as _digests_c
    from ._csets import intersect_counts as _intersect_counts
    from ._csets import minhash as _minhash
    from ._csets import shingles as _shingles_c
except ImportError:  # a build without a C compiler
    _band_keys_c = _band_partners_c = _digests_c = _intersect_counts = _minhash = _shingles_c = None

KINDS = ("first", "exact", "near", "contained")
# tokens per chunk of documents hashed at once: bounds the temporary arrays (tens of MB) whatever
# the corpus size, and gives the threads many chunks each
_CHUNK_TOKENS = 1 << 20
# values of one block (shingles of a MinHash block, padding included; pairs of sets of a
# check; ...): 256 KiB of uint32 and their index arrays, within a core's cache
_CACHE_SHINGLES = 1 << 16
# MinHash functions applied to a block in one numpy call: their products (1 MiB) stay in cache,
# and the threads take turns at the GIL 4 times less often than with one function per call
_PERMS_AT_ONCE = 4
# documents of one MinHash block differ in length by at most this factor (padding wasted <= 25%)
_BLOCK_LENGTH_RATIO = 1.25
# candidate pairs compared at once (two gathered signature blocks of this many rows, in cache)
_PAIR_BLOCK = 1 << 12
# candidate pairs verified at once (exact checks, numbers, gathers of their documents): the
# temporaries of a step stay tens of MB, whatever the number of candidates (tens of millions
# on a million news articles)
_VERIFY_BLOCK = 1 << 18
# documents per block of the LSH partner table (32 MiB at 64 bands)
_PARTNER_COLUMNS = 1 << 16
# signatures larger than this wait for the table in a temporary file while the pairs are
# verified (512 MB at a million documents, which would sit beside the verification's arrays)
_SPILL_BYTES = 1 << 26
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
# pairs of sets intersected at once by the compiled merge (a task per thread)
_OVERLAP_PAIRS = 1 << 16
_POLY = np.uint64(0x100000001B3)  # odd multiplier of the polynomial shingle hash
# seeds of the exact-copy digests' tables (digits of pi: any distinct constants do)
_DIGEST_SEEDS = (np.uint64(0x243F6A8885A308D3), np.uint64(0x13198A2E03707344), np.uint64(0xA4093822299F31D0))
_32 = np.uint64(32)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a bijective scramble of uint64 values (wrapping arithmetic), into a
    new array (one temporary, the rest in place)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    t = x >> np.uint64(30)
    x ^= t
    x *= np.uint64(0xBF58476D1CE4E5B9)
    np.right_shift(x, np.uint64(27), out=t)
    x ^= t
    x *= np.uint64(0x94D049BB133111EB)
    np.right_shift(x, np.uint64(31), out=t)
    x ^= t
    return x


class _Background:
    """``fn(*args)`` on a thread of its own, started at once; :meth:`result` waits for its value.

    The thread holds the only reference to the arguments once the caller has dropped its own,
    so that what ``fn`` lets go of is freed as soon as it returns (:meth:`wait`)."""

    def __init__(self, fn, *args):
        import threading

        self._args, self._value, self._error = args, None, None
        self._thread = threading.Thread(target=self._run, args=(fn,), daemon=True)
        self._thread.start()

    def _run(self, fn):
        try:
            self._value = fn(*self._args)
        except BaseException as err:  # raised again in the caller's thread
            self._error = err
        self._args = None

    def wait(self) -> None:
        self._thread.join()

    def result(self):
        self.wait()
        if self._error is not None:
            raise self._error
        return self._value


class _Done:
    """A value already made, waited for as a :class:`_Background` one is (on one thread)."""

    def __init__(self, value):
        self._value = value

    def wait(self) -> None:
        pass

    def result(self):
        return self._value


def _threads(fn, items, n_jobs: int) -> list:
    """``[fn(item) for item in items]`` on ``n_jobs`` threads (numpy releases the GIL in its loops)."""
    if n_jobs == 1 or len(items) < 2:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(max_workers=n_jobs) as pool:
        return list(pool.map(fn, items))


# ---------------------------------------------------------------------- chunks of documents
def _chunks(rows: np.ndarray, lengths: np.ndarray, size: int | None = None) -> list[np.ndarray]:
    """Split ``rows`` (document rows) into consecutive runs of about ``size`` tokens (by default
    ``_CHUNK_TOKENS``)."""
    size = _CHUNK_TOKENS if size is None else size
    if len(rows) == 0:
        return []
    cum = np.cumsum(lengths[rows])
    cuts = np.searchsorted(cum, np.arange(size, int(cum[-1]), size), side="right")
    return [part for part in np.split(rows, np.unique(cuts)) if len(part)]


def _gather(corpus, rows: np.ndarray):
    """The token ids of ``rows`` (concatenated), and each document's start in them."""
    starts, ends = corpus.doc_offsets[rows], corpus.doc_offsets[rows + 1]
    x = corpus.ids[_ranges(starts, ends)].astype(np.uint64)
    local = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(ends - starts, out=local[1:])
    return x, local


def _exact_hashes(corpus, n_jobs: int = 1) -> np.ndarray:
    """Digests of every document: two of its token sequence, one of where its sentences start;
    shape (n_docs, 3) uint64.

    Digest k of the tokens is ``sum(R_k[token] * P_k[position])`` (mod 2**64), with a fixed
    pseudo-random 64-bit value ``R_k`` per term and an odd one ``P_k`` per position: equal
    sequences give equal digests; two different sequences of one length give the same digest
    with probability about 2**-63 each (for a million documents, about 10**-26 that any two
    match in both). The sentence digest is ``sum(P_3[position])`` over the sentence starts.
    Two table look-ups, a product and a sum per token, over contiguous runs of documents on
    ``n_jobs`` threads (by the compiled ``_csets.digests`` where it was built).
    """
    offsets, sentences = corpus.doc_offsets, corpus.sent_offsets
    lengths = np.diff(offsets)
    longest = int(lengths.max(initial=0))
    term_value = [_mix(np.arange(len(corpus.vocab), dtype=np.uint64) ^ seed) for seed in _DIGEST_SEEDS[:2]]
    position_value = [_mix(np.arange(longest, dtype=np.uint64) + seed) | np.uint64(1) for seed in _DIGEST_SEEDS]
    out = np.zeros((corpus.n_docs, 3), dtype=np.uint64)
    compiled = _digests_c is not None and corpus.ids.dtype == np.int32
    if compiled:
        arrays = (np.ascontiguousarray(corpus.ids), np.ascontiguousarray(offsets, dtype=np.int64),
                  np.ascontiguousarray(sentences, dtype=np.int64), *term_value, *position_value)

    def one(rows):
        d0, d1 = rows[0], rows[-1] + 1
        if compiled:  # the same sums, in one pass over the tokens
            _digests_c(*arrays, int(d0), int(d1), out)
            return
        t0, t1 = offsets[d0], offsets[d1]
        full = lengths[d0:d1] > 0
        if not full.any():
            return
        starts = offsets[d0:d1][full] - t0
        position = np.arange(t1 - t0, dtype=np.int64) - np.repeat(starts, lengths[d0:d1][full])
        ids = corpus.ids[t0:t1]
        block = out[d0:d1]
        for k in range(2):
            value = term_value[k][ids]
            value *= position_value[k][position]
            block[full, k] = np.add.reduceat(value, starts)
        # every document starts a sentence, so each has a run of sentence starts of its own
        at = sentences[np.searchsorted(sentences, t0) : np.searchsorted(sentences, t1)] - t0
        block[full, 2] = np.add.reduceat(position_value[2][position[at]], np.searchsorted(at, starts))

    # runs of a quarter of the usual chunk: their arrays (2 MiB) stay about the size of a core's cache
    _threads(one, _chunks(np.arange(corpus.n_docs), lengths, _CHUNK_TOKENS // 4), n_jobs)
    return out


def _shingles(corpus, rows: np.ndarray, k: int):
    """32-bit hashes of the within-sentence shingles of ``rows``, and each document's start in them.

    Every document of ``rows`` must hold at least one token (and so at least one shingle).
    The hash of a shingle is its polynomial hash (base ``_POLY``, in uint64) tagged with its
    width and scrambled; the full-width ones are computed for every token position at once by
    Horner's rule over shifted slices of the token array, the shorter ones (whole sentences of
    fewer than ``k`` tokens) apart; or, the same hashes, by the compiled ``_csets.shingles``.
    """
    bounds = corpus.sent_offsets if _SHINGLE_WITHIN == "sentence" else corpus.doc_offsets
    if _shingles_c is not None and corpus.ids.dtype == np.int32:
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        offsets = np.ascontiguousarray(corpus.doc_offsets, dtype=np.int64)
        out = np.empty(int((offsets[rows + 1] - offsets[rows]).sum()), dtype=np.uint32)
        local = np.empty(len(rows) + 1, dtype=np.int64)
        count = _shingles_c(np.ascontiguousarray(corpus.ids), offsets, np.ascontiguousarray(bounds, dtype=np.int64),
                            rows, k, out, local)
        return out[:count], local
    x, local = _gather(corpus, rows)
    starts, ends = corpus.doc_offsets[rows], corpus.doc_offsets[rows + 1]
    # the sentences of each document, as local runs of the gathered tokens
    s_lo = np.searchsorted(bounds, starts, side="left")
    s_hi = np.searchsorted(bounds, ends, side="left")
    sents = _ranges(s_lo, s_hi)
    sent_len = bounds[sents + 1] - bounds[sents]
    sent_start = np.cumsum(sent_len) - sent_len
    n = len(x)
    m = max(n - k + 1, 0)  # positions where a full-width shingle fits in the array
    raw = np.empty(n, dtype=np.uint64)
    take = np.zeros(n, dtype=bool)
    if m:
        # a full shingle starts where the token k - 1 places on is in the same sentence
        sentence_of = np.repeat(np.arange(len(sents), dtype=np.int32), sent_len)
        take[:m] = sentence_of[:m] == sentence_of[k - 1:]
        h = raw[:m]
        h[:] = x[:m]
        for j in range(1, k):
            h *= _POLY
            h += x[j : j + m]
        h ^= np.uint64(k) << np.uint64(56)
    short = (sent_len > 0) & (sent_len < k)
    if short.any():
        at, width = sent_start[short], sent_len[short]
        h = np.zeros(len(at), dtype=np.uint64)
        for j in range(int(width.max())):
            live = width > j
            h[live] = h[live] * _POLY + x[at[live] + j]
        raw[at] = h ^ (width.astype(np.uint64) << np.uint64(56))
        take[at] = True
    where = np.flatnonzero(take)
    hashes = (_mix(raw[where]) >> _32).astype(np.uint32)
    return hashes, np.searchsorted(where, local)


def _perm_params(num_perm: int, random_state) -> np.ndarray:
    """Multipliers of the MinHash functions: random odd uint32."""
    rng = np.random.default_rng(random_state)
    return rng.integers(0, 2**31, size=num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)


def _length_blocks(lengths: np.ndarray) -> list[np.ndarray]:
    """Documents (indexes into ``lengths``) in blocks of similar length and about ``_CACHE_SHINGLES``
    padded shingles: the longest of a block is at most ``_BLOCK_LENGTH_RATIO`` times the shortest."""
    by_length = np.argsort(lengths, kind="stable")
    ordered = lengths[by_length]
    blocks, start = [], 0
    while start < len(ordered):
        shortest = int(ordered[start])
        end = int(np.searchsorted(ordered, int(shortest * _BLOCK_LENGTH_RATIO), side="right"))
        end = min(end, start + max(1, _CACHE_SHINGLES // int(ordered[end - 1])))
        blocks.append(by_length[start:end])
        start = end
    return blocks


def _signatures(corpus, rows: np.ndarray, *, shingle: int, num_perm: int, random_state, n_jobs: int):
    """MinHash signatures (see :func:`minhash_signatures`), in the order the documents were
    hashed, and where each of ``rows`` is in them.

    The documents are hashed in corpus order, so that their tokens and sentences are read in
    order, and within a chunk in blocks of similar length; each block's results are written at
    once, and the signatures stay in that order (a copy in the order of ``rows`` would move
    every signature once more).

    Returns
    -------
    sig : uint32 array, shape (len(rows), num_perm)
        Row ``position[i]`` is the signature of ``rows[i]``.
    position : int64 array
    n_shingles : int64 array
        Shingles of each of ``rows`` (with repeats).
    """
    rows = np.asarray(rows, dtype=np.int64)
    a = _perm_params(num_perm, random_state)
    lengths = np.diff(corpus.doc_offsets)
    by_row = np.argsort(rows, kind="stable")
    chunks = _chunks(rows[by_row], lengths)
    first = np.cumsum([0] + [len(c) for c in chunks])
    done = np.empty(len(rows), dtype=np.int64)  # position i holds rows[by_row[done[i]]]
    sig = np.empty((len(rows), num_perm), dtype=np.uint32)
    n_shingles = np.empty(len(rows), dtype=np.int64)

    def one(i):
        h, offsets = _shingles(corpus, chunks[i], shingle)
        counts = np.diff(offsets)
        if _minhash is not None:
            # the compiled form: each chunk's signatures in the order of its documents
            span = slice(first[i], first[i + 1])
            _minhash(h, offsets, a, sig[span])
            done[span] = np.arange(first[i], first[i + 1])
            n_shingles[span] = counts
            return
        odd = h | np.uint32(1)  # no key 0, which every function would send to 0
        at = first[i]
        # buffers for every block of the chunk: allocations in the loop would take the kernel's
        # memory-map lock at every block, which the other threads then wait for
        blocks = _length_blocks(counts)
        size = max(len(docs) * int(counts[docs[-1]]) for docs in blocks) if blocks else 0
        widest = max(len(docs) for docs in blocks) if blocks else 0
        steps = np.arange(int(counts.max(initial=1)))
        pick_buf, block_buf = np.empty(size, dtype=np.int64), np.empty(size, dtype=np.uint32)
        value_buf = np.empty(_PERMS_AT_ONCE * size, dtype=np.uint32)
        out_buf = np.empty(num_perm * widest, dtype=np.uint32)
        for docs in blocks:
            width, n = int(counts[docs[-1]]), len(docs)
            # shingle j of each document in row j; a shorter document repeats its last
            # shingle, which leaves its minimum and its set alone
            pick = pick_buf[: width * n].reshape(width, n)
            np.minimum(steps[:width, None], counts[docs] - 1, out=pick)
            pick += offsets[docs]
            block = np.take(odd, pick, out=block_buf[: width * n].reshape(width, n), mode="clip")
            value = value_buf[: _PERMS_AT_ONCE * width * n].reshape(_PERMS_AT_ONCE, width, n)
            out = out_buf[: num_perm * n].reshape(num_perm, n)
            for p in range(0, num_perm, _PERMS_AT_ONCE):
                some = a[p : p + _PERMS_AT_ONCE]
                # wrapping uint32 arithmetic: a x mod 2**32, for a few functions at once
                np.multiply(block, some[:, None, None], out=value[: len(some)])
                np.minimum.reduce(value[: len(some)], axis=1, out=out[p : p + len(some)])
            span = slice(at, at + n)
            done[span] = first[i] + docs
            n_shingles[span] = counts[docs]
            sig[span] = out.T
            at += n

    _threads(one, range(len(chunks)), n_jobs)
    position = np.empty_like(by_row)
    position[by_row[done]] = np.arange(len(rows))
    n_shingles = n_shingles[position]
    return sig, position, n_shingles


def _distinct_rows(block: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Sort each row of a 2-D array in place and mark in ``new`` (a boolean array of its shape)
    the first of each distinct value; return the number of distinct values per row.
    ``block[new]`` is then the distinct values, row after row. A sort of short rows of 32-bit
    values is several times faster than one sort of all of them under 64-bit (row, value) keys."""
    block.sort(axis=1)
    new[:, :1] = True
    np.not_equal(block[:, 1:], block[:, :-1], out=new[:, 1:])
    return np.count_nonzero(new, axis=1)


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
    empty = rows[corpus.doc_offsets[rows + 1] == corpus.doc_offsets[rows]]
    if len(empty):
        raise ValueError(f"`rows` must be documents holding at least one token; rows {empty[:5].tolist()} hold none "
                         "(leave them out: an empty document has no shingles to sign).")
    sig, position, n_shingles = _signatures(corpus, rows, shingle=shingle, num_perm=num_perm,
                                               random_state=random_state, n_jobs=check_n_jobs(n_jobs))
    return sig[position], n_shingles


def _shingle_sets(corpus, rows: np.ndarray, k: int, n_jobs: int = 1):
    """The distinct shingle hashes of each of ``rows``, sorted: uint32 ``values``, and the
    int64 ``start`` and ``size`` of each document's set in them (best with ``rows`` in corpus
    order, so that the tokens are read in order).

    A document has at most as many shingles as tokens: chunk i of the documents writes its sets
    from the sum of the tokens of the chunks before it on, in one array that is never copied
    (the pages of the gaps are never touched, and so take no memory)."""
    rows = np.asarray(rows, dtype=np.int64)
    lengths = np.diff(corpus.doc_offsets)
    chunks = _chunks(rows, lengths)
    first = np.cumsum([0] + [len(c) for c in chunks])
    set_first = np.cumsum([0] + [int(lengths[c].sum()) for c in chunks])
    values = np.empty(int(set_first[-1]), dtype=np.uint32)
    size = np.empty(len(rows), dtype=np.int64)
    start = np.empty(len(rows), dtype=np.int64)

    def one(i):
        h, offsets = _shingles(corpus, chunks[i], k)
        counts = np.diff(offsets)
        written = int(set_first[i])
        for docs in _length_blocks(counts):
            # one document per row, padded with its last shingle (a repeat: not a new value)
            pick = np.minimum(offsets[docs, None] + np.arange(counts[docs[-1]]), offsets[docs + 1, None] - 1)
            block = h[pick]
            new = np.empty(block.shape, dtype=bool)
            sizes = _distinct_rows(block, new)
            count = int(sizes.sum())
            np.compress(new.reshape(-1), block.reshape(-1), out=values[written : written + count])
            size[first[i] + docs] = sizes
            start[first[i] + docs] = written + np.cumsum(sizes) - sizes
            written += count

    _threads(one, range(len(chunks)), n_jobs)
    return values, start, size


def _rep_sets(corpus, reps: np.ndarray, needed: np.ndarray, k: int, n_jobs: int = 1):
    """:func:`_shingle_sets` of the representatives ``reps[needed]`` (``needed`` a boolean mask),
    read in corpus order, with ``start`` and ``size`` indexed by representative (0 for the others)."""
    which = np.flatnonzero(needed)
    which = which[np.argsort(reps[which], kind="stable")]
    values, start, size = _shingle_sets(corpus, reps[which], k, n_jobs)
    start_all, size_all = np.zeros(len(reps), dtype=np.int64), np.zeros(len(reps), dtype=np.int64)
    start_all[which], size_all[which] = start, size
    return values, start_all, size_all


def _overlap(values: np.ndarray, start: np.ndarray, size: np.ndarray, x: np.ndarray, y: np.ndarray,
             n_jobs: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Set sizes and intersections of the pairs of sets ``(x[i], y[i])`` of :func:`_shingle_sets`
    (set k is ``values[start[k]:start[k] + size[k]]``, sorted and distinct): each pair's two
    sets merged in one pass by the compiled ``_csets.intersect_counts``, ``_OVERLAP_PAIRS``
    pairs at a time on ``n_jobs`` threads; by :func:`_overlap_numpy` where it was not built."""
    if _intersect_counts is None:
        return _overlap_numpy(values, start, size, x, y, n_jobs)
    values = np.ascontiguousarray(values, dtype=np.uint32)
    start, size = np.ascontiguousarray(start, dtype=np.int64), np.ascontiguousarray(size, dtype=np.int64)
    common = np.empty(len(x), dtype=np.int64)

    def count(lo):
        hi = lo + _OVERLAP_PAIRS
        _intersect_counts(values, start, size, x[lo:hi].astype(np.int64), y[lo:hi].astype(np.int64), common[lo:hi])

    _threads(count, range(0, len(x), _OVERLAP_PAIRS), n_jobs)
    return size[x], size[y], common


def _overlap_numpy(values: np.ndarray, start: np.ndarray, size: np.ndarray, x: np.ndarray, y: np.ndarray,
                   n_jobs: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_overlap` in numpy, where the compiled form was not built.

    The two sets of a pair go in one row, padded by repeating the last value, rows of similar
    length in one block. A row of ``w`` values of which ``d`` are distinct has ``w - d`` equal
    neighbours once sorted, and ``d`` is the size of the union: the intersection is
    ``size_x + size_y - d``.
    """
    size_x, size_y = size[x], size[y]
    common = np.zeros(len(x), dtype=np.int64)
    total = size_x + size_y
    index = np.int32 if len(values) < 2**31 else np.int64
    # where row i reads its columns: start_x + j for the first set, start_y + j - size_x for the second
    from_x, from_y = start[x].astype(index), (start[y] - size_x).astype(index)
    in_x, last = size_x.astype(index), (total - 1).astype(index)

    def count(pairs):
        width = int(total[pairs[-1]])
        col = np.minimum(np.arange(width, dtype=index), last[pairs, None])
        pick = np.where(col < in_x[pairs, None], from_x[pairs, None], from_y[pairs, None])
        pick += col
        block = values[pick]
        block.sort(axis=1)
        equal = np.count_nonzero(block[:, 1:] == block[:, :-1], axis=1)
        common[pairs] = equal - (width - total[pairs])

    _threads(count, _length_blocks(total), n_jobs)
    return size_x, size_y, common


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
    n_jobs = check_n_jobs(n_jobs)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    docs = _sorted_unique(pairs.reshape(-1))
    inverse = np.searchsorted(docs, pairs)
    values, start, size = _shingle_sets(corpus, docs, shingle, n_jobs)
    return _overlap(values, start, size, inverse[:, 0], inverse[:, 1], n_jobs)


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


def _band_keys(values: np.ndarray, first_band: int = 0) -> np.ndarray:
    """One 64-bit hash of each document's values in each band: ``values`` has shape
    (bands, rows_per_band, n_docs), the keys (bands, n_docs); band i's keys are seeded with
    ``first_band + i``, so that equal values in two bands make different keys."""
    seed = np.arange(first_band, first_band + len(values), dtype=np.uint64)
    key = np.repeat(seed[:, None], values.shape[2], axis=1)
    for row in range(values.shape[1]):
        key = _mix(key * _POLY + values[:, row])
    return key


def _band_partners(key: np.ndarray, label: np.ndarray, index=np.int64) -> tuple[np.ndarray, np.ndarray]:
    """Each document's partners in one band: its bucket's first member and the member before it
    (by label), or the document itself when it is the first; so a bucket of m documents gives
    fewer than 2m pairs, not m(m-1)/2. ``key[i]`` is the band key of document ``label[i]``; the
    results are indexed by label.

    The label sits in the low bits of the sorted value (the key keeps its high bits), so one
    ``np.sort`` of plain integers orders the buckets and their members, several times faster
    than a stable argsort. A bucket shared by two keys equal in their high bits only adds
    candidates that the verification then refuses.
    """
    n = len(key)
    label_bits = np.uint64(max(1, int(n - 1).bit_length()))
    mask = (np.uint64(1) << label_bits) - np.uint64(1)
    packed = np.sort((key & ~mask) | label.astype(np.uint64, copy=False))
    bucket, order = packed >> label_bits, (packed & mask).astype(index)
    later = np.empty(n, dtype=bool)  # not the first of its bucket
    later[:1] = False
    np.equal(bucket[1:], bucket[:-1], out=later[1:])
    starts = np.flatnonzero(~later)
    first, previous = np.empty(n, dtype=index), np.empty(n, dtype=index)
    first[order] = np.repeat(order[starts], np.diff(np.append(starts, n)))
    before = order.copy()
    before[1:][later[1:]] = order[:-1][later[1:]]
    previous[order] = before
    return first, previous


def _candidates(sig: np.ndarray, label: np.ndarray, bands: int, rows_per_band: int, n_jobs: int = 1) -> np.ndarray:
    """LSH candidate pairs, as distinct codes ``low * n + high`` of labels, ordered by ``high``
    then ``low``: each document with its partners (see :func:`_band_partners`) in every band.
    Row i of ``sig`` is the signature of document ``label[i]``.

    The band keys are made a few bands at a time (their values fill one cache line of each
    signature), so that they are never all held at once. The partners of all bands are gathered
    per document (a row of ``2 * bands`` numbers) and each row sorted on its own: the same pair
    comes from many bands, and sorting short rows of 32-bit numbers is many times faster than
    sorting every band's pairs under 64-bit codes.
    """
    n = len(sig)
    index = np.int32 if n < 2**31 else np.int64
    # the partners of every band, in column blocks of `wide` documents: each block is let go once
    # its rows are sorted, so that the partners (8 bytes per band and document, 0.5 GB for a
    # million documents at 64 bands) and the codes (8 bytes per pair) are not all held at once
    row_step = max(1, _CACHE_SHINGLES // max(2 * bands, 1))
    wide = row_step * max(1, _PARTNER_COLUMNS // row_step)
    partner = [np.empty((2 * bands, min(wide, n - lo)), dtype=index) for lo in range(0, n, wide)]
    label = label.astype(np.uint64)
    per_group = max(1, 16 // rows_per_band)
    step = max(1, _CACHE_SHINGLES // 16)
    label_bits = max(1, int(n - 1).bit_length())  # as _band_partners packs them

    def some_bands_compiled(b0):
        # the same keys and partners as below: the keys packed with the labels as they are made,
        # sorted by numpy, the partners read off in one pass
        b1 = min(b0 + per_group, bands)
        keys = np.empty((b1 - b0, n), dtype=np.uint64)
        _band_keys_c(sig, b0, b1, rows_per_band, label, label_bits, keys)
        first, previous = np.empty(n, dtype=index), np.empty(n, dtype=index)
        for band in range(b0, b1):
            packed = keys[band - b0]
            packed.sort()
            _band_partners_c(packed, label_bits, first, previous)
            for k, block in enumerate(partner):
                block[2 * band] = first[k * wide : k * wide + block.shape[1]]
                block[2 * band + 1] = previous[k * wide : k * wide + block.shape[1]]

    def some_bands(b0):
        if _band_keys_c is not None and n:
            return some_bands_compiled(b0)
        b1 = min(b0 + per_group, bands)
        keys = np.empty((b1 - b0, n), dtype=np.uint64)
        for lo in range(0, n, step):
            # a block of the group's columns, then its transpose, all in cache: a copy of a
            # strided column at a time would read every cache line of sig once per column
            values = np.ascontiguousarray(sig[lo : lo + step, b0 * rows_per_band : b1 * rows_per_band]).T
            keys[:, lo : lo + step] = _band_keys(values.reshape(b1 - b0, rows_per_band, -1), b0)
        for band in range(b0, b1):
            first, previous = _band_partners(keys[band - b0], label, index)
            for k, block in enumerate(partner):
                block[2 * band] = first[k * wide : k * wide + block.shape[1]]
                block[2 * band + 1] = previous[k * wide : k * wide + block.shape[1]]

    _threads(some_bands, range(0, bands, per_group), n_jobs)

    def rows(lo):
        k = lo // wide
        block = np.ascontiguousarray(partner[k][:, lo - k * wide : lo - k * wide + row_step].T)
        block.sort(axis=1)
        own = np.arange(lo, lo + len(block), dtype=index)
        new = block != own[:, None]  # a document is its own partner where it has none
        new[:, 1:] &= block[:, 1:] != block[:, :-1]
        return block[new] * np.int64(n) + np.repeat(own.astype(np.int64), np.count_nonzero(new, axis=1))

    parts = []
    for k in range(len(partner)):
        parts += _threads(rows, range(k * wide, k * wide + partner[k].shape[1], row_step), n_jobs)
        partner[k] = None
    # in the order of the rows: by the higher label, then the lower (a sort of tens of millions
    # of codes would add a serial third of a second on a million articles)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _equal_columns(sig: np.ndarray, a: np.ndarray, b: np.ndarray, n_jobs: int = 1,
                   position: np.ndarray | None = None) -> np.ndarray:
    """Equal signature columns of each pair of rows ``(a[i], b[i])`` (of rows ``position[a[i]]``
    and ``position[b[i]]`` when ``position`` is given: no index arrays of all the pairs are made);
    uint16 (2 bytes a pair, not the 8 of a float) unless there are 2**16 columns or more."""
    out = np.empty(len(a), dtype=np.uint16 if sig.shape[1] < 2**16 else np.int64)

    def block(lo):
        hi = lo + _PAIR_BLOCK
        x, y = a[lo:hi], b[lo:hi]
        if position is not None:
            x, y = position[x], position[y]
        equal = sig.take(x, axis=0) == sig.take(y, axis=0)
        # 8 booleans (bytes of 0 or 1) per uint64: its set bits count the equal columns
        if equal.shape[1] % 8 == 0:
            out[lo:hi] = np.bitwise_count(equal.view(np.uint64)).sum(axis=1)
        else:
            out[lo:hi] = np.count_nonzero(equal, axis=1)

    _threads(block, range(0, len(a), _PAIR_BLOCK), n_jobs)
    return out


def _spilled(a: np.ndarray) -> np.ndarray:
    """``a`` written to a temporary file and mapped back read-only, when it is larger than
    ``_SPILL_BYTES`` (on Linux, where the file can be removed while mapped: nothing is left
    behind, whatever happens next); else, or when the temporary folder has no room, ``a``.

    The caller drops its other references to ``a``; the pages read back later come from the
    system's file cache, and they go with the mapping.
    """
    import os
    import sys
    import tempfile

    if a.nbytes <= _SPILL_BYTES or not sys.platform.startswith("linux") or not _spill_saves_memory():
        return a
    rows = max(1, (1 << 24) // max(1, a[:1].nbytes))  # about 16 MB written at a time
    name = None
    try:
        fd, name = tempfile.mkstemp(prefix="corpus_tools-signatures-", suffix=".bin")
        with os.fdopen(fd, "wb") as f:
            for lo in range(0, len(a), rows):
                f.write(memoryview(np.ascontiguousarray(a[lo : lo + rows])).cast("B"))
        mapped = np.memmap(name, dtype=a.dtype, mode="r", shape=a.shape)
    except OSError:  # no room or no temporary folder: keep it in memory
        return a
    finally:
        if name is not None:
            try:
                os.unlink(name)
            except OSError:
                pass
    return mapped


def _spill_saves_memory() -> bool:
    """Whether the temporary folder is on a local disk: on tmpfs a file is memory too, and a
    network file system is not mapped (see :mod:`corpus_tools._storage`)."""
    import os
    import tempfile

    from .._storage import _LOCAL_FS, _fs_type

    try:
        kind = _fs_type(os.stat(tempfile.gettempdir()).st_dev)
    except OSError:
        return False
    return kind in _LOCAL_FS and kind != "tmpfs"


def _estimated_jaccard(sig: np.ndarray, a: np.ndarray, b: np.ndarray, n_jobs: int = 1) -> np.ndarray:
    """Share of equal signature columns of each pair of rows ``(a[i], b[i])``."""
    return _equal_columns(sig, a, b, n_jobs) / sig.shape[1]


def _pairs_to_check(n_equal: np.ndarray, n_columns: int, a: np.ndarray, b: np.ndarray, n_shingles: np.ndarray,
                    comp: np.ndarray, threshold: float, n_jobs: int = 1) -> np.ndarray:
    """The candidate pairs whose containment is worth an exact check: not near copies, in
    groups still apart, of sizes a contained copy may have, and estimated within
    ``_CONTAINMENT_MARGIN`` of the threshold. The estimated Jaccard similarity is
    ``n_equal / n_columns`` (see :func:`_equal_columns`). In blocks on ``n_jobs`` threads, so
    that the temporaries stay in cache; the pairs are returned as int32 indexes when there are
    fewer than 2**31."""
    step = 16 * _PAIR_BLOCK

    def block(lo):
        hi = lo + step
        j, size_a, size_b = n_equal[lo:hi] / n_columns, n_shingles[a[lo:hi]], n_shingles[b[lo:hi]]
        small, large = np.minimum(size_a, size_b), np.maximum(size_a, size_b)
        maybe = np.flatnonzero((j < threshold) & (small >= MIN_CONTAINED_SHINGLES)
                               & (small >= 0.8 * MIN_CONTAINED_SHARE * large))
        c = _containment_from_jaccard(j[maybe], size_a[maybe], size_b[maybe])
        keep = (c >= threshold - _CONTAINMENT_MARGIN) & (comp[a[lo + maybe]] != comp[b[lo + maybe]])
        return lo + maybe[keep]

    index = np.int32 if len(n_equal) < 2**31 else np.int64
    parts = _threads(block, range(0, len(n_equal), step), n_jobs)
    return np.concatenate(parts).astype(index, copy=False) if parts else np.zeros(0, dtype=index)


def _apart(comp: np.ndarray, a: np.ndarray, b: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Whether the pairs ``(a[i], b[i])`` for i in ``pairs`` join two components of ``comp``
    still apart (in blocks of ``_VERIFY_BLOCK`` pairs: no gathered arrays of all of them)."""
    out = np.empty(len(pairs), dtype=bool)
    for lo in range(0, len(pairs), _VERIFY_BLOCK):
        part = pairs[lo : lo + _VERIFY_BLOCK]
        np.not_equal(comp[a[part]], comp[b[part]], out=out[lo : lo + _VERIFY_BLOCK])
    return out


def _best_per_link(comp: np.ndarray, a: np.ndarray, b: np.ndarray, pairs: np.ndarray, score: np.ndarray,
                   n: int) -> np.ndarray:
    """Indexes (into ``pairs``) of the pair with the highest score (the first such) between each
    two groups: pair ``pairs[i]`` links groups ``comp[a[pairs[i]]]`` and ``comp[b[pairs[i]]]``
    (of ``n``), with score ``score[i]``. The link codes are made in blocks and each sorted array
    is let go as soon as it is used, so that about three arrays of 8 bytes a pair live at once."""
    n = min(n, int(comp.max(initial=0)) + 1)  # the groups, numbered from 0
    link = np.empty(len(pairs), dtype=np.int64)
    for lo in range(0, len(pairs), _VERIFY_BLOCK):
        part = pairs[lo : lo + _VERIFY_BLOCK]
        ca, cb = comp[a[part]], comp[b[part]]
        np.minimum(ca, cb, out=link[lo : lo + _VERIFY_BLOCK])
        link[lo : lo + _VERIFY_BLOCK] *= np.int64(n)
        link[lo : lo + _VERIFY_BLOCK] += np.maximum(ca, cb)
    index_bits = max(1, (len(pairs) - 1).bit_length())
    if (n * n).bit_length() + index_bits <= 63:
        # the pair's index in the low bits: one sort of plain integers orders the links and keeps
        # each link's pairs in their order, several times faster than a stable argsort
        link <<= np.int64(index_bits)
        link |= np.arange(len(pairs), dtype=np.int64)
        link.sort()
        by_link = link & np.int64((1 << index_bits) - 1)
        link >>= np.int64(index_bits)
    else:
        by_link = np.argsort(link, kind="stable")
        link = link[by_link]
    new = np.empty(len(link), dtype=bool)
    new[:1] = True
    np.not_equal(link[1:], link[:-1], out=new[1:])
    del link
    score = score[by_link]
    starts = np.flatnonzero(new)
    del new
    best = np.flatnonzero(score == np.repeat(np.maximum.reduceat(score, starts), np.diff(np.r_[starts, len(score)])))
    group = np.searchsorted(starts, best, side="right")
    return by_link[best[np.r_[True, group[1:] != group[:-1]]]]


def _containment_from_jaccard(j: np.ndarray, size_a: np.ndarray, size_b: np.ndarray) -> np.ndarray:
    """Share of the smaller set inside the larger, from the Jaccard similarity and the set sizes:
    ``|A & B| = J (|A| + |B|) / (1 + J)``."""
    common = j * (size_a + size_b) / (1 + j)
    return np.clip(common / np.maximum(np.minimum(size_a, size_b), 1), 0.0, 1.0)


# ---------------------------------------------------------------------- the numbers of the texts
# documents whose texts are read at once: their strings and arrays stay tens of MB
_TEXT_BATCH = 1 << 15
# bytes of text scanned for numbers at once (the byte masks stay in cache)
_NUMBER_CHUNK_BYTES = 1 << 20
# seeds of the number hashes (more digits of pi)
_NUMBER_SEEDS = (np.uint64(0x452821E638D01377), np.uint64(0xBE5466CF34E90C6C), np.uint64(0xC0AC29B7C97C50DD))
_ZERO, _COMMA, _POINT = np.uint8(ord("0")), np.uint8(ord(",")), np.uint8(ord("."))


def _position_values(n: int, seed: np.uint64) -> np.ndarray:
    return _mix(np.arange(n, dtype=np.uint64) + seed) | np.uint64(1)


# masks of the lowest 0 to 8 bytes of a uint64
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
# a pseudo-random odd multiplier per 8 bytes of a number after the first 8
_BLOCK_VALUES = _mix(np.arange(1, 64, dtype=np.uint64) + _NUMBER_SEEDS[1]) | np.uint64(1)


def _hash_spans(chunk: np.ndarray, begin: np.ndarray, length: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each run of bytes ``chunk[begin[i]:begin[i] + length[i]]`` (``begin``
    ascending, ``length`` >= 1). The bytes are read 8 at a time as one integer, from an unaligned
    uint64 view with one element per byte offset. A run of at most 8 bytes is its integer (two
    runs of digits, commas and points, none a zero byte, never have the same one), mixed with its
    length; a longer one adds its further integers (up to 512 bytes), each times a
    pseudo-random value."""
    n = len(chunk)
    end = max(n - 8, 0)  # reads from here on would run past the chunk: from a padded copy of its end
    tail = np.zeros(16, dtype=np.uint8)
    tail[: n - end] = chunk[end:]
    words = np.ndarray((end,), dtype=np.uint64, buffer=np.ascontiguousarray(chunk), strides=(1,))
    tail_words = np.ndarray((9,), dtype=np.uint64, buffer=tail, strides=(1,))

    def read(where):
        cut = int(np.searchsorted(where, end))
        word = np.empty(len(where), dtype=np.uint64)
        word[:cut] = words[where[:cut]]
        word[cut:] = tail_words[where[cut:] - end]
        return word

    h = read(begin)
    h &= _LOW_BYTES[np.minimum(length, 8)]
    longer = np.flatnonzero(length > 8)
    for block in range(1, 64):
        if not len(longer):
            break
        word = read(begin[longer] + 8 * block)
        word &= _LOW_BYTES[np.minimum(length[longer] - 8 * block, 8)]
        h[longer] += word * _BLOCK_VALUES[block - 1]
        longer = longer[length[longer] > 8 * (block + 1)]
    return _mix(h ^ (length.astype(np.uint64) << np.uint64(56)))


def _numbers_in(data: np.ndarray, offsets: np.ndarray, in_order: bool = True):
    """The numbers of the texts ``data[offsets[i]:offsets[i + 1]]`` (UTF-8 bytes).

    A number is a run of the ASCII digits 0-9, with a comma or a point between two digits kept
    inside it (``1,545,160`` and ``12.6`` are one number each), hashed from its bytes.

    Returns
    -------
    sequence : uint64 array, one per text
        A digest of the text's numbers in their order (0 for a text without numbers; all 0
        unless ``in_order``).
    values : uint32 array
        The distinct numbers of each text, sorted, text after text (the hashes' upper halves).
    size : int64 array, one per text
        Distinct numbers of each text.
    digest : uint64 array, one per text
        A digest of the set of its distinct numbers.
    """
    n_docs = len(offsets) - 1
    lo = int(offsets[0])
    chunk = data[lo : int(offsets[-1])]
    at = np.flatnonzero((chunk - _ZERO) < 10)  # the digits
    # a digit continues a number when it follows a digit, or a comma or point after a digit, in
    # the same text
    gap = np.diff(at)
    joined = gap == 1
    two = np.flatnonzero(gap == 2)
    between = chunk[at[two] + 1]
    joined[two[(between == _COMMA) | (between == _POINT)]] = True
    first_digit = np.searchsorted(at, offsets - lo)  # text i has the digits first_digit[i]:first_digit[i + 1]
    inner = first_digit[1:-1]
    joined[inner[(inner > 0) & (inner < len(at))] - 1] = False
    starts = np.flatnonzero(np.r_[True, ~joined]) if len(at) else np.zeros(0, dtype=np.int64)
    begin = at[starts]
    number = (_hash_spans(chunk, begin, at[np.r_[starts[1:], len(at)] - 1] - begin + 1) if len(at)
              else np.zeros(0, dtype=np.uint64))
    per_doc = np.diff(np.searchsorted(starts, first_digit))
    number_doc = np.repeat(np.arange(n_docs, dtype=np.int64), per_doc)
    has = np.flatnonzero(per_doc)
    first = np.cumsum(per_doc) - per_doc
    # the sequence: each number times a pseudo-random value of its place in the text
    sequence = np.zeros(n_docs, dtype=np.uint64)
    if len(has) and in_order:
        index = np.arange(len(number), dtype=np.int64) - np.repeat(first, per_doc)
        weighted = number * _position_values(int(per_doc.max()), _NUMBER_SEEDS[2])[index]
        sequence[has] = np.add.reduceat(weighted, first[has])
    # the sets: (text, upper half of the hash) in one sorted uint64, repeats dropped
    packed = (number_doc.astype(np.uint64) << _32) | (number >> _32)
    packed.sort()
    packed = packed[np.r_[True, packed[1:] != packed[:-1]]] if len(packed) else packed
    values = packed.astype(np.uint32)  # the lower half
    size = np.bincount((packed >> _32).astype(np.int64), minlength=n_docs)
    digest = np.zeros(n_docs, dtype=np.uint64)
    if len(has):
        digest[has] = np.add.reduceat(_mix(values.astype(np.uint64)), (np.cumsum(size) - size)[has])
    return sequence, values, size, digest


def _arrow_texts(texts: pd.Series):
    """The texts as Arrow large strings, an array or, for a column read in parts (a corpus
    loaded from its cache), a chunked array: no copy for the Arrow strings of pandas."""
    import pyarrow as pa

    try:
        array = pa.array(texts, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # values that are not all strings
        array = pa.array([t if isinstance(t, str) else "" if t is None else str(t) for t in texts])
    if isinstance(array, pa.ChunkedArray) and array.num_chunks <= 1:
        array = array.combine_chunks()
    return array.cast(pa.large_string()) if array.type != pa.large_string() else array


def _take_texts(column, rows: np.ndarray):
    """``column.take(rows)`` as one Arrow array; for a chunked column, each chunk's rows taken
    from it (a take over chunks is several times slower, and joining the chunks first would
    copy every text)."""
    import pyarrow as pa

    if not isinstance(column, pa.ChunkedArray):
        return column.take(rows)
    order = np.argsort(rows, kind="stable")
    ordered = rows[order]
    bounds = np.cumsum([0] + [len(chunk) for chunk in column.chunks])
    cuts = np.searchsorted(ordered, bounds)
    parts = [column.chunk(k).take(ordered[cuts[k] : cuts[k + 1]] - bounds[k])
             for k in range(column.num_chunks) if cuts[k + 1] > cuts[k]]
    out = pa.concat_arrays(parts) if parts else pa.array([], type=column.type)
    if np.array_equal(order, np.arange(len(rows))):
        return out
    back = np.empty_like(order)
    back[order] = np.arange(len(rows))
    return out.take(back)


def _utf8(array) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes of an Arrow large-string array and the offsets of each text in them (a
    missing text has an empty range)."""
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    data = array.buffers()[2]
    return (np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)), offsets


class _Numbers:
    """The numbers of the documents' texts (see :func:`_numbers_in`), kept per row of the
    corpus, read for the documents that need them: the members of exact classes
    (:meth:`read_classes`), then the documents of near and contained pairs (:meth:`read`)."""

    def __init__(self, corpus, n_jobs: int):
        n = corpus.n_docs
        self.corpus, self.n_jobs = corpus, n_jobs
        self.done = np.zeros(n, dtype=bool)
        self.sequence = np.zeros(n, dtype=np.uint64)
        self.digest = np.zeros(n, dtype=np.uint64)
        self.start = np.zeros(n, dtype=np.int64)
        self.size = np.zeros(n, dtype=np.int64)
        self._parts: list[np.ndarray] = []
        self._n_values = 0
        self._values = np.zeros(0, dtype=np.uint32)
        self._column = None  # the text column as an Arrow array (False: none, the texts are read back)
        self.n_read = 0  # texts scanned

    def _texts(self, rows: np.ndarray):
        """The texts of ``rows``, in their order, as an Arrow array (missing texts stay missing:
        they hold no number): taken from the text column of an in-memory corpus, else read
        back from the file of a corpus built by :meth:`Corpus.from_parquet`."""
        if self.in_memory:
            return _take_texts(self._column, rows)
        described = self.corpus.docs.attrs.get("text_source")
        if not isinstance(described, dict):
            raise ValueError("near_duplicates compares the numbers of the texts, which this corpus leaves out of its "
                             "tokens, but it has no texts to read them from (no text column in its docs, and no file "
                             "it was built from). Pass check_numbers=False to compare the words alone, or build the "
                             "corpus with numbers=True.")
        from .._text_source import read_texts_arrow

        return read_texts_arrow(described, self.corpus.docs.index, rows)

    @property
    def in_memory(self) -> bool:
        """Whether the texts are taken from memory (in any order), not read back from a file
        (best in the order of the rows: each read decodes whole row groups)."""
        if self._column is None:
            column = self.corpus.params.get("text", "text")
            self._column = _arrow_texts(self.corpus.docs[column]) if column in self.corpus.docs.columns else False
        return self._column is not False

    def _scan(self, rows: np.ndarray, texts, in_order: bool = False) -> None:
        """Find the numbers of the texts of ``rows`` (an Arrow array), in runs of about
        ``_NUMBER_CHUNK_BYTES`` on the threads; their digest in order only when asked."""
        data, offsets = _utf8(texts)
        cuts = np.searchsorted(offsets, np.arange(offsets[0], offsets[-1], _NUMBER_CHUNK_BYTES), side="right") - 1
        bounds = np.unique(np.r_[0, cuts[1:], len(rows)])
        spans = list(zip(bounds[:-1].tolist(), bounds[1:].tolist()))
        found = _threads(lambda span: _numbers_in(data, offsets[span[0] : span[1] + 1], in_order), spans, self.n_jobs)
        for (s0, s1), (sequence, values, size, digest) in zip(spans, found):
            part = rows[s0:s1]
            self.sequence[part], self.size[part], self.digest[part] = sequence, size, digest
            self.start[part] = self._n_values + np.cumsum(size) - size
            self._parts.append(values)
            self._n_values += len(values)
        self.done[rows] = True
        self.n_read += len(rows)

    def read(self, rows: np.ndarray) -> None:
        """Read the numbers of ``rows`` (document rows) not read yet."""
        todo = np.zeros(len(self.done), dtype=bool)
        todo[rows] = True
        todo = np.flatnonzero(todo & ~self.done)
        batches = [todo[lo : lo + _TEXT_BATCH] for lo in range(0, len(todo), _TEXT_BATCH)]
        for batch, texts in self._ahead(lambda batch: (batch, self._texts(batch)), batches):
            self._scan(batch, texts)

    def _ahead(self, fn, items):
        """``fn(item)`` for each item in turn, the next one made on a thread while the caller
        works on this one (taking or reading texts is serial; their scan is not)."""
        if self.n_jobs == 1 or len(items) < 2:
            yield from map(fn, items)
            return
        with ThreadPoolExecutor(max_workers=1) as pool:
            coming = pool.submit(fn, items[0])
            for i in range(len(items)):
                value = coming.result()
                if i + 1 < len(items):
                    coming = pool.submit(fn, items[i + 1])
                yield value

    def read_classes(self, order: np.ndarray, new_class: np.ndarray) -> None:
        """Read the numbers of the members of the exact classes of more than one member
        (``order`` and ``new_class`` as in :func:`near_duplicates`). The texts of a class are
        compared side by side; a member whose text is that of the member before it (a copy sent
        again) takes its numbers without a scan. Texts in memory are taken a few whole classes
        at a time; texts read back from a file, in the order of the file, each batch's members
        then put side by side by class."""
        import pyarrow.compute as pc

        class_id = np.cumsum(new_class) - 1
        several = np.flatnonzero(np.bincount(class_id)[class_id] >= 2) if len(order) else order
        if not len(several):
            return
        if self.in_memory:
            # the members of a class in the order of the documents (copies often come together),
            # in batches of whole classes, of about _TEXT_BATCH members
            several = several[np.lexsort((order[several], class_id[several]))]
            new = np.r_[True, np.diff(class_id[several]) != 0]
            starts = np.flatnonzero(new)
            cuts = np.unique(np.searchsorted(starts, np.arange(0, len(several), _TEXT_BATCH)))
            cuts = starts[cuts[cuts < len(starts)]]
            batches = [several[lo:hi] for lo, hi in zip(cuts, np.r_[cuts[1:], len(several)])]
        else:
            several = several[np.argsort(order[several], kind="stable")]
            batches = [part[np.lexsort((order[part], class_id[part]))]
                       for part in (several[lo : lo + _TEXT_BATCH] for lo in range(0, len(several), _TEXT_BATCH))]

        def texts_of(batch):
            rows, texts = order[batch], self._texts(order[batch])
            # neighbours compared as two slices of one array: nothing copied
            same = np.zeros(len(rows), dtype=bool)
            same[1:] = pc.equal(texts[1:], texts[:-1]).fill_null(False).to_numpy(zero_copy_only=False)
            same[1:] &= class_id[batch[1:]] == class_id[batch[:-1]]
            return rows, texts, same

        for rows, texts, same in self._ahead(texts_of, batches):
            scan = np.flatnonzero(~same)
            self._scan(rows[scan], texts.take(scan) if len(scan) < len(rows) else texts, in_order=True)
            # the others take the numbers of the last member scanned before them
            copy = np.flatnonzero(same)
            source = rows[scan[np.searchsorted(scan, copy) - 1]]
            self.sequence[rows[copy]], self.digest[rows[copy]] = self.sequence[source], self.digest[source]
            self.start[rows[copy]], self.size[rows[copy]] = self.start[source], self.size[source]
            self.done[rows[copy]] = True

    @property
    def values(self) -> np.ndarray:
        if self._parts:
            self._values = np.concatenate([self._values, *self._parts])
            self._parts = []
        return self._values

    def agree(self, x: np.ndarray, y: np.ndarray, shingles_x: np.ndarray, shingles_y: np.ndarray, *,
              shingle: int, threshold: float) -> np.ndarray:
        """Whether the numbers of the documents ``x[i]`` and ``y[i]`` (rows; with
        ``shingles_x[i]`` and ``shingles_y[i]`` shingles) let them be copies: the one with fewer
        distinct numbers (on a tie, the longer) finds all of them in the other but for at most
        ``(1 - threshold) * shingles / shingle``, as if each number it lacks were a word that
        changed ``shingle`` of its shingles, and at most ``1 - threshold`` of them may change.
        """
        if not (self.done[x].all() and self.done[y].all()):
            self.read(np.r_[x, y])
        size_x, size_y = self.size[x], self.size[y]
        small = np.minimum(size_x, size_y)
        shingles = np.where(size_x < size_y, shingles_x,
                            np.where(size_y < size_x, shingles_y, np.maximum(shingles_x, shingles_y)))
        tolerated = (1 - threshold) * shingles / shingle
        ok = (small <= tolerated) | (self.digest[x] == self.digest[y])
        check = np.flatnonzero(~ok)
        if len(check):
            _, _, common = _overlap(self.values, self.start, self.size, x[check], y[check], self.n_jobs)
            ok[check] = small[check] - common <= tolerated[check]
        return ok


# ---------------------------------------------------------------------- the analysis
def _check_fraction(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not 0 < float(value) <= 1:
        raise ValueError(f"`{name}` must be a number in (0, 1]; got {value!r}.")
    return float(value)


def near_duplicates(corpus, *, threshold: float = 0.8, shingle: int = 5, num_perm: int = 128,
                    bands: int | None = None, containment: bool = True, check_numbers: bool = True,
                    random_state=0, n_jobs: int = 1) -> pd.DataFrame:
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
    check_numbers : bool
        When the corpus leaves numbers out of its tokens (``numbers=False``, the default of
        :meth:`Corpus.from_docs`), also compare the numbers of the texts, so that templated
        notices whose words are the same and whose figures differ are not copies. Two
        documents are then *exact* copies when they have the same kept words and their texts
        the same numbers in the same order; a *near* or *contained* pair must also agree in its
        numbers: the document with fewer distinct numbers finds all of them in the other but
        for at most ``(1 - threshold) * n_shingles / shingle`` (as if each number it lacks were
        a word changing ``shingle`` of its shingles). A story re-sent with a changed headline,
        trimmed, or with a figure corrected in a long text stays a copy; an earnings notice
        of another company with the same wording does not. The texts are read only for the
        documents that may be copies, and scanned unless they are the text of another member
        of their exact class read beside it (``attrs["n_texts_scanned"]``; texts read back
        from a file go in the file's order, a batch at a time, so that a copy in another batch
        than its class-mate is scanned again: the count, not the table, depends on it).
        ``False``: the words alone
        decide, as they do in a corpus built with ``numbers=True``, whose shingles hold the
        numbers already.
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
          it: ``"exact"`` (same token sequence, and same numbers: see ``check_numbers``), ``"near"`` (estimated Jaccard >= threshold),
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
        computed on shingle sets), ``n_refused_numbers`` (near or contained pairs that are no
        copies for their numbers), ``n_texts_scanned`` (documents whose texts were scanned for
        numbers: 0 without the check), ``n_groups``, ``n_duplicates`` (members beyond the first) and ``seconds``
        (the time of each step).

    Raises
    ------
    ValueError
        For a threshold outside (0, 1], a non-positive ``shingle`` or ``num_perm``, ``bands``
        greater than ``num_perm``, a ``check_numbers`` that is not True or False, or, with
        ``check_numbers``, a corpus whose texts cannot be read (no text column and no file).

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

    Two dividend notices with the same words and other figures are not copies; the same
    notice sent twice is:

    >>> notices = pd.DataFrame({"text": ["Qtly div 22 cts vs 22 cts prior. Pay April 30. Record April 10.",
    ...                                  "Qtly div 19 cts vs 19 cts prior. Pay April 15. Record March 31.",
    ...                                  "Qtly div 22 cts vs 22 cts prior. Pay April 30. Record April 10."]},
    ...                        index=pd.Index(["acme", "bolt", "acme-resent"], name="doc_id"))
    >>> ct.near_duplicates(ct.Corpus.from_docs(notices, cache=False, progress=False))[["doc_id", "kind"]]
            doc_id   kind
    0         acme  first
    1  acme-resent  exact
    """
    out = _near_duplicates(corpus, threshold=threshold, shingle=shingle, num_perm=num_perm, bands=bands,
                           containment=containment, check_numbers=check_numbers, random_state=random_state,
                           n_jobs=n_jobs)
    # once the step's arrays are gone (the body's locals): the heaps of its threads, the pool of
    # the texts it read for their numbers, and the pages of the tokens it read
    _trim_heap(arrow=check_numbers, corpus=corpus)
    return out


def _near_duplicates(corpus, *, threshold, shingle, num_perm, bands, containment, check_numbers, random_state,
                     n_jobs) -> pd.DataFrame:
    """:func:`near_duplicates`, which hands back the memory this freed once it has returned."""
    threshold = _check_fraction("threshold", threshold)
    shingle = check_positive_int("shingle", shingle)
    num_perm = check_positive_int("num_perm", num_perm)
    if bands is None:
        bands = choose_bands(threshold, num_perm, containment=containment)
    bands = check_positive_int("bands", bands)
    if bands > num_perm:
        raise ValueError(f"`bands` must be at most `num_perm` ({num_perm}); got {bands}.")
    check_option("check_numbers", check_numbers, [True, False])
    n_jobs = check_n_jobs(n_jobs)
    rows_per_band = num_perm // bands

    n = corpus.n_docs
    lengths = np.diff(corpus.doc_offsets)

    clock = _Clock()
    # 1. exact classes (equal digests and lengths), in the order of their digest, so that
    # everything below, the candidate pairs included, is the same whatever the order of the
    # documents
    hashes = _exact_hashes(corpus, n_jobs)
    nonempty = np.flatnonzero(lengths > 0)
    order = nonempty[np.argsort(hashes[nonempty, 0])]

    def class_starts(order):
        """Where a new class starts in ``order``, and whether a class splits on the second digest
        or the length only (two different sequences sharing the first digest)."""
        first, second, length = hashes[order, 0], hashes[order, 1], lengths[order]
        same_first = first[1:] == first[:-1]
        differ = (second[1:] != second[:-1]) | (length[1:] != length[:-1])
        return np.r_[True, ~same_first | differ], bool((same_first & differ).any())

    def classes(order):
        new_class, split = class_starts(order) if len(order) else (np.zeros(0, dtype=bool), False)
        if split:  # about never: sort by all of the digest
            order = nonempty[np.lexsort((lengths[nonempty], hashes[nonempty, 1], hashes[nonempty, 0]))]
            new_class, _ = class_starts(order)
        return order, new_class

    order, new_class = classes(order)
    clock("exact")
    numbers = None
    if check_numbers and not corpus.params.get("numbers", False):
        # Documents with the same words are exact copies only when their texts hold the same
        # numbers in the same order: the classes of more than one member are split by a digest
        # of their members' numbers (read from the texts of these members only). The parts of a
        # class are then near copies of each other (their words are the same), whose numbers
        # are compared like those of any pair below.
        numbers = _Numbers(corpus, n_jobs)
        numbers.read_classes(order, new_class)
        shared = np.flatnonzero(numbers.done)
        hashes[shared, 0] ^= _mix(numbers.sequence[shared])
        hashes[shared, 1] ^= _mix(numbers.sequence[shared] ^ _NUMBER_SEEDS[0])
        order, new_class = classes(nonempty[np.argsort(hashes[nonempty, 0])])
        clock("numbers")
    rep_index = np.full(n, -1, dtype=np.int64)  # row -> index into reps
    rep_index[order] = np.cumsum(new_class) - 1
    # each class is represented by its (first) member with the least sentence digest: members
    # with the same tokens may cut them into sentences differently, and so differ in their shingles
    reps = order
    if len(order):
        member_class, digest = rep_index[order], hashes[order, 2]
        least = np.flatnonzero(digest == np.minimum.reduceat(digest, np.flatnonzero(new_class))[member_class])
        reps = order[least[np.r_[True, member_class[least[1:]] != member_class[least[:-1]]]]]
        del member_class, digest, least
    del hashes, order, new_class
    n_reps = len(reps)
    # 2-3. MinHash signatures of the representatives (their shingle sets are made in step 5, for
    # the pairs to check only, once the LSH's partners and the pairs' temporaries are gone: held
    # with the signatures and the partners, they would add 0.4 GB to the peak on a million articles)
    sig, position, n_sh = _signatures(corpus, reps, shingle=shingle, num_perm=num_perm,
                                      random_state=random_state, n_jobs=n_jobs)
    _trim_heap(corpus=corpus)  # every token was read; the checks read those of their pairs only
    sig = sig[:, : bands * rows_per_band]  # the columns the bands use (a view)
    clock("minhash")
    # 4. LSH candidates
    label = np.empty_like(position)
    label[position] = np.arange(n_reps)
    pairs = _candidates(sig, label, bands, rows_per_band, n_jobs)
    a, b = _split_codes(pairs, n_reps)
    del pairs
    _trim_heap()
    n_candidates = len(a)
    clock("lsh")
    # 5. verification, a block of pairs at a time wherever arrays per pair are made: tens of
    # millions of candidates on a million news articles
    n_columns = sig.shape[1]
    n_equal = _equal_columns(sig, a, b, n_jobs, position=position)
    # the signatures are read again only for the table, at the end: out of memory meanwhile,
    # written out (with several threads, on a thread of its own while the checks go on: hundreds
    # of MB, half a second of writing on a million articles); taken back before the shingle
    # sets are made
    spill = _Background(_spilled, sig) if n_jobs > 1 else _Done(_spilled(sig))
    del sig
    near = np.empty(n_candidates, dtype=bool)
    for lo in range(0, n_candidates, _VERIFY_BLOCK):
        # the estimate of _estimated_jaccard, to the bit
        near[lo : lo + _VERIFY_BLOCK] = n_equal[lo : lo + _VERIFY_BLOCK] / n_columns >= threshold
    n_refused = 0
    if numbers is not None:
        # copies in their words, not in their numbers: templated notices
        at = np.flatnonzero(near)
        ok = _agree_numbers(numbers, at, a, b, reps, n_sh, shingle=shingle, threshold=threshold)
        near[at[~ok]] = False
        n_refused += int(len(ok) - ok.sum())
    # the edges: near pairs (kind 2), then the contained ones (kind 1) each round finds
    edges = [(a[near], b[near], np.full(int(near.sum()), 2, dtype=np.int8))]
    del near
    n_checked = 0
    if containment:
        comp = _components(n_reps, *edges[0][:2])
        todo = _pairs_to_check(n_equal, n_columns, a, b, n_sh, comp, threshold, n_jobs)
        # only the pairs to check are kept from here on (their two sides and estimates, in their
        # order); their estimated containment is computed when a round needs it, as
        # _pairs_to_check computes it (the same values, 8 bytes a pair fewer to hold)
        a, b, n_equal = a[todo], b[todo], n_equal[todo]
        todo = np.arange(len(a), dtype=todo.dtype)
        _trim_heap()

        def estimate(pairs):
            out = np.empty(len(pairs))
            for lo in range(0, len(pairs), _VERIFY_BLOCK):
                x = pairs[lo : lo + _VERIFY_BLOCK]
                out[lo : lo + _VERIFY_BLOCK] = _containment_from_jaccard(n_equal[x] / n_columns, n_sh[a[x]], n_sh[b[x]])
            return out

        # Only pairs that would join groups still apart are checked exactly, in rounds: first
        # the likeliest pair between each two groups, then the rest while their groups stay
        # apart. A pair skipped joins nothing that is not joined already, so the groups are
        # those of checking every pair, at a fraction of the cost (many copies link the same
        # two groups). After _ROUNDS rounds every pair left is checked at once.
        for round_ in range(_ROUNDS + 1):
            todo = todo[_apart(comp, a, b, todo)]
            if not len(todo):
                break
            if round_ < _ROUNDS:
                pick = _best_per_link(comp, a, b, todo, estimate(todo), n_reps)
                check, todo = todo[pick], np.delete(todo, pick)
                del pick
            else:
                check, todo = todo, todo[:0]
            n_checked += len(check)
            spill.wait()
            _trim_heap()
            # the shingle sets of the documents of this round's pairs: made here, when the
            # temporaries of the steps before are gone, and let go after the round (the later
            # rounds check few pairs)
            needed = np.zeros(n_reps, dtype=bool)
            for lo in range(0, len(check), _VERIFY_BLOCK):
                needed[a[check[lo : lo + _VERIFY_BLOCK]]] = True
                needed[b[check[lo : lo + _VERIFY_BLOCK]]] = True
            shingle_sets = _rep_sets(corpus, reps, needed, shingle, n_jobs)
            corpus.release_pages()
            del needed
            contained = np.empty(len(check), dtype=bool)
            for lo in range(0, len(check), _VERIFY_BLOCK):
                part = check[lo : lo + _VERIFY_BLOCK]
                size_a, size_b, common = _overlap(*shingle_sets, a[part], b[part], n_jobs)
                small, large = np.minimum(size_a, size_b), np.maximum(size_a, size_b)
                contained[lo : lo + _VERIFY_BLOCK] = ((common >= threshold * small)
                                                      & (small >= MIN_CONTAINED_SHARE * large)
                                                      & (small >= MIN_CONTAINED_SHINGLES))
            del shingle_sets
            if numbers is not None and contained.any():
                at = np.flatnonzero(contained)
                ok = _agree_numbers(numbers, check[at], a, b, reps, n_sh, shingle=shingle, threshold=threshold)
                contained[at[~ok]] = False
                n_refused += int(len(ok) - ok.sum())
            if contained.any():
                # the groups the new edges join: components of the graph of groups
                found = check[contained]
                edges.append((a[found], b[found], np.ones(len(found), dtype=np.int8)))
                comp = _components(int(comp.max()) + 1, comp[a[found]], comp[b[found]])[comp]
        del a, b, n_equal, todo
    sig = spill.result()
    clock("verify")
    ea, eb, ek = (np.concatenate(side) for side in zip(*edges))
    del edges

    # 6. groups: components over representatives, then every member of an exact class
    comp = _components(n_reps, ea, eb)
    doc_rows = nonempty
    doc_comp = comp[rep_index[doc_rows]]
    size = np.bincount(doc_comp, minlength=n_reps)
    in_group = size[doc_comp] >= 2
    doc_rows, doc_comp = doc_rows[in_group], doc_comp[in_group]
    has_near = np.zeros(n_reps, dtype=bool)  # the best kind of edge of each representative is "near"
    has_near[ea[ek == 2]] = True
    has_near[eb[ek == 2]] = True

    dates = corpus.dates.to_numpy()
    date_key = _groups.date_key(dates)
    ordered = np.lexsort((date_key[doc_rows], doc_comp))  # stable: rows in order within a date
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
        sim[differ] = _estimated_jaccard(sig, position[rm[differ]], position[rf[differ]], n_jobs)
        cont[differ] = _containment_from_jaccard(sim[differ], n_sh[rm[differ]], n_sh[rf[differ]])
    # how each member matches the group's earliest: the first test that holds, in this order
    kind = np.select(
        [doc_rows == first_row,   # the earliest itself
         ~differ,                 # same exact class as the earliest
         sim >= threshold,        # near copy of the earliest
         cont >= threshold,       # contained in the earliest, or holding it
         has_near[rm]],           # linked through others: the kind of its best match in the group
        [KINDS.index("first"), KINDS.index("exact"), KINDS.index("near"), KINDS.index("contained"),
         KINDS.index("near")],
        default=KINDS.index("contained"))

    ids = corpus.docs.index
    out = pd.DataFrame({
        "group": member_group,
        # a take keeps the index's own (string) array, several times faster than Python objects;
        # an object index goes through numpy so that its strings get the inferred string dtype
        "doc_id": ids.to_numpy()[doc_rows] if ids.dtype == object else ids.take(doc_rows),
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
        containment=containment, check_numbers=check_numbers,
        random_state=random_state if isinstance(random_state, (int, type(None))) else repr(random_state),
        n_docs=n, n_empty=int(n - len(nonempty)), n_short=int(((lengths > 0) & (lengths < shingle)).sum()),
        n_candidates=int(n_candidates), n_checked_exactly=int(n_checked),
        n_refused_numbers=n_refused, n_texts_scanned=0 if numbers is None else numbers.n_read,
        n_groups=int(len(starts)), n_duplicates=int(len(out) - len(starts)), seconds=clock.laps,
    )
    return out


def _trim_heap(arrow: bool = False, corpus=None) -> None:
    """Give back what the step before freed (see :mod:`corpus_tools._memory`): the heaps of the
    worker threads (hundreds of MB after a million documents), with ``arrow`` the pool of the
    texts read for their numbers, and with ``corpus`` the pages of its mapped arrays that the
    step read (the next step reads those it needs again, from the system's file cache)."""
    from .._memory import give_back_memory

    if corpus is not None:
        corpus.release_pages()
    give_back_memory(arrow=arrow)


def _split_codes(codes: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The two sides ``codes // n`` and ``codes % n`` of pair codes, as int32 when ``n`` < 2**31
    (half the memory of int64 on tens of millions of pairs), a block at a time."""
    n = max(n, 1)
    index = np.int32 if n < 2**31 else np.int64
    a, b = np.empty(len(codes), dtype=index), np.empty(len(codes), dtype=index)
    for lo in range(0, len(codes), _VERIFY_BLOCK):
        part = codes[lo : lo + _VERIFY_BLOCK]
        a[lo : lo + _VERIFY_BLOCK], b[lo : lo + _VERIFY_BLOCK] = np.divmod(part, n)
    return a, b


def _agree_numbers(numbers: _Numbers, pairs: np.ndarray, a: np.ndarray, b: np.ndarray, reps: np.ndarray,
                   n_shingles: np.ndarray, *, shingle: int, threshold: float) -> np.ndarray:
    """:meth:`_Numbers.agree` for the candidate pairs ``(a[i], b[i])``, i in ``pairs`` (of
    representatives ``reps``, with ``n_shingles`` shingles). The texts of all their documents
    are read first, in one pass in the order of the documents (a batch at a time, as
    :meth:`_Numbers.read` does), then the pairs are compared ``_VERIFY_BLOCK`` at a time."""
    need = np.zeros(len(numbers.done), dtype=bool)
    for lo in range(0, len(pairs), _VERIFY_BLOCK):
        part = pairs[lo : lo + _VERIFY_BLOCK]
        need[reps[a[part]]] = True
        need[reps[b[part]]] = True
    numbers.read(np.flatnonzero(need))
    del need
    ok = np.empty(len(pairs), dtype=bool)
    for lo in range(0, len(pairs), _VERIFY_BLOCK):
        part = pairs[lo : lo + _VERIFY_BLOCK]
        x, y = a[part], b[part]
        ok[lo : lo + _VERIFY_BLOCK] = numbers.agree(reps[x], reps[y], n_shingles[x], n_shingles[y],
                                                    shingle=shingle, threshold=threshold)
    return ok


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
