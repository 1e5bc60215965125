"""The batch lemmatiser gives exactly simplemma's lemmas, word by word."""
import pytest
import simplemma
from hypothesis import given, settings
from hypothesis import strategies as st

import corpus_tools as ct
from corpus_tools.text import lemmas
from corpus_tools.text.lemmas import SimplemmaEnglish, make_lemmatizer
from corpus_tools.text.tokenizer import TOKEN_RE


def _english_keys() -> list[str]:
    """Every 97th word of simplemma's English dictionary; a few common words where it is not readable."""
    table = lemmas._english_table(simplemma)
    if table is None:  # another simplemma: the lemmatiser calls simplemma.lemmatize for every word
        return ["troops", "drills", "concluded", "Russia", "went", "better", "children", "United"]
    return [k.decode() for k in list(table)[::97]]


KEYS = _english_keys()
# dictionary words as written and in other cases, so both lookups and the misses are reached
dictionary_words = st.sampled_from(KEYS).flatmap(
    lambda w: st.sampled_from([w, w.lower(), w.upper(), w.capitalize(), w + "s", w + "ed", "re-" + w, w + "'s"]))
other_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-'’.é0123456789", min_size=1, max_size=14)


@settings(max_examples=300, deadline=None)
@given(st.lists(dictionary_words | other_words, max_size=30))
def test_same_lemmas_as_simplemma(words):
    assert SimplemmaEnglish()(words) == [simplemma.lemmatize(w, lang="en") for w in words]


def test_the_shortcut_is_on_with_simplemma_2():
    if not simplemma.__version__.startswith("2."):
        pytest.skip(f"simplemma {simplemma.__version__}: every word goes through simplemma.lemmatize")
    assert SimplemmaEnglish()._table is not None


def test_hand_checked_lemmas():
    assert make_lemmatizer(True)(["drills", "troops", "concluded", "Troops", "Laden", "shoigu", "J-20", "Russia's"]) == [
        "drill", "troop", "conclude", "troop", "Laden", "shoigu", "J-20", "Russia"]


def test_without_the_shortcut_every_word_goes_through_simplemma(monkeypatch):
    monkeypatch.setattr(simplemma, "__version__", "3.0.0")
    lemmatizer = SimplemmaEnglish()
    assert lemmatizer._table is None
    assert lemmatizer(["drills", "Troops", "Laden", "u.s."]) == ["drill", "troop", "Laden", "u.s."]


def test_empty_word_is_refused_like_simplemma():
    with pytest.raises(ValueError, match="empty string"):
        SimplemmaEnglish()(["troops", ""])


def test_unknown_option_names_the_allowed_values():
    with pytest.raises(ValueError, match="lemmatize.*'simplemma'.*'wordnet'"):
        make_lemmatizer("spacy")


@pytest.mark.corpora
def test_same_lemmas_on_the_real_vocabularies(corpora):
    docs = ct.load(corpora / "abcnews_headlines_2003", errors="skip")
    reuters = ct.load(corpora / "reuters21578", errors="skip")
    words = sorted({w for text in (*docs["text"], *reuters["text"]) for w in TOKEN_RE.findall(text)})
    assert len(words) > 90_000
    got = SimplemmaEnglish()(words)
    assert [w for w, g in zip(words, got) if g != simplemma.lemmatize(w, lang="en")] == []
