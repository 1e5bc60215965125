"""The compiled tokeniser gives exactly the tokens and codes of the regular expression."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import corpus_tools as ct
from corpus_tools.corpus import Corpus
from corpus_tools.text import tokenizer
from corpus_tools.text.tokenizer import PyEncoder, TOKEN_RE, new_encoder, tokenize_chunk

compiled = pytest.mark.skipif(tokenizer._CEncoder is None, reason="the C tokeniser was not built here")

# characters that steer the expression's every branch: word characters of several scripts,
# decimal digits of two scripts, digits and numerals that are \w but not \d (², Ⅷ), the
# underscore, separators, apostrophes, sentence ends, newlines and other whitespace
ALPHABET = "aZé_ßЖ中3٣²Ⅷ.,'’-!?\n\r\t \u00a0\u2028x"
texts = st.lists(st.text(alphabet=ALPHABET, max_size=40) | st.text(max_size=20), max_size=6)


def _tokens(encoder, chunks):
    out = []
    names: list[str] = []
    for chunk in chunks:
        codes, new, lengths = tokenize_chunk(chunk, encoder=encoder)
        names.extend(new)
        assert int(lengths.sum()) == len(codes)
        out.append((codes.tolist(), lengths.tolist()))
    return out, names


@compiled
@settings(max_examples=300, deadline=None)
@given(st.lists(texts, min_size=1, max_size=3))
def test_compiled_encoder_equals_regex(chunks):
    c_out, c_names = _tokens(new_encoder(compiled=True), chunks)
    py_out, py_names = _tokens(new_encoder(compiled=False), chunks)
    assert c_out == py_out
    assert c_names == py_names
    # and both are the expression's own tokens, in order
    flat = [c_names[c] for codes, _ in c_out for c in codes]
    assert flat == [tok for chunk in chunks for text in chunk for tok in TOKEN_RE.findall(text)]


@pytest.mark.parametrize("compiled_", [pytest.param(True, marks=compiled), False])
def test_encoder_keeps_codes_across_calls(compiled_):
    enc = new_encoder(compiled=compiled_)
    codes1, new1, lengths1 = tokenize_chunk(["Gen. Shoigu met U.S. officials.", ""], encoder=enc)
    assert new1 == ["Gen", ".", "Shoigu", "met", "U.S.", "officials"]
    assert codes1.tolist() == [0, 1, 2, 3, 4, 5, 1]
    assert lengths1.tolist() == [7, 0]
    codes2, new2, lengths2 = tokenize_chunk(["officials met 10,000 troops!!\n\n\nNew"], encoder=enc)
    assert new2 == ["10,000", "troops", "!!", "\n\n\n", "New"]
    assert codes2.tolist() == [5, 3, 6, 7, 8, 9, 10]
    assert lengths2.tolist() == [7]
    assert len(enc) == 11
    assert codes2.dtype == np.int32 and lengths2.dtype == np.int64


@pytest.mark.parametrize("compiled_", [pytest.param(True, marks=compiled), False])
def test_lowercase_before_tokenising(compiled_):
    codes, new, _ = tokenize_chunk(["Iraq IRAQ iraq"], lowercase=True, encoder=new_encoder(compiled=compiled_))
    assert new == ["iraq"] and codes.tolist() == [0, 0, 0]


@compiled
def test_compiled_encoder_names_a_text_that_is_not_str():
    encoder = new_encoder(compiled=True)
    with pytest.raises(TypeError, match=r"texts\[1\] is float, not str"):
        encoder.encode(["fine words", 1.5])
    # nothing of the refused call stays in the table: the next call numbers from 0
    assert len(encoder) == 0
    assert tokenize_chunk(["words fine"], encoder=encoder)[1] == ["words", "fine"]


def test_python_encoder_when_asked():
    assert isinstance(new_encoder(compiled=False), PyEncoder)


def test_missing_extension_is_explained(monkeypatch):
    monkeypatch.setattr(tokenizer, "_CEncoder", None)
    assert isinstance(new_encoder(), PyEncoder)
    with pytest.raises(ImportError, match="C compiler"):
        new_encoder(compiled=True)


@pytest.mark.parametrize("compiled_", [pytest.param(True, marks=compiled), False])
def test_lone_surrogates_are_non_word_characters(compiled_):
    # text decoded with errors="surrogateescape", or a broken JSON escape, holds lone surrogates
    texts = ["abc \ud800 def", "abc\udfffdef", "\udc80x", "x\ud83d\ude00y.", "\ud800"]
    codes, new, lengths = tokenize_chunk(texts, lowercase=True, encoder=new_encoder(compiled=compiled_))
    assert [new[c] for c in codes] == ["abc", "def", "abc", "def", "x", "x", "y", "."]
    assert lengths.tolist() == [2, 2, 1, 3, 0]
    assert [tok for t in texts for tok in TOKEN_RE.findall(t.lower())] == [new[c] for c in codes]


@pytest.mark.parametrize("lemmatize", [False, True])
def test_dotted_capital_i_lowercases_to_one_word(lemmatize):
    # "İ".lower() is "i" + a combining dot, which is no word character: "İstanbul" stays whole
    docs = pd.DataFrame({"text": ["İstanbul and İZMİR are cities. Istanbul again."]}, index=["a"])
    corpus = Corpus.from_docs(docs, lemmatize=lemmatize, cache=False, progress=False)
    assert list(corpus.vocab) == ["cities" if not lemmatize else "city", "istanbul", "izmir"]
    assert corpus.dtm.toarray().tolist() == [[1, 2, 1]]
    rows = ct.kwic(corpus, "istanbul", window=2)
    assert rows["match"].tolist() == ["İstanbul", "Istanbul"]
