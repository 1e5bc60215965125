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
from .stopwords import resolve_stopwords
from .tokenizer import NON_FINAL_ABBREVIATIONS

DROP = -1      # a token that is not kept (stopword, number, too short)
BOUNDARY = -2  # a sentence boundary mark

_NUMBER_RE = re.compile(r"\d[\d.,]*")
_DIGIT_RE = re.compile(r"\d")
LEMMATIZERS = (False, True, "simplemma", "wordnet")
STEMMERS = (False, "snowball", "porter")


def _make_lemmatizer(lemmatize) -> Callable[[str], str] | None:
    check_option("lemmatize", lemmatize, LEMMATIZERS)
    if lemmatize in (True, "simplemma"):
        import simplemma

        return lambda word: simplemma.lemmatize(word, lang="en")
    if lemmatize == "wordnet":
        from nltk.stem import WordNetLemmatizer

        lemmatizer = WordNetLemmatizer()
        try:
            lemmatizer.lemmatize("tests")
        except LookupError:
            raise LookupError(
                "lemmatize='wordnet' needs NLTK's WordNet data, which is not installed; "
                "use lemmatize=True (simplemma, offline) instead."
            ) from None
        return lemmatizer.lemmatize
    return None


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
        self._lemma = _make_lemmatizer(self.lemmatize)
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
        lower = word.str.lower()
        stop = list(self._stop)
        number = word.str.fullmatch(_NUMBER_RE.pattern).to_numpy(dtype=bool)
        alive = ~mark & ~lower.isin(stop).to_numpy(dtype=bool)
        if not self.numbers:
            alive &= ~number
        cased = word
        if self.lowercase:
            word = word.where(number, lower)
        candidates = word[alive & ~number]
        if self._lemma is not None or self._stem is not None:
            mapped = candidates.tolist()
            if self._lemma is not None:
                source = cased[candidates.index].tolist() if self.lemma_reads_case else mapped
                # "Russia's" and "Russia" ask for the same lemma: look each word up once. Words
                # with digits keep their form: a lemmatiser turns scores "2-1" into "21" and
                # "1960s" into "nineteen-sixties", and "J-20" has no lemma to find
                has_digit = _DIGIT_RE.search
                lemmas = {w: w if has_digit(w) else self._lemma(w) for w in dict.fromkeys(source)}
                mapped = [lemmas[w] for w in source]
                if self.lowercase:
                    mapped = [w.lower() for w in mapped]
            if self._stem is not None:
                mapped = [self._stem(w) for w in mapped]
            word = word.copy()
            word[candidates.index] = pd.Series(mapped, index=candidates.index, dtype="str")
            alive[candidates.index.to_numpy()] &= ~word[candidates.index].str.lower().isin(stop).to_numpy(dtype=bool)
        alive &= (word.str.len() >= self.min_length).to_numpy(dtype=bool)
        kept = word[alive]
        for pos, t in zip(np.flatnonzero(alive), kept.tolist()):
            i = term_ids.get(t)
            if i is None:
                i = term_ids[t] = len(terms)
                terms.append(t)
            out[pos] = i
        return out


def is_non_final_abbreviation(surface: str) -> bool:
    """True for words after which a full stop does not end the sentence (``Mr``, ``Jan``)."""
    return surface.lower() in NON_FINAL_ABBREVIATIONS
