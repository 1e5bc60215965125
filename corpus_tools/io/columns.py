"""Whole-column conversions of input columns to the string fields and sections of ``docs``.

Readers hand over pandas columns (CSV, JSON) or Arrow-backed ones (Parquet, JSON lines).
Each schema column is converted by Arrow compute kernels over the whole column, following the
per-cell rules of :mod:`corpus_tools.io.tables` exactly: bytes are decoded as UTF-8, lists
(nested to any depth) joined, integers written in digits, ``NaN`` and ``None`` missing.
Cells no kernel converts by those rules (floats that are not whole numbers, maps, bytes that
are not UTF-8, objects of mixed kinds ...) are found with whole-column tests, and only they
are converted one by one; a column whose kind has no kernel at all raises :class:`PerCell`
and the caller converts it cell by cell.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# What str.strip() removes (the characters for which str.isspace() is true).
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# A text that is empty or only whitespace, as RE2 (Arrow's regex engine) reads it.
_BLANK = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE) + "]*$"
STR = pd.StringDtype(na_value=np.nan)  # pandas' default "str" dtype
_NO_ROWS = np.zeros(0, dtype=np.int64)


class NotText(ValueError):
    """A schema column holds records (Parquet struct or map, JSON objects), not text."""


class PerCell(Exception):
    """The column holds cells that are converted one by one (no whole-column kernel)."""


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Garbage collection held off while a million small lists are made: every few hundred
    new lists would otherwise start a collection (three quarters of the time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def utf8(v: Any) -> Any:
    """Bytes (Parquet ``binary``) as UTF-8 text, invalid bytes as U+FFFD; other values as they are.

    Examples
    --------
    >>> utf8(b"caf\\xc3\\xa9"), utf8(3)
    ('café', 3)
    """
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v).decode("utf-8", "replace")
    return v


def is_string_type(t: pa.DataType) -> bool:
    """Arrow text: ``string``, ``large_string`` or ``string_view``."""
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def is_binary_type(t: pa.DataType) -> bool:
    """Arrow bytes of any length: ``binary``, ``large_binary`` or ``binary_view``."""
    return pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_binary_view(t)


def is_list_type(t: pa.DataType) -> bool:
    """Arrow lists (``list``, ``large_list``, ``fixed_size_list``), not maps."""
    return (pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)) and not pa.types.is_map(t)


def arrow_of(values: pd.Series) -> pa.ChunkedArray | None:
    """The column as an Arrow array without copying it when pandas holds it in Arrow
    (``str``, ``ArrowDtype``); object and numpy columns converted by Arrow, or ``None``
    when Arrow cannot hold their cells as one type (then they are read cell by cell).

    Examples
    --------
    >>> arrow_of(pd.Series(["a", None], dtype="str")).to_pylist()
    ['a', None]
    >>> arrow_of(pd.Series(["a", 1], dtype=object)) is None
    True
    """
    array = values.array
    held = getattr(array, "_pa_array", None)  # pandas' Arrow-backed arrays keep a ChunkedArray
    if isinstance(held, pa.ChunkedArray):
        return held
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        try:
            return pa.chunked_array([pa.array(values)])
        except (pa.ArrowException, TypeError, ValueError):
            return None
    if dtype == object or dtype.kind in "iufb":
        try:
            return pa.chunked_array([pa.array(values.to_numpy(), from_pandas=True)])
        except (pa.ArrowException, TypeError, ValueError, OverflowError, UnicodeError):
            return None
    return None


def str_series(values: pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """A ``str`` Series over Arrow strings, without copying the characters.

    Examples
    --------
    >>> str_series(pa.chunked_array([pa.array(["a", None])]), pd.RangeIndex(2)).tolist()
    ['a', nan]
    """
    return pd.Series(STR.__from_arrow__(values), index=index, copy=False)


def _chunked(chunks: list[pa.Array], type_: pa.DataType) -> pa.ChunkedArray:
    return pa.chunked_array(chunks, type=type_)


# -- string fields -------------------------------------------------------------------------

def string_field(values: pa.ChunkedArray, sep: str) -> tuple[pa.ChunkedArray, np.ndarray, bool]:
    """The cells as text for a string field of the schema.

    Returns the texts (``large_string``, null where missing), the rows whose bytes were not
    UTF-8 (decoded with U+FFFD) and whether any cell was a list (joined with ``sep``).
    Raises :class:`NotText` for records and :class:`PerCell` for a column to convert cell by
    cell.

    Examples
    --------
    >>> texts, bad, joined = string_field(pa.chunked_array([pa.array([["a", None, "b"], None, []])]), "\\n")
    >>> texts.to_pylist(), joined
    (['a\\nb', None, ''], True)
    """
    t = values.type
    if pa.types.is_dictionary(t):
        values, t = values.cast(t.value_type), t.value_type
    if is_string_type(t):
        return values.cast(pa.large_string()), _NO_ROWS, False
    if pa.types.is_null(t):
        return _chunked([pa.nulls(len(c), pa.large_string()) for c in values.chunks], pa.large_string()), _NO_ROWS, False
    if is_binary_type(t):
        texts, bad = decoded_utf8(values)
        return texts, bad, False
    if pa.types.is_integer(t):
        return values.cast(pa.large_string()), _NO_ROWS, False
    if pa.types.is_boolean(t):
        return _chunked([_bool_text(c) for c in values.chunks], pa.large_string()), _NO_ROWS, False
    if pa.types.is_floating(t):
        return _chunked([_float_text(c) for c in values.chunks], pa.large_string()), _NO_ROWS, False
    if pa.types.is_struct(t):
        if values.null_count < len(values):
            raise NotText("a record")
        return _chunked([pa.nulls(len(c), pa.large_string()) for c in values.chunks], pa.large_string()), _NO_ROWS, False
    if is_list_type(t):
        joined = _chunked([_joined(c, sep) for c in values.chunks], pa.large_string())
        return joined, _NO_ROWS, values.null_count < len(values)
    raise PerCell(str(t))


def _bool_text(chunk: pa.Array) -> pa.Array:
    return pc.if_else(chunk, pa.scalar("True", pa.large_string()), pa.scalar("False", pa.large_string()))


def _float_text(chunk: pa.Array) -> pa.Array:
    """``str(int(v))`` for whole numbers, ``str(v)`` for the others, NaN missing."""
    x = chunk.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)  # nulls are NaN
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(x) & (x == np.floor(x))
    small = whole & (np.abs(x) < 2.0**63)
    out = pa.array(np.where(small, x, 0).astype(np.int64), mask=~small).cast(pa.large_string())
    odd = ~np.isnan(x) & ~small
    if not odd.any():
        return out
    # Python floats, as the per-cell rule writes them (float32 cells widened as pandas does)
    shown = [str(int(v)) if w else str(v) for v, w in zip(x[odd].tolist(), whole[odd].tolist())]
    return pc.replace_with_mask(out, pa.array(odd), pa.array(shown, pa.large_string()))


def _invalid_utf8_rows(chunk: pa.Array) -> list[int]:
    """Rows of a binary array that are not UTF-8, by halving: the bad rows are few."""
    bad, todo = [], [(0, len(chunk))]
    while todo:
        lo, hi = todo.pop()
        try:
            chunk.slice(lo, hi - lo).cast(pa.large_string())
            continue
        except pa.ArrowInvalid:
            pass
        if hi - lo == 1:
            bad.append(lo)
            continue
        mid = (lo + hi) // 2
        todo += [(mid, hi), (lo, mid)]
    return sorted(bad)


def decoded_utf8(values: pa.ChunkedArray) -> tuple[pa.ChunkedArray, np.ndarray]:
    """Binary cells as UTF-8 text, and the rows that were not UTF-8 (decoded with U+FFFD).

    Examples
    --------
    >>> texts, bad = decoded_utf8(pa.chunked_array([pa.array([b"caf\\xc3\\xa9", b"\\xff", None])]))
    >>> texts.to_pylist(), bad.tolist()
    (['café', '\\ufffd', None], [1])
    """
    chunks, bad, start = [], [], 0
    for chunk in values.chunks:
        try:
            chunks.append(chunk.cast(pa.large_string()))
        except pa.ArrowInvalid:
            rows = _invalid_utf8_rows(chunk)
            fixed = [chunk[i].as_py().decode("utf-8", "replace") for i in rows]
            mask = np.zeros(len(chunk), dtype=bool)
            mask[rows] = True
            # the valid rows keep their bytes, the bad ones are replaced
            unchecked = chunk.cast(pa.large_binary()).view(pa.large_string())
            chunks.append(pc.replace_with_mask(unchecked, pa.array(mask), pa.array(fixed, pa.large_string())))
            bad.extend(start + r for r in rows)
        start += len(chunk)
    return _chunked(chunks, pa.large_string()), np.asarray(bad, dtype=np.int64)


def _leaves(chunk: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The non-list values of nested lists in order, with the row each belongs to."""
    rows = np.arange(len(chunk))
    values = chunk
    while is_list_type(values.type):
        parents = pc.list_parent_indices(values).to_numpy(zero_copy_only=False)
        values = pc.list_flatten(values)
        rows = rows[parents]
    if pa.types.is_map(values.type):
        raise PerCell("map")
    return values, rows


def _leaf_text(leaves: pa.Array) -> pa.Array:
    t = leaves.type
    if pa.types.is_dictionary(t):
        leaves, t = leaves.cast(t.value_type), t.value_type
    if is_string_type(t) or pa.types.is_integer(t):
        return leaves.cast(pa.large_string())
    if pa.types.is_null(t):
        return pa.nulls(len(leaves), pa.large_string())
    if is_binary_type(t):
        try:
            return leaves.cast(pa.large_string())
        except pa.ArrowInvalid:
            raise PerCell("bytes that are not UTF-8 in lists") from None
    if pa.types.is_boolean(t):
        return _bool_text(leaves)
    if pa.types.is_struct(t):
        if leaves.null_count < len(leaves):
            raise NotText("a record")
        return pa.nulls(len(leaves), pa.large_string())
    raise PerCell(str(t))


def _joined(chunk: pa.Array, sep: str) -> pa.Array:
    """Each row's leaves joined with ``sep``, missing leaves left out; a missing row stays
    missing, an empty list is ``""``."""
    leaves, rows = _leaves(chunk)
    texts = _leaf_text(leaves)
    keep = texts.is_valid().to_numpy(zero_copy_only=False)
    texts, rows = texts.filter(pa.array(keep)), rows[keep]
    offsets = np.zeros(len(chunk) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(chunk)), out=offsets[1:])
    joined = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), texts), pa.scalar(sep, pa.large_string()))
    if chunk.null_count:
        joined = pc.if_else(chunk.is_null(), pa.scalar(None, pa.large_string()), joined)
    return joined


# -- sections ------------------------------------------------------------------------------

def section_lists(values: pa.ChunkedArray) -> list[list[str]]:
    """Each cell as a list of section names, as :func:`corpus_tools.io.tables.as_sections`
    makes it: a string stripped (``[]`` when blank), the non-blank strings of a list, ``[]``
    for a missing cell. Raises :class:`PerCell` for other kinds of cells.

    Examples
    --------
    >>> section_lists(pa.chunked_array([pa.array([" world ", "", None])]))
    [['world'], [], []]
    """
    t = values.type
    if pa.types.is_dictionary(t):
        values, t = values.cast(t.value_type), t.value_type
    with no_gc_pauses():
        return _section_lists(values, t)


def _section_lists(values: pa.ChunkedArray, t: pa.DataType) -> list[list[str]]:
    out: list[list[str]] = []
    if is_string_type(t) or is_binary_type(t) or pa.types.is_null(t):
        names = _names(values).chunks
        for chunk in names:
            stripped = pc.utf8_trim(chunk, characters=PY_WHITESPACE)
            stripped = pc.if_else(pc.equal(stripped, ""), pa.scalar(None, pa.large_string()), stripped)
            encoded = stripped.dictionary_encode()
            unique = encoded.dictionary.to_pylist()
            codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).tolist()
            out.extend([unique[c]] if c >= 0 else [] for c in codes)
        return out
    if not (pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)) or pa.types.is_map(t):
        raise PerCell(str(t))
    for chunk in values.chunks:
        parents = pc.list_parent_indices(chunk).to_numpy(zero_copy_only=False)
        leaves = pc.list_flatten(chunk)
        if not (is_string_type(leaves.type) or is_binary_type(leaves.type) or pa.types.is_null(leaves.type)
                or pa.types.is_dictionary(leaves.type)):
            raise PerCell(str(leaves.type))
        names = _names(pa.chunked_array([leaves])).combine_chunks()
        blank = pc.equal(pc.utf8_trim(names, characters=PY_WHITESPACE), "")
        keep = pc.and_kleene(names.is_valid(), pc.invert(blank)).fill_null(False).to_numpy(zero_copy_only=False)
        names, parents = names.filter(pa.array(keep)), parents[keep]
        encoded = names.dictionary_encode()
        unique = encoded.dictionary.to_pylist()
        flat = [unique[c] for c in encoded.indices.to_numpy(zero_copy_only=False).tolist()]
        bounds = np.zeros(len(chunk) + 1, dtype=np.int64)
        np.cumsum(np.bincount(parents, minlength=len(chunk)), out=bounds[1:])
        b = bounds.tolist()
        out.extend(flat[b[i]:b[i + 1]] for i in range(len(chunk)))
    return out


def _names(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Strings, bytes or nulls as text; bytes that are not UTF-8 decoded with U+FFFD."""
    t = values.type
    if pa.types.is_dictionary(t):
        values, t = values.cast(t.value_type), t.value_type
    if is_binary_type(t):
        return decoded_utf8(values)[0]
    if pa.types.is_null(t):
        return _chunked([pa.nulls(len(c), pa.large_string()) for c in values.chunks], pa.large_string())
    return values.cast(pa.large_string())


# -- texts ---------------------------------------------------------------------------------

def blank(values: pa.ChunkedArray) -> np.ndarray:
    """Whether each text is empty or only whitespace (``str.strip() == ""``); missing is blank.

    Examples
    --------
    >>> blank(pa.chunked_array([pa.array(["", " \\u3000\\n", "a ", None])])).tolist()
    [True, True, False, True]
    """
    hit = pc.match_substring_regex(values, _BLANK).fill_null(True)
    return hit.to_numpy() if isinstance(hit, pa.Array) else np.concatenate(
        [c.to_numpy(zero_copy_only=False) for c in hit.chunks] or [np.zeros(0, dtype=bool)]
    )
