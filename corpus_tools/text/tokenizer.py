"""Unicode-aware word tokenisation that keeps news words whole.

One regular expression splits text into word tokens and sentence-boundary marks. Tokens are
returned as codes into a table of distinct surface strings, so that every later step
(lowercasing, stopwords, lemmas) runs once per distinct string, not once per token.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

# One pass of one expression; the alternatives are tried left to right.
TOKEN_PATTERN = r"""
    \w[\w'’-]*                     # words, keeping hyphens and apostrophes: anti-terror, J-20, Russia's
      (?:[.,]\d+)*                  #   numbers with separators: 10,000  3.5
      (?:\.(?:[^\W\d_]\.)+)?         #   abbreviations: U.S., e.g.
  | [.!?]+                          # sentence ends
  | \n\s*\n\s*                      # paragraph breaks also end a sentence (titles, captions)
"""
TOKEN_RE = re.compile(TOKEN_PATTERN, re.VERBOSE)

# A full stop after these words does not end a sentence ("Mr. Shoigu", "Jan. 5").
NON_FINAL_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen lt col capt sgt sen rep gov pres st jr sr inc corp co ltd no vs "
    "jan feb mar apr aug sep sept oct nov dec".split()
)


def tokenize_chunk(
    texts: Sequence[str], lowercase: bool = False, types: dict[str, int] | None = None
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Tokenise a chunk of texts into codes over distinct surface strings.

    Parameters
    ----------
    texts : sequence of str
    lowercase : bool
        Lowercase the texts first (fewer distinct strings to normalise later).
    types : dict, optional
        Surface string -> code, carried over from earlier chunks and updated in place, so that
        codes stay the same across chunks. A fresh table is used when omitted.

    Returns
    -------
    codes : int32 array, one entry per token (sentence marks included)
    new_types : list of str, the surface strings first seen in this chunk, in code order
    lengths : int64 array, tokens per text

    Examples
    --------
    >>> codes, types, lengths = tokenize_chunk(["Russia's J-20 flew. U.S. jets too"])
    >>> [types[c] for c in codes]
    ["Russia's", 'J-20', 'flew', '.', 'U.S.', 'jets', 'too']
    >>> lengths.tolist()
    [7]
    """
    findall = TOKEN_RE.findall
    per_text = [findall(t.lower()) for t in texts] if lowercase else [findall(t) for t in texts]
    lengths = np.fromiter(map(len, per_text), dtype=np.int64, count=len(per_text))
    flat = [tok for toks in per_text for tok in toks]
    del per_text
    if types is None:
        types = {}
    start = len(types)
    # dict.fromkeys and map(dict.__getitem__) run at C speed; a dict keeps first-seen order
    new_types = [t for t in dict.fromkeys(flat) if t not in types]
    types.update(zip(new_types, range(start, start + len(new_types))))
    codes = np.fromiter(map(types.__getitem__, flat), dtype=np.int32, count=len(flat))
    return codes, new_types, lengths


def is_sentence_mark(surface: str) -> bool:
    """True for the tokens that end a sentence (``.``, ``?!``, a paragraph break)."""
    return surface[0] in ".!?\n"
