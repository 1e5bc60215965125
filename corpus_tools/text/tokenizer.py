"""Unicode-aware word tokenisation that keeps news words whole.

One regular expression splits text into word tokens and sentence-boundary marks. Tokens are
returned as codes into a table of distinct surface strings, so that every later step
(lowercasing, stopwords, lemmas) runs once per distinct string, not once per token. A compiled
extension scans the texts and numbers the tokens without making a str per token; where it was
not built, :class:`PyEncoder` does the same with the regular expression.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

try:  # the compiled tokeniser (_ctokenize.c); the same tokens, several times faster
    from ._ctokenize import Encoder as _CEncoder
except ImportError:  # built without a C compiler
    _CEncoder = None

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


class PyEncoder:
    """Numbers the distinct surface strings of tokenised texts, in pure Python.

    The twin of the compiled ``Encoder`` (``_ctokenize.c``): the same tokens and the same codes,
    about eight times slower. Used where the extension could not be built.
    """

    def __init__(self):
        self._types: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._types)

    def encode(self, texts: Sequence[str]) -> tuple[np.ndarray, list[str], np.ndarray]:
        """Codes of every token, the strings first seen in this call, and tokens per text."""
        findall = TOKEN_RE.findall
        per_text = [findall(t) for t in texts]
        lengths = np.fromiter(map(len, per_text), dtype=np.int64, count=len(per_text))
        flat = [tok for toks in per_text for tok in toks]
        del per_text
        types = self._types
        start = len(types)
        # dict.fromkeys and map(dict.__getitem__) run at C speed; a dict keeps first-seen order
        new_types = [t for t in dict.fromkeys(flat) if t not in types]
        types.update(zip(new_types, range(start, start + len(new_types))))
        codes = np.fromiter(map(types.__getitem__, flat), dtype=np.int32, count=len(flat))
        return codes, new_types, lengths


def new_encoder(compiled: bool | None = None):
    """A fresh surface-string encoder: the compiled one when it was built, else :class:`PyEncoder`.

    ``compiled=True`` insists on the compiled one (ImportError when it is missing);
    ``compiled=False`` always gives the Python one.
    """
    if compiled is False:
        return PyEncoder()
    if _CEncoder is None:
        if compiled:
            raise ImportError("the compiled tokeniser (corpus_tools.text._ctokenize) was not built; "
                              "reinstall corpus_tools where a C compiler is available.")
        return PyEncoder()
    return _CEncoder()


def tokenize_chunk(
    texts: Sequence[str], lowercase: bool = False, encoder=None
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Tokenise a chunk of texts into codes over distinct surface strings.

    Parameters
    ----------
    texts : sequence of str
    lowercase : bool
        Lowercase the texts first (fewer distinct strings to normalise later).
    encoder : optional
        From :func:`new_encoder`, carried over from earlier chunks so that codes stay the same
        across chunks. A fresh one is used when omitted.

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
    if lowercase:
        texts = [lower_text(t) for t in texts]
    if encoder is None:
        encoder = new_encoder()
    codes, new_types, lengths = encoder.encode(texts)
    if not isinstance(codes, np.ndarray):  # the compiled encoder hands back raw buffers
        codes = np.frombuffer(codes, dtype=np.int32)
        lengths = np.frombuffer(lengths, dtype=np.int64)
    return codes, new_types, lengths


def lower_text(text: str) -> str:
    """``text`` lowercased, one character for one: "İ" (U+0130) becomes "i".

    ``"İ".lower()`` is "i" plus a combining dot, the one character whose lowercase is two; the
    dot is no word character, so "İstanbul" would be cut into "i" and "stanbul".

    >>> lower_text("İstanbul and ÉVORA")
    'istanbul and évora'
    """
    if "\u0130" in text:
        text = text.replace("\u0130", "I")
    return text.lower()


def is_sentence_mark(surface: str) -> bool:
    """True for the tokens that end a sentence (``.``, ``?!``, a paragraph break)."""
    return surface[0] in ".!?\n"
