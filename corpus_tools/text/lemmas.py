"""Offline lemmatisers that map a batch of distinct words to their lemmas.

A corpus asks for the lemma of each distinct word once, so a lemmatiser here takes the list of
words and returns the list of lemmas in the same order.
"""
from __future__ import annotations

from collections.abc import Callable

from ..errors import check_option

LEMMATIZERS = (False, True, "simplemma", "wordnet")

Lemmatizer = Callable[[list[str]], list[str]]


def make_lemmatizer(lemmatize) -> Lemmatizer | None:
    """The batch lemmatiser for a ``lemmatize=`` option, or None for ``False``.

    Examples
    --------
    >>> make_lemmatizer(True)(["troops", "concluded", "Laden"])
    ['troop', 'conclude', 'Laden']
    """
    check_option("lemmatize", lemmatize, LEMMATIZERS)
    if lemmatize in (True, "simplemma"):
        return SimplemmaEnglish()
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
        return lambda words: [lemmatizer.lemmatize(w) for w in words]
    return None


class SimplemmaEnglish:
    """simplemma's English lemmas, the same as ``simplemma.lemmatize(word, lang="en")`` word by word.

    simplemma's search for an English word starts with its dictionary: the word as written,
    then with the case of its first letter flipped. For plain ASCII words without apostrophes or
    digits (most of a news vocabulary) that step reads the dictionary directly, and the words it
    does not hold go straight to simplemma's search strategy and fallback, the two parts
    ``simplemma.lemmatize`` calls, without its per-call checks and cache (each word comes once).
    Other words go through ``simplemma.lemmatize``. The shortcut is used only with simplemma 2,
    whose search order it follows, and only if a check word agrees.

    Examples
    --------
    >>> SimplemmaEnglish()(["drills", "Troops", "shoigu", "U.S."])
    ['drill', 'troop', 'shoigu', 'U.S.']
    """

    def __init__(self):
        import simplemma

        self._lemmatize = simplemma.lemmatize
        self._table = _english_table(simplemma)
        if self._table is not None:
            from simplemma.strategies import DefaultStrategy, ToLowercaseFallbackStrategy

            # the strategy and fallback simplemma.lemmatize uses; the dictionary is shared
            self._search = DefaultStrategy(greedy=False).get_lemma
            self._fallback = ToLowercaseFallbackStrategy().get_lemma

    def __call__(self, words: list[str]) -> list[str]:
        table = self._table
        if table is None:
            return [self._lemmatize(w, lang="en") for w in words]
        search, fallback, lemmatize = self._search, self._fallback, self._lemmatize
        out = []
        for w in words:
            if not (w.isascii() and w and "'" not in w and not w.isdigit()):
                out.append(lemmatize(w, lang="en"))
                continue
            lemma = table.get(w.encode())
            if lemma is None:
                lemma = table.get((w.lower() if w[0].isupper() else w.capitalize()).encode())
            if lemma:  # an empty entry would make simplemma search on: leave that to it
                out.append(lemma.decode())
            else:
                lemma = search(w, "en")
                out.append(lemma if lemma is not None else fallback(w, "en"))
        return out


def _english_table(simplemma) -> dict[bytes, bytes] | None:
    """simplemma's English dictionary as the bytes-to-bytes dict it keeps, or None if it keeps another."""
    if not simplemma.__version__.startswith("2."):
        return None
    try:
        from simplemma.strategies import DEFAULT_DICTIONARY_FACTORY

        table = getattr(DEFAULT_DICTIONARY_FACTORY.get_dictionary("en"), "_dict", None)
    except (ImportError, AttributeError, ValueError):
        return None
    if not isinstance(table, dict) or table.get(b"troops") != simplemma.lemmatize("troops", lang="en").encode():
        return None
    return table
