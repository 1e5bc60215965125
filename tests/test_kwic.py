"""kwic: matches on original surface words, phrases, globs, regular expressions, sorting, errors and shards."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import corpus_tools as ct
from corpus_tools import _storage
from corpus_tools.analyses import kwic as kwic_module

DOCS = pd.DataFrame(
    {"text": ["Russian troops crossed the border. Troops returned home on Monday.",
              "The defense minister praised the troops.",
              "Mr. Defense minister spoke;\n\nthe military listened. Militants fled.",
              "Defense. Minister resigned after the vote.",
              "No match here."],
     "date": pd.to_datetime(["2021-01-03", "2021-01-20", None, "2021-03-10", "2021-03-11"]),
     "title": ["One", "Two", "Three", "Four", "Five"],
     "source": ["A", "B", "A", "B", "A"]},
    index=pd.Index(["d1", "d2", "d3", "d4", "d5"], name="doc_id"),
)


@pytest.fixture(scope="module")
def corpus():
    return ct.Corpus.from_docs(DOCS, cache=False, progress=False)


def test_term_on_surface_words_with_stopwords_in_context(corpus):
    out = ct.kwic(corpus, "troops", window=3)
    assert list(out.columns) == ["doc_id", "date", "title", "left", "match", "right"]
    assert out.to_dict("list") == {
        "doc_id": ["d1", "d1", "d2"],
        "date": [pd.Timestamp("2021-01-03"), pd.Timestamp("2021-01-03"), pd.Timestamp("2021-01-20")],
        "title": ["One", "One", "Two"],
        "left": ["Russian", "crossed the border.", "minister praised the"],
        "match": ["troops", "Troops", "troops"],
        "right": ["crossed the border", "returned home on", ""],
    }


def test_phrase_within_sentences_and_by_column(corpus):
    out = ct.kwic(corpus, "Defense Minister", window=2, by="source")
    assert list(out.columns) == ["doc_id", "date", "title", "source", "left", "match", "right"]
    # d4 has a sentence end between the words; "Mr." does not end a sentence in d3
    assert out[["doc_id", "source", "left", "match", "right"]].values.tolist() == [
        ["d2", "B", "The", "defense minister", "praised the"],
        ["d3", "A", "Mr.", "Defense minister", "spoke; the"],
    ]
    assert pd.isna(out["date"].iloc[1])


def test_glob(corpus):
    out = ct.kwic(corpus, "milit*", window=1)
    assert out[["doc_id", "left", "match", "right"]].values.tolist() == [
        ["d3", "the", "military", "listened"], ["d3", "listened.", "Militants", "fled"]]


def test_lemmatised_corpus_finds_inflected_forms():
    corpus = ct.Corpus.from_docs(DOCS, lemmatize=True, cache=False, progress=False)
    out = ct.kwic(corpus, "troop", window=1)
    assert out["match"].tolist() == ["troops", "Troops", "troops"]


def test_regex_on_text_widened_to_words(corpus):
    out = ct.kwic(corpus, r"defen[cs]e\s+minist", regex=True, window=1)
    assert out[["doc_id", "match", "right"]].values.tolist() == [["d2", "defense minister", "praised"],
                                                                 ["d3", "Defense minister", "spoke"]]
    assert ct.kwic(corpus, r"\bMilit\w+", regex=True)["match"].tolist() == ["military", "Militants"]


def test_sort_by_nearest_context_word(corpus):
    right = ct.kwic(corpus, "troops", window=2, sort="right")
    # right neighbours: "crossed the", "returned home", "" -> crossed, returned, then the empty one
    assert right["right"].tolist() == ["crossed the", "returned home", ""]
    left = ct.kwic(corpus, "troops", window=2, sort="left")
    # nearest left words: russian, border, the -> border, russian, the (case-insensitive)
    assert left["left"].tolist() == ["the border.", "Russian", "praised the"]


def test_max_rows_warns(corpus):
    with pytest.warns(UserWarning, match=r"^more than 2 matches of 'troops'; showing the first 2 in corpus order "
                                         r"\(pass max_rows=None for all\)\.$"):
        out = ct.kwic(corpus, "troops", max_rows=2)
    assert len(out) == 2 and out.attrs["truncated"]


def test_no_match_gives_empty_frame_with_columns(corpus):
    out = ct.kwic(corpus, "border troops")   # d1: a sentence ends between them
    assert out.empty and list(out.columns) == ["doc_id", "date", "title", "left", "match", "right"]


def test_errors(corpus):
    with pytest.raises(KeyError, match=r"term 'tropps' is not in the vocabulary .*close terms: \['troops'\]"):
        ct.kwic(corpus, "tropps")
    with pytest.raises(ValueError, match=r"^`sort` must be one of \[None, 'left', 'right'\]; got 'middle'\.$"):
        ct.kwic(corpus, "troops", sort="middle")
    with pytest.raises(ValueError, match=r"^`window` must be a non-negative number of words; got -1\.$"):
        ct.kwic(corpus, "troops", window=-1)
    with pytest.raises(ValueError, match=r"^`pattern` '\(troops' is not a valid regular expression"):
        ct.kwic(corpus, "(troops", regex=True)
    with pytest.raises(ValueError, match=r"^`pattern` must be a non-empty string; got ''\.$"):
        ct.kwic(corpus, "")
    with pytest.raises(KeyError, match=r"`by` names no docs column: \['outlet'\]"):
        ct.kwic(corpus, "troops", by="outlet")
    with pytest.raises(ValueError, match=r"^`max_rows` must be a positive integer or None; got 0\.$"):
        ct.kwic(corpus, "troops", max_rows=0)


@pytest.mark.corpora
def test_abc_headlines_kwic_matches_trend_count(corpora):
    docs = ct.load(corpora / "abcnews_headlines_2003", errors="skip")
    corpus = ct.Corpus.from_docs(docs, progress=False)
    out = ct.kwic(corpus, "iraq", max_rows=None, sort="right")
    assert len(out) == int(corpus.dtm[:, corpus.term_id("iraq")].sum())
    assert out["match"].str.lower().str.startswith("iraq").all()
    nearest = out["right"].str.split().str[0].fillna("").str.lower().tolist()
    # headlines often end with the match: those empty right contexts come last
    assert nearest == sorted(nearest, key=lambda w: (w == "", w))


def test_phrase_skips_stopwords_as_the_stored_sequence_does(corpus):
    out = ct.kwic(corpus, "resigned vote", window=1)
    assert out[["doc_id", "left", "match", "right"]].values.tolist() == [
        ["d4", "Minister", "resigned after the vote", ""]]


# ---------------------------------------------------------------------- matches read from the token ids
OIL = pd.DataFrame(
    {"text": ["Crude oil rose. Brent CRUDE oil (the benchmark) rose—sharply—on Monday.",
              "Oil fell, said traders; crude heavy oil was cheap.",
              "Traders sold crude. Oil stocks fell.",
              "Prices of crude, oil and gas rose on Friday: oil"]},
    index=pd.Index(["o1", "o2", "o3", "o4"], name="doc_id"),
)


@pytest.fixture(scope="module")
def oil():
    return ct.Corpus.from_docs(OIL, cache=False, progress=False)


def rows(out):
    return out[["doc_id", "left", "match", "right"]].values.tolist()


def test_phrase_keeps_case_and_punctuation_of_the_text(oil):
    out = ct.kwic(oil, "crude oil", window=3)
    # "crude heavy oil": heavy is a kept word between them; "crude. Oil": a sentence ends between them
    assert rows(out) == [
        ["o1", "", "Crude oil", "rose. Brent CRUDE"],
        ["o1", "oil rose. Brent", "CRUDE oil", "(the benchmark) rose"],
        ["o4", "Prices of", "crude, oil", "and gas rose"],
    ]
    assert out.attrs["n_matches"] == 3 and not out.attrs["truncated"]


def test_phrase_skips_terms_removed_by_frequency_limits():
    # "heavy" is in one document only: min_df=2 drops it from the stored sequence, like a stopword
    corpus = ct.Corpus.from_docs(OIL, min_df=2, cache=False, progress=False)
    assert "heavy" not in corpus.vocab
    out = ct.kwic(corpus, "crude oil", window=3)
    assert rows(out)[2] == ["o2", "fell, said traders;", "crude heavy oil", "was cheap"]
    assert out["match"].tolist() == ["Crude oil", "CRUDE oil", "crude heavy oil", "crude, oil"]


def test_empty_contexts_sort_last(oil):
    right = ct.kwic(oil, "oil", window=1, sort="right")
    assert right["right"].tolist() == ["and", "fell", "rose", "stocks", "(the", "was", ""]
    assert right["doc_id"].iloc[-1] == "o4"
    left = ct.kwic(oil, "oil", window=1, sort="left")
    # ties keep corpus order; "Oil fell" opens o2 and has no left context
    assert rows(left) == [
        ["o1", "Crude", "oil", "rose"], ["o1", "CRUDE", "oil", "(the"], ["o3", "crude.", "Oil", "stocks"],
        ["o4", "crude,", "oil", "and"], ["o4", "Friday:", "oil", ""], ["o2", "heavy", "oil", "was"],
        ["o2", "", "Oil", "fell"]]


def test_dotted_capital_i_keeps_its_word():
    # "İ".lower() is "i" plus a combining dot; the corpus lowercases it to "i", so "İzmir" is one
    # word and the left context of the last match is "in İzmir;", with the original spelling
    docs = pd.DataFrame({"text": ["İstanbul police said.\n\nPOLICE arrived in İzmir; police"]},
                        index=pd.Index(["t1"], name="doc_id"))
    corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    assert rows(ct.kwic(corpus, "police", window=2)) == [
        ["t1", "İstanbul", "police", "said. POLICE"],
        ["t1", "police said.", "POLICE", "arrived in"],
        ["t1", "in İzmir;", "police", ""]]
    assert rows(ct.kwic(corpus, "izmir", window=1)) == [["t1", "in", "İzmir", "; police"]]


def test_max_rows_reads_only_the_documents_shown_and_counts_all_matches():
    corpus = ct.Corpus.from_docs(DOCS, cache=False, progress=False)  # its own: the docs are changed below
    with pytest.warns(UserWarning, match="more than 1 matches"):
        out = ct.kwic(corpus, "troops", max_rows=1)
    assert len(out) == 1 and out.attrs["n_matches"] == 3 and out.attrs["truncated"]
    # d2 holds the third match: a text that no longer holds its tokens fails only once it is shown
    corpus.docs = corpus.docs.assign(text=corpus.docs["text"].where(corpus.docs.index != "d2", "Nothing here."))
    with pytest.warns(UserWarning, match="more than 2 matches"):
        out = ct.kwic(corpus, "troops", max_rows=2)
    assert out["match"].tolist() == ["troops", "Troops"] and out.attrs["n_matches"] == 3
    with pytest.raises(ValueError, match=r"^the text of document 'd2' no longer gives its stored tokens; were corpus.docs changed"):
        ct.kwic(corpus, "troops", max_rows=None)


def test_regex_counts_all_matches(corpus):
    with pytest.warns(UserWarning, match="more than 1 matches"):
        out = ct.kwic(corpus, r"troops", regex=True, max_rows=1)
    assert rows(out) == [["d1", "Russian", "troops", "crossed the border. Troops returned"]]
    assert out.attrs["n_matches"] == 3 and out.attrs["truncated"]


def test_joined_phrase_term_covers_its_words():
    # on five short texts gensim's Phrases joins whole sentences into one term each
    corpus = ct.Corpus.from_docs(DOCS, phrases={"min_count": 1, "threshold": 0.1}, cache=False, progress=False)
    assert "mr_defense_minister_spoke" in corpus.vocab
    assert rows(ct.kwic(corpus, "mr_defense_minister_spoke", window=2)) == [
        ["d3", "", "Mr. Defense minister spoke", "; the military"]]
    assert rows(ct.kwic(corpus, "troops_returned_home_monday", window=1)) == [
        ["d1", "border.", "Troops returned home on Monday", ""]]


# ---------------------------------------------------------------------- the same rows as reading every text
class _Reference:
    """KWIC the slow way, as it was done before matches were read from the token ids.

    Every text is split into surface words with their sentence numbers; each distinct word is
    normalised (here in one call) and kept when its term is in the vocabulary; a match is a run
    of kept words, one per query position, within a sentence; runs do not overlap.
    """

    def __init__(self, corpus):
        from corpus_tools.text.normalize import is_non_final_abbreviation
        from corpus_tools.text.tokenizer import TOKEN_RE, is_sentence_mark

        self.corpus = corpus
        self.docs = []
        for doc_id, text in corpus.docs["text"].items():
            words, sentence, previous = [], 0, ""
            for m in TOKEN_RE.finditer(text):
                w = m.group()
                if is_sentence_mark(w):
                    if not (w == "." and is_non_final_abbreviation(previous)):
                        sentence += 1
                else:
                    words.append((m.start(), m.end(), w, sentence))
                previous = w
            self.docs.append((doc_id, text, words))
        distinct = sorted({w for _, _, words in self.docs for _, _, w, _ in words})
        terms = []
        kinds = corpus._normalizer().classify(distinct, {}, terms)
        vocab = set(corpus.vocab)
        self.term_of = {w: terms[k] for w, k in zip(distinct, kinds) if k >= 0 and terms[k] in vocab}
        self.docs = [(doc_id, text, words, [i for i, w in enumerate(words) if w[2] in self.term_of])
                     for doc_id, text, words in self.docs]

    def kwic(self, pattern, window):
        from corpus_tools.analyses.trends import resolve_query

        query = resolve_query(self.corpus, pattern)
        phrase = query.phrases[0] if query.phrases else [query.single]
        positions = [set(self.corpus.vocab[sorted(p)]) for p in phrase]
        k, out = len(positions), []
        clean = " ".join
        for doc_id, text, words, kept in self.docs:
            i = 0
            while i <= len(kept) - k:
                first, last = kept[i], kept[i + k - 1]
                if words[first][3] == words[last][3] and all(
                        self.term_of[words[kept[i + j]][2]] in positions[j] for j in range(k)):
                    lo, hi = max(first - window, 0), min(last + 1 + window, len(words))
                    out.append([doc_id, clean(text[words[lo][0] : words[first][0]].split()),
                                clean(text[words[first][0] : words[last][1]].split()),
                                clean(text[words[last][1] : words[hi - 1][1]].split())])
                    i += k
                else:
                    i += 1
        return out


@pytest.fixture(scope="module")
def lee_docs():
    return ct.datasets.load("lee")


@pytest.mark.parametrize("options, patterns", [
    ({}, ["police", "said", "prime minister", "united states", "afghan*", "prime minist*"]),
    # min_df=3 removes words between "said" and "police" once, which then match as a phrase
    ({"min_df": 3}, ["said police", "afghan*"]),
])
def test_lee_same_rows_as_reading_every_text(lee_docs, options, patterns):
    corpus = ct.Corpus.from_docs(lee_docs, cache=False, progress=False, **options)
    reference = _Reference(corpus)
    for pattern in patterns:
        expected = reference.kwic(pattern, window=4)
        out = ct.kwic(corpus, pattern, window=4, max_rows=None)
        assert len(expected) >= 3, pattern
        assert rows(out) == expected, pattern
        assert out.attrs["n_matches"] == len(expected)


# ---------------------------------------------------------------------- joined phrases, changed texts, messages
@pytest.fixture(scope="module")
def lee_phrases(lee_docs):
    # one date for every document: term_trends needs dates, the tokens do not change
    docs = lee_docs.assign(date=pd.Timestamp("2021-01-15"))
    return ct.Corpus.from_docs(docs, phrases=True, cache=False, progress=False)


@pytest.mark.parametrize("pattern, joined, absent, n, n_docs", [
    ("prime minister", "prime_minister", "prime", 21, 14),
    ("new south wales", "new_south_wales", "wales", 40, 28),
])
def test_a_phrase_is_found_as_the_joined_term_of_a_phrase_corpus(lee_phrases, pattern, joined, absent, n, n_docs):
    corpus = lee_phrases
    assert joined in corpus.vocab and absent not in corpus.vocab  # every use was joined
    assert int(corpus.dtm[:, corpus.term_id(joined)].sum()) == n
    out = ct.kwic(corpus, pattern, window=2, max_rows=None)
    assert len(out) == out.attrs["n_matches"] == n
    assert set(out["match"].str.lower().str.removesuffix("'s")) == {pattern}
    trend = ct.term_trends(corpus, [pattern], measure="count")
    assert trend[["term", "count", "n_docs_with"]].values.tolist() == [[pattern, n, n_docs]]


def test_a_phrase_corpus_with_frequency_limits_aligns_every_document(lee_docs):
    # rare joined terms (christmas_island) are removed with their words, which stay terms elsewhere
    corpus = ct.Corpus.from_docs(lee_docs, phrases=True, min_df=3, cache=False, progress=False)
    out = ct.kwic(corpus, "said", window=1, max_rows=None)
    assert len(out) == out.attrs["n_matches"] == int(corpus.dtm[:, corpus.term_id("said")].sum())


STALE = (r"^the text of document 'd1' no longer gives its stored tokens; were corpus\.docs changed after the "
         r"corpus was built\? Build the corpus again from the current docs\.$")


def test_a_text_changed_after_the_corpus_was_built_is_refused():
    corpus = ct.Corpus.from_docs(DOCS, cache=False, progress=False)  # its own: the docs are changed below
    original = corpus.docs.loc["d1", "text"]
    # words the corpus stores ("militants" is a term) put before, after or between the stored ones
    for text in ["Militants " + original, original + " Militants fled.",
                 original.replace("the border", "the military border")]:
        corpus.docs.loc["d1", "text"] = text
        with pytest.raises(ValueError, match=STALE):
            ct.kwic(corpus, "troops")
    corpus.docs.loc["d1", "text"] = original + " And then they were there."  # only stopwords: the same tokens
    assert ct.kwic(corpus, "troops")["match"].tolist() == ["troops", "Troops", "troops"]


def test_a_missing_word_of_a_phrase_and_an_empty_glob_are_named(corpus):
    with pytest.raises(KeyError, match=r"^\"'troops zzzq': the word 'zzzq' is not in the vocabulary\"$"):
        ct.kwic(corpus, "troops zzzq")
    with pytest.raises(KeyError, match=r"^\"'Tropps border': the word 'Tropps' \(term 'tropps'\) is not in the "
                                       r"vocabulary \(close terms: \['troops'\]\)\"$"):
        ct.kwic(corpus, "Tropps border")
    with pytest.raises(KeyError, match=r"^\"'Tropps' is normalised to the term 'tropps', which is not in the "
                                       r"vocabulary \(close terms: \['troops'\]\)\"$"):
        ct.kwic(corpus, "Tropps")
    # as term_trends, which warns for a glob without a match and counts it as zero
    for pattern in ["zz*", "zz* troops"]:
        with pytest.warns(UserWarning, match=r"^'zz\*' matches no term of the vocabulary; no rows\.$"):
            out = ct.kwic(corpus, pattern)
        assert out.empty and list(out.columns) == ["doc_id", "date", "title", "left", "match", "right"]


# ---------------------------------------------------------------------- a sharded corpus
# four shards of two, two, two and one documents: "oil" in the first two, "zinc" in the last only
SHARDED = pd.DataFrame(
    {"text": ["Crude oil prices rose. Oil traders watched crude oil.",
              "Oil exports fell.",
              "Palm oil and crude oil shipments.",
              "No fuel news today.",
              "Wheat harvest was late.",
              "Farmers sold wheat.",
              "Gold reserves grew. Zinc mines opened."],
     "date": pd.to_datetime(["2020-01-01", "2020-01-02", None, "2020-01-04", "2020-01-05", "2020-01-06",
                             "2020-01-07"]),
     "title": ["One", "Two", "Three", "Four", "Five", "Six", "Seven"],
     "source": ["X", "Y", "X", "Y", "X", "Y", "X"]},
    index=pd.Index([f"s{i}" for i in range(1, 8)], name="doc_id"),
)


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    """The documents as four shards, mapped here (no cluster), and as one corpus in memory."""
    folder = tmp_path_factory.mktemp("kwic") / "shards"
    shards = ct.ShardedCorpus.build(SHARDED, folder, rows_per_shard=2, progress=False)
    assert shards.shard_rows.tolist() == [0, 2, 4, 6, 7]
    return shards, ct.Corpus.from_docs(SHARDED, cache=False, progress=False)


def quietly(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


@pytest.mark.parametrize("pattern, kwargs", [
    ("oil", {}),
    ("oil", {"max_rows": 4}),                          # the first shard's four matches exactly
    ("oil", {"max_rows": 5, "by": "source"}),          # one of the second shard's two
    ("oil", {"max_rows": 1, "sort": "left", "window": 2}),
    ("oil", {"max_rows": 3, "sort": "right", "by": ["title", "source"]}),
    ("crude oil", {"max_rows": 2}),
    ("crude oil", {"by": "source", "window": 1}),
    ("cru* oil", {"max_rows": 3, "sort": "right"}),
    ("o?l", {"max_rows": 5}),
    ("zinc", {}),                                       # in the last shard only
    ("zinc mines", {"max_rows": 1, "by": "source"}),
    ("wheat oil", {}),                                  # both words are terms, the phrase is in no shard
    ("zz*", {}),                                        # a glob of no term
    (r"crude\s+oil", {"regex": True, "max_rows": 2}),  # regular expressions and max_rows=None take one pass
    ("oil", {"max_rows": None, "by": "source"}),
])
def test_sharded_equals_in_memory(sharded, pattern, kwargs):
    shards, corpus = sharded
    got, want = quietly(ct.kwic, shards, pattern, **kwargs), quietly(ct.kwic, corpus, pattern, **kwargs)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.attrs == want.attrs


def test_sharded_rows_and_counts_by_hand(sharded):
    shards, _ = sharded
    with pytest.warns(UserWarning, match="more than 5 matches of 'oil'"):
        out = ct.kwic(shards, "oil", window=2, max_rows=5)
    assert rows(out) == [["s1", "Crude", "oil", "prices rose"],
                         ["s1", "prices rose.", "Oil", "traders watched"],
                         ["s1", "watched crude", "oil", ""],
                         ["s2", "", "Oil", "exports fell"],
                         ["s3", "Palm", "oil", "and crude"]]
    assert out.attrs == {"pattern": "oil", "window": 2, "n_matches": 6, "truncated": True}
    out = ct.kwic(shards, "zinc", window=1)
    assert rows(out) == [["s7", "grew.", "Zinc", "mines"]] and out.attrs["n_matches"] == 1


@pytest.mark.parametrize("pattern, max_rows, shown", [
    ("oil", 5, [4, 1, 0, 0]),        # only the first two shards read texts
    ("oil", 4, [4, 0, 0, 0]),
    ("crude oil", 1000, [2, 1, 0, 0]),
    ("zinc", 1000, [0, 0, 0, 1]),
    ("wheat oil", 1000, [0, 0, 0, 0]),
])
def test_sharded_scans_each_shard_once(sharded, monkeypatch, pattern, max_rows, shown):
    shards, _ = sharded
    scanned, built = [], []
    token_matches, surface_records = kwic_module._token_matches, kwic_module._surface_records

    def count_scans(corpus, query):
        scanned.append(corpus.docs.index[0])
        return token_matches(corpus, query)

    def count_rows(corpus, texts, start, length, window):
        built.append((corpus.docs.index[0], len(start)))
        return surface_records(corpus, texts, start, length, window)

    monkeypatch.setattr(kwic_module, "_token_matches", count_scans)
    monkeypatch.setattr(kwic_module, "_surface_records", count_rows)
    quietly(ct.kwic, shards, pattern, max_rows=max_rows)
    assert scanned == ["s1", "s3", "s5", "s7"]
    assert built == list(zip(["s1", "s3", "s5", "s7"], shown))


def test_sharded_matches_travel_in_five_bytes_each(sharded):
    # what each shard sends back for the client to choose the lines: int32 starts, uint8 lengths
    shards, whole = sharded
    plan = kwic_module._kwic_prepare(shards, "crude oil", max_rows=3)
    sent = shards.map_shards(kwic_module._kwic_matches, plan)
    assert all(start.dtype == np.int32 and length.dtype == np.uint8 and len(start) <= 3
               for _, _, start, length in sent)
    # the same matches as the shards' own, as int64 (the first three of each shard)
    for (rows, n, start, length), i in zip(sent, range(shards.n_shards)):
        own_start, own_length = kwic_module._token_matches(shards.shard(i), plan.query)
        assert n == len(own_start) and start.tolist() == own_start[:3].tolist()
        assert length.tolist() == own_length[:3].tolist()


def test_sharded_warnings_name_the_callers_line(sharded):
    shards, _ = sharded
    for pattern, message in [("oil", "more than 1 matches"), ("zz*", "matches no term")]:
        with pytest.warns(UserWarning, match=message) as caught:
            ct.kwic(shards, pattern, max_rows=1)
        assert {w.filename for w in caught} == {__file__}


@pytest.mark.parametrize("block_bytes", [8, 12, 1 << 24])  # two or three ids a block, or one block
def test_positions_scan_blocks_and_hand_back_every_page(oil, monkeypatch, block_bytes):
    released = []
    monkeypatch.setattr(_storage, "_BLOCK_BYTES", block_bytes)
    monkeypatch.setattr(_storage, "release_part", released.append)  # _blocks hands back every block, the whole too
    ids = oil.ids
    term = oil.term_id("oil")
    allowed = np.asarray([term, oil.term_id("crude")], dtype=np.int64)
    np.testing.assert_array_equal(kwic_module._positions(ids, allowed[:1], oil.n_terms),
                                  np.flatnonzero(ids == term))
    np.testing.assert_array_equal(kwic_module._positions(ids, allowed, oil.n_terms),
                                  np.flatnonzero(np.isin(ids, allowed)))
    # every token handed back, once per scan, in order
    assert np.array_equal(np.concatenate(released), np.concatenate([ids, ids]))
