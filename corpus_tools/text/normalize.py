"""Turn surface strings into terms: lowercase, possessives, stopwords, numbers, lemmas, stems.

Every function here runs once per *distinct* surface string of a corpus (its types), never
once per token, so the cost grows with the vocabulary and not with the corpus.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import check_option, check_positive_int
from .lemmas import make_lemmatizer
from .stopwords import resolve_stopwords
from .tokenizer import NON_FINAL_ABBREVIATIONS, lower_text

DROP = -1      # a token that is not kept (stopword, number, too short)
BOUNDARY = -2  # a sentence boundary mark

_NUMBER_RE = re.compile(r"\d[\d.,]*")
_DIGIT_RE = re.compile(r"\d")
STEMMERS = (False, "snowball", "porter")


def _make_stemmer(stem) -> Callable[[str], str] | None:
    check_option("stem", stem, STEMMERS)
    if stem == "snowball":
        from nltk.stem.snowball import SnowballStemmer

        return SnowballStemmer("english").stem
    if stem == "porter":
        from nltk.stem.porter import PorterStemmer

        return PorterStemmer().stem
    return None


@dataclass
class Normalizer:
    """Maps a surface string to its term, or to :data:`DROP` / :data:`BOUNDARY`.

    Examples
    --------
    >>> n = Normalizer(lemmatize=True)
    >>> [n.term(w) for w in ["Russia's", "troops", "the", "10,000", "J-20", "."]]
    ['russia', 'troop', None, None, 'j-20', None]
    """

    lowercase: bool = True
    stopwords: object = "english"
    extra_stopwords: Iterable[str] | None = None
    min_length: int = 2
    numbers: bool = False
    lemmatize: object = False
    stem: object = False
    _stop: frozenset = field(init=False, repr=False)

    def __post_init__(self):
        check_positive_int("min_length", self.min_length)
        self._stop = resolve_stopwords(self.stopwords, self.extra_stopwords)
        self._lemma = make_lemmatizer(self.lemmatize)
        # simplemma reads case: capitalised names stay whole ("Laden", "United") while
        # "Troops" at the start of a sentence still becomes "troop"; WordNet wants lowercase
        self.lemma_reads_case = self.lemmatize in (True, "simplemma")
        self._stem = _make_stemmer(self.stem)

    @property
    def lowercase_text(self) -> bool:
        """Lowercase whole texts before tokenising (fewer distinct strings), unless lemmas need case."""
        return self.lowercase and not self.lemma_reads_case

    def term(self, surface: str) -> str | None:
        """The term a surface word becomes, or None when it is not kept (see :meth:`classify`)."""
        terms: list[str] = []
        kind = self.classify([surface], {}, terms)[0]
        return terms[kind] if kind >= 0 else None

    def _map_words(self, source: pd.Series) -> np.ndarray:
        """Lemma and/or stem of each word, as asked; each distinct word is looked up once."""
        words = source.tolist()
        if self._lemma is not None:
            # "Russia's" and "Russia" ask for the same lemma. Words with digits keep their
            # form: a lemmatiser turns scores "2-1" into "21" and "1960s" into
            # "nineteen-sixties", and "J-20" has no lemma to find
            has_digit = _DIGIT_RE.search
            distinct = [w for w in dict.fromkeys(words) if w.isalpha() or not has_digit(w)]
            lemmas = dict(zip(distinct, self._lemma(distinct)))
            words = [lemmas.get(w, w) for w in words]
            if self.lowercase:
                words = [lower_text(w) for w in words]
        if self._stem is not None:
            words = [self._stem(w) for w in words]
        return np.array(words, dtype=object)

    def classify(self, surfaces: list[str], term_ids: dict[str, int], terms: list[str]) -> np.ndarray:
        """Provisional term id per surface string; new terms are appended to ``terms``.

        Apostrophes are unified and a possessive ``'s`` dropped; stopwords (checked lowercase,
        before and after lemmas), numbers (unless ``numbers``) and terms shorter than
        ``min_length`` are dropped; the rest is lowercased, lemmatised (words with digits, such
        as ``J-20`` or ``2-1``, keep their form) and stemmed as asked. Runs
        with pandas string methods over many strings at once. Returns :data:`DROP` for words that are not kept and :data:`BOUNDARY` for sentence marks.
        """
        s = pd.Series(surfaces, dtype="str")
        out = np.full(len(s), DROP, dtype=np.int32)
        mark = s.str.match(r"[.!?\n]").to_numpy(dtype=bool)
        out[mark] = BOUNDARY
        word = s.str.replace("’", "'", regex=False).str.rstrip("'-")
        possessive = word.str.endswith("'s") & (word.str.len() > 3)
        word = word.where(~possessive, word.str.slice(0, -2))
        lower = word.str.replace("\u0130", "I", regex=False).str.lower()  # as lower_text
        stop = list(self._stop)
        number = word.str.fullmatch(_NUMBER_RE.pattern).to_numpy(dtype=bool)
        alive = ~mark & ~lower.isin(stop).to_numpy(dtype=bool)
        if not self.numbers:
            alive &= ~number
        cased = word
        if self.lowercase:
            word = word.where(number, lower)
        length = word.str.len().to_numpy(dtype=np.int64, copy=True)
        if self._lemma is None and self._stem is None:
            kept = word[alive & (length >= self.min_length)].tolist()
        else:
            forms = np.array(word.tolist(), dtype=object)
            pos = np.flatnonzero(alive & ~number)
            new = self._map_words(cased.iloc[pos] if self.lemma_reads_case else word.iloc[pos])
            # only the words a lemma or stem changed need their stopword and length checks again
            changed = pos[forms[pos] != new]
            forms[pos] = new
            alive[changed] &= np.array([lower_text(w) not in self._stop for w in forms[changed]], dtype=bool)
            length[changed] = [len(w) for w in forms[changed]]
            kept = forms[alive & (length >= self.min_length)].tolist()
        alive &= length >= self.min_length
        for pos, t in zip(np.flatnonzero(alive), kept):
            i = term_ids.get(t)
            if i is None:
                i = term_ids[t] = len(terms)
                terms.append(t)
            out[pos] = i
        return out


def is_non_final_abbreviation(surface: str) -> bool:
    """True for words after which a full stop does not end the sentence (``Mr``, ``Jan``)."""
    return surface.lower() in NON_FINAL_ABBREVIATIONS
