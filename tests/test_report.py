"""The report machinery: parameters, execution, offline HTML, manifest, failures, reproducibility."""
from __future__ import annotations

import argparse
import hashlib
import json
import re
from html import unescape
from html.parser import HTMLParser

import nbformat
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import corpus_tools as ct
from corpus_tools import report
from corpus_tools.report import (
    ReportError, default_comparison, embed_html, external_references, grouping_column, informative_terms,
    distinct_headline_groups, inject_parameters, input_files, is_parquet_file, largest_copy_groups, load_docs,
    markdown_escape, markdown_text, moving_terms, notebook_parameters, open_corpus, parquet_columns, parse_param,
    topic_corpus,
)

LEE_SHA256 = "5d78d6dafd953bbf65797bef09a9ffb9ec430583381be705f8fd460000f370fb"  # data/registry.json


def _notebook(*sources: str, params: str = "X = 1\nNAME = 'a'"):
    cells = [nbformat.v4.new_markdown_cell("# Tiny")]
    cells.append(nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}))
    cells += [nbformat.v4.new_code_cell(s) for s in sources]
    return nbformat.v4.new_notebook(cells=cells)


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    report.configure(parser)
    return report.run(parser.parse_args(argv))


# ------------------------------------------------------------------------------------ parameters
@pytest.mark.parametrize("text, expected", [
    ("N_TOPICS=8", ("N_TOPICS", 8)),
    ("DATE_FREQ=YS", ("DATE_FREQ", "YS")),
    ("TERMS=['oil', 'gold']", ("TERMS", ["oil", "gold"])),
    ("X=None", ("X", None)),
    ("X=1.5", ("X", 1.5)),
    ("PATH=/data/my corpus", ("PATH", "/data/my corpus")),
    ("EQ=a=b", ("EQ", "a=b")),
])
def test_parse_param(text, expected):
    assert parse_param(text) == expected


@pytest.mark.parametrize("text", ["N_TOPICS", "=3", "1X=3"])
def test_parse_param_errors(text):
    with pytest.raises(ReportError, match=re.escape(f"--param expects KEY=VALUE with KEY a parameter name, "
                                                    f"e.g. --param N_TOPICS=8; got {text!r}.")):
        parse_param(text)


def test_notebook_parameters_and_injection():
    nb = _notebook("print(X)", params="X = 1\nNAME = 'a'  # comment\nLIST = [1, 2]\nEXPR = 2 * 3\nA, B = 1, 'b'")
    assert notebook_parameters(nb) == {"X": 1, "NAME": "a", "LIST": [1, 2], "EXPR": "2 * 3", "A": 1, "B": "b"}
    out = inject_parameters(nb, {"X": 5, "NAME": "b"})
    assert len(out.cells) == len(nb.cells) + 1          # the input notebook is unchanged
    injected = out.cells[2]
    assert injected.metadata["tags"] == ["injected-parameters"]
    assert injected.source == "# Parameters\nX = 5\nNAME = 'b'"
    assert inject_parameters(nb, {}).cells == nb.cells


def test_injection_errors():
    nb = _notebook()
    with pytest.raises(ReportError, match=re.escape("unknown parameter(s) ['N_TOPIC']; this notebook's "
                                                    "parameters are ['NAME', 'X'].")):
        inject_parameters(nb, {"N_TOPIC": 3})
    with pytest.raises(ReportError, match="parameter X must be a Python literal; got <object"):
        inject_parameters(nb, {"X": object()})
    bare = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("X = 1")])
    with pytest.raises(ReportError, match="the notebook has no code cell tagged 'parameters'"):
        inject_parameters(bare, {"X": 2})


# ------------------------------------------------------------------------------------ the corpus
def test_load_docs_resolves_names_and_paths(seed_path):
    assert len(load_docs("lee")) == 300
    by_path = load_docs(seed_path.parent)
    assert list(by_path.index) == list(ct.datasets.load("seeds").index)
    # None/"" mean "the loader's default", so notebooks can pass TEXT_COLUMN = None to any dataset
    assert len(load_docs("lee", text=None, date="")) == 300


def test_load_docs_error_names_datasets(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ReportError) as info:
        load_docs("no_such_corpus")
    message = str(info.value)
    assert message.startswith("CORPUS 'no_such_corpus' is neither a registered dataset (")
    assert "lee" in message and "reuters21578" in message and str(tmp_path) in message


def test_input_files(seed_path, tmp_path):
    assert [p.name for p in input_files("lee")] == ["lee_background.cor"]
    assert input_files("seeds") == [seed_path]
    (tmp_path / "b").mkdir()
    for name in ("b/2.txt", "a.txt", ".hidden.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert input_files(tmp_path) == [tmp_path / "a.txt", tmp_path / "b" / "2.txt"]
    assert input_files(str(tmp_path / "*.txt")) == [tmp_path / "a.txt"]
    assert input_files(tmp_path / "a.txt") == [tmp_path / "a.txt"]


@pytest.mark.corpora
def test_input_files_of_a_dataset_folder(corpora, monkeypatch):
    monkeypatch.setenv("CORPUS_TOOLS_DATA", str(corpora))
    files = input_files("reuters21578")
    assert [f.name for f in files] == [f"reut2-{i:03d}.sgm" for i in range(22)]


# ------------------------------------------------------------- a Parquet file: Corpus.from_parquet
NEWS = [
    "Oil prices rose as the refinery strike went on.", "The central bank held interest rates.",
    "Wheat harvest fell after the dry summer.", "Oil exports rose in the spring.",
    "The bank raised rates again, and oil fell.", "Farmers expect a better wheat harvest.",
    "Refinery workers ended the strike.", "Interest rates and oil prices moved together.",
]


def _articles(**renamed) -> pd.DataFrame:
    """Eight short articles, with their columns under the names given (``text="body"``)."""
    columns = {"doc_id": [f"n{i}" for i in range(len(NEWS))], "title": [t.split(" as ")[0] for t in NEWS],
               "text": NEWS, "date": pd.date_range("2021-01-01", periods=len(NEWS), freq="7D"),
               "source": ["Wire", "Daily"] * (len(NEWS) // 2)}
    return pd.DataFrame({renamed.get(k, k): v for k, v in columns.items()})


def test_is_parquet_file(tmp_path):
    _articles().to_parquet(tmp_path / "a.parquet")
    _articles().to_parquet(tmp_path / "B.PARQUET")
    (tmp_path / "folder.parquet").mkdir()
    assert is_parquet_file(tmp_path / "a.parquet") and is_parquet_file(str(tmp_path / "B.PARQUET"))
    assert not is_parquet_file(tmp_path / "folder.parquet")          # a partitioned dataset: ct.load
    assert not is_parquet_file(tmp_path / "missing.parquet") and not is_parquet_file(str(tmp_path / "*.parquet"))
    assert not is_parquet_file("lee") and not is_parquet_file(None)


def test_parquet_columns_are_recognised_as_ct_load_recognises_them(tmp_path):
    _articles().to_parquet(tmp_path / "plain.parquet", index=False)
    assert parquet_columns(tmp_path / "plain.parquet") == {"text": "text", "id": "doc_id"}
    _articles(text="Body", title="headline", date="Published", source="outlet", doc_id="id").to_parquet(
        tmp_path / "named.parquet", index=False)
    assert parquet_columns(tmp_path / "named.parquet") == {
        "text": "Body", "id": "id", "title": "headline", "date": "Published", "source": "outlet"}
    # the index pandas stored names the documents; the columns the caller names come first
    _articles(text="words", date="when").set_index("doc_id").to_parquet(tmp_path / "indexed.parquet")
    assert parquet_columns(tmp_path / "indexed.parquet", text="words", date="when") == {
        "text": "words", "date": "when"}
    with pytest.raises(ReportError, match=re.escape(
            "no column of " + str(tmp_path / "indexed.parquet") + " is recognised as the articles' text; its "
            "columns are ['title', 'words', 'when', 'source']. Name it with --param TEXT_COLUMN=<column>.")):
        parquet_columns(tmp_path / "indexed.parquet")
    with pytest.raises(ReportError, match=re.escape("DATE_COLUMN 'day' is not a column of ")):
        parquet_columns(tmp_path / "indexed.parquet", text="words", date="day")


def _same_news(tmp_path, **renamed) -> tuple:
    """The articles as a Parquet file and as JSON lines (which open_corpus loads with ct.load)."""
    table = _articles(**renamed)
    table.to_parquet(tmp_path / "news.parquet", index=False)
    table.to_json(tmp_path / "news.jsonl", orient="records", lines=True, date_format="iso")
    return tmp_path / "news.parquet", tmp_path / "news.jsonl"


def test_open_corpus_streams_a_parquet_file_into_the_same_corpus(tmp_path):
    parquet, jsonl = _same_news(tmp_path, text="body", source="outlet")
    streamed = open_corpus(parquet, extra_stopwords="news")
    in_memory = open_corpus(jsonl, extra_stopwords="news")
    assert "text_source" in streamed.docs.attrs and "text" not in streamed.docs.columns
    assert list(streamed.docs.columns) == ["title", "date", "source"]
    assert "load_report" in in_memory.docs.attrs and in_memory.docs["text"].tolist() == NEWS
    assert list(streamed.docs.index) == list(in_memory.docs.index) == [f"n{i}" for i in range(8)]
    assert list(streamed.vocab) == list(in_memory.vocab) and (streamed.dtm != in_memory.dtm).nnz == 0
    assert streamed.docs["source"].tolist() == in_memory.docs["source"].tolist()
    assert streamed.texts(["n3"]).tolist() == [NEWS[3]]
    # docs already loaded are tokenised again, not loaded again
    again = open_corpus("no/such/file.jsonl", docs=in_memory.docs, lemmatize=True)
    assert again.n_docs == 8 and again.params["lemmatize"]


def test_topic_corpus_gives_the_same_terms_from_a_parquet_file(tmp_path):
    parquet, jsonl = _same_news(tmp_path)
    streamed, note = topic_corpus(parquet, n_topics=2, extra_stopwords="news")
    in_memory, same_note = topic_corpus(jsonl, n_topics=2, extra_stopwords="news")
    assert note is None and same_note is None
    # lemmas in 2 to 4 of the 8 documents: e.g. "rate" (rates) in 3, "oil" in 4; "strike" in 2
    assert list(streamed.vocab) == list(in_memory.vocab) and {"oil", "rate", "strike"} <= set(streamed.vocab)
    assert "bank" in streamed.vocab and "harvest" in streamed.vocab and "summer" not in streamed.vocab
    assert (streamed.dtm != in_memory.dtm).nnz == 0 and streamed.params["lemmatize"]
    # more topics than the limits leave terms for: every lemma, and the note says so, from both paths
    every, note = topic_corpus(parquet, n_topics=20, extra_stopwords="news")
    _, same_note = topic_corpus(jsonl, n_topics=20, extra_stopwords="news")
    assert note == same_note == (f"Only {len(streamed.vocab)} terms are in at least 2 and at most half of the 8 "
                                 f"documents, too few for 20 topics; the model uses all {every.n_terms} terms instead.")
    assert every.n_terms > len(streamed.vocab) and "summer" in every.vocab
    # the limits, counted apart from the build: the lemmas of 2 to 4 of the 8 documents are the kept ones
    df = np.asarray((every.dtm > 0).sum(axis=0)).ravel()
    assert list(every.vocab[(df >= 2) & (df <= 4)]) == list(streamed.vocab)


def test_document_frequencies_by_blocks_equal_the_dense_count():
    from corpus_tools.report import _document_frequencies

    rng = np.random.default_rng(0)
    dense = rng.poisson(0.4, size=(50, 9))
    masks = [rng.random(50) < 0.5, np.zeros(50, dtype=bool), np.ones(50, dtype=bool)]
    got = _document_frequencies(sp.csr_matrix(dense), masks, block=7)
    for mask, counts in zip(masks, got):
        assert counts.tolist() == (dense[mask] > 0).sum(axis=0).tolist()


# ------------------------------------------------------------------------ report-making choices
def _docs(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    return pd.DataFrame(columns, index=pd.Index([f"d{i}" for i in range(n)], name="doc_id"))


def test_grouping_column():
    docs = _docs(text=["a", "b", "c"], source=["A", "A", "A"], sections=[["x"], ["y", "x"], []])
    assert grouping_column(docs) == "sections"
    # a list column as pd.read_parquet returns it: arrays
    arrays = docs.assign(text=["oil rose", "oil fell", "wheat rose"],
                         sections=[np.array(v, dtype=object) for v in docs["sections"]])
    assert grouping_column(arrays) == "sections"
    assert default_comparison(ct.Corpus.from_docs(arrays, cache=False, progress=False))[0] == {"sections": "x"}
    assert grouping_column(docs, ["source"]) is None
    assert grouping_column(_docs(text=["a", "b"], source=["A", "B"])) == "source"


def test_default_comparison_rules():
    texts = ["oil price oil", "oil price", "wheat crop", "wheat rain", "rain crop", "oil wheat"]
    # 1. a grouping column: its largest group (ties broken by name)
    grouped = ct.Corpus.from_docs(_docs(text=texts, source=["B", "A", "A", "B", "C", "C"]), cache=False, progress=False)
    target, text = default_comparison(grouped)
    assert target == {"source": "A"}
    assert text == "documents whose `source` is **A** (the largest group) against all other documents"
    # 2. dates: on or after the middle of the range (2021-01-01 .. 2021-01-31 -> 2021-01-16)
    dates = pd.to_datetime(["2021-01-01", "2021-01-10", "2021-01-15", "2021-01-16", "2021-01-20", "2021-01-31"])
    dated = ct.Corpus.from_docs(_docs(text=texts, date=dates), cache=False, progress=False)
    target, text = default_comparison(dated)
    assert target.tolist() == [False, False, False, True, True, True]
    assert "from **2021-01-16** on" in text
    # 3. neither, but a focus term: the documents mentioning it
    plain = ct.Corpus.from_docs(_docs(text=texts + ["sun", "moon"]), cache=False, progress=False)
    target, text = default_comparison(plain, focus_term="oil")
    assert target.tolist() == [True, True, False, False, False, True, False, False]
    assert text == "documents mentioning **oil** against the documents that do not"
    # 4. nothing named: the documents longer than the median length (tokens 3 2 2 2 2 2 1 1 -> median 2)
    target, text = default_comparison(plain)
    assert target.tolist() == [True, False, False, False, False, False, False, False]
    assert text.startswith("the **1** documents longer than the median of **2** tokens against the **7** shorter ones")


def test_default_comparison_skips_a_group_that_holds_every_document():
    # one article in two sections: "sections" cannot split the corpus, the dates do
    docs = _docs(text=["oil price", "wheat crop"], sections=[["World", "Business"], ["World"]],
                 date=pd.to_datetime(["2021-01-01", "2021-01-31"]))
    corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    target, text = default_comparison(corpus)
    assert target.tolist() == [False, True] and "from **2021-01-16** on" in text


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds") / "report"
    assert _run(["seeds", "-o", str(out), "--quiet"]) == 0
    return out


def test_report_on_the_single_seed_article_skips_what_needs_several_documents(seeds_report):
    html = (seeds_report / "report.html").read_text(encoding="utf-8")
    assert "this corpus has a single document, so there is nothing to compare it with" in html
    assert "Too few documents for a topic model; topics are skipped." in html
    assert "This corpus has no dates; trends are skipped." in html
    assert "A single document has no copies." in html


def test_default_comparison_in_a_tiny_corpus():
    # three documents of different lengths: the longest against the others
    tiny = ct.Corpus.from_docs(_docs(text=["oil rose", "gold fell sharply", "wheat"]), cache=False, progress=False)
    target, text = default_comparison(tiny)
    assert target.tolist() == [False, True, False] and text.startswith("the **1** documents longer than")
    # the same length everywhere and one date: nothing to compare, and the message says why
    same = ct.Corpus.from_docs(_docs(text=["oil rose", "gold fell"] * 6, date=pd.to_datetime(["2021-01-05"] * 12)),
                               cache=False, progress=False)
    with pytest.raises(ReportError, match=re.escape(
            "the corpus has no column that splits it into groups, no two different dates, and all of its 12 "
            "documents have the same length; give FOCUS_TERM or GROUP_COLUMN.")):
        default_comparison(same)


def test_default_comparison_escapes_group_names():
    docs = _docs(text=["oil price", "oil rise", "wheat crop"],
                 source=["<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>", "[a](javascript:x)"])
    corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    target, text = default_comparison(corpus)
    assert target == {"source": "<img src=x onerror=alert(1)>"}  # the value itself, for ct.keyness
    assert "**&lt;img src=x onerror=alert\\(1\\)&gt;**" in text


def test_default_comparison_errors():
    corpus = ct.Corpus.from_docs(_docs(text=["alpha beta", "gamma delta"], source=["A", "A"]), cache=False, progress=False)
    with pytest.raises(ReportError, match=re.escape("GROUP_COLUMN 'source' must be a docs column with at least "
                                                    "two distinct values; the columns are")):
        default_comparison(corpus, group_column="source")
    with pytest.raises(KeyError):
        default_comparison(corpus, focus_term="zzz")


def test_informative_terms_leave_out_dates_numbers_and_short_tokens():
    assert informative_terms(["October", "mths", "nine", "1987", "q3", "oil", "us", "gulf", "oil"]) == ["oil", "gulf"]
    assert informative_terms(["oil", "gas"], min_length=4) == []


def test_moving_terms_are_not_the_frequent_ones():
    # "market" and "price" are in every document, flat; "tariff" is rarer and only in the second
    # half; "october" moves too, but says when, not what
    n = 40
    dates = pd.date_range("2021-01-01", "2021-12-31", periods=n)
    # "weather" is in every document of the first half and in a quarter of the second
    second = {0: "tariff october", 1: "weather", 2: "tariff october", 3: ""}
    texts = [f"market price report {second[i % 4] if i >= n // 2 else 'weather'}" for i in range(n)]
    corpus = ct.Corpus.from_docs(_docs(text=texts, date=dates), cache=False, progress=False)
    assert ct.term_frequencies(corpus, top=3)["term"].tolist() == ["market", "price", "report"]
    movers = moving_terms(corpus, 5)
    # largest |z| first: weather falls from every document to a quarter, tariff rises from none to half
    assert movers["term"].tolist() == ["weather", "tariff"]
    weather, tariff = movers.iloc[0], movers.iloc[1]
    assert (tariff["docs_before"], tariff["docs_after"]) == (0, 10)
    assert (tariff["share_before"], tariff["share_after"]) == (0.0, 0.5)
    assert (weather["share_before"], weather["share_after"]) == (1.0, 0.25)
    assert weather["change"] < 0 < tariff["change"] and 3 < tariff["z"] < -weather["z"]
    assert movers.attrs["n_before"] == movers.attrs["n_after"] == 20 and movers.attrs["min_df"] == 5
    # a term in fewer than min_df documents is left out, however it changes (tariff is in 10, weather in 25)
    assert moving_terms(corpus, 5, min_df=11)["term"].tolist() == ["weather"]
    undated = ct.Corpus.from_docs(_docs(text=texts), cache=False, progress=False)
    with pytest.raises(ReportError, match="moving terms need a corpus with at least two different dates"):
        moving_terms(undated)


def test_markdown_text_undoes_markdown_escape():
    value = "<b>A & B</b> [x](javascript:y) *z* `q`"
    assert markdown_text(f"in {markdown_escape('my col', code=True)} is **{markdown_escape(value)}**") == \
        f"in my col is {value}"


# ---------------------------------------------------------------------------------------- HTML
def test_external_references():
    html = ('<script src="https://cdn.example/x.js"></script><link href="//fonts.example/f.css">'
            '<img src="data:image/png;base64,AA"><a href="#top">top</a>'
            '<iframe srcdoc="&lt;script src=&quot;http://d3js.org/d3.js&quot;&gt;&lt;/script&gt;"></iframe>')
    assert external_references(html) == [
        ("script", "src", "https://cdn.example/x.js"),
        ("link", "href", "//fonts.example/f.css"),
        ("script", "src", "http://d3js.org/d3.js"),
    ]


def test_embed_html_escapes_the_page(tmp_path):
    page = tmp_path / "map.html"
    page.write_text('<p class="x">a & b</p>', encoding="utf-8")
    assert embed_html(page, height=100).data == (
        '<div><iframe srcdoc="&lt;p class=&quot;x&quot;&gt;a &amp; b&lt;/p&gt;" '
        'style="width: 100%; height: 100px; border: 0;"></iframe></div>')


# --------------------------------------------------------------------------- the command, end to end
@pytest.fixture(scope="module")
def lee_reports(tmp_path_factory):
    """The default report on lee, made twice (for the reproducibility check) plus once with code."""
    root = tmp_path_factory.mktemp("reports")
    outputs = []
    # the third run names N_TOPICS, which skips the sweep that the first two test
    for name, extra in (("first", []), ("second", []),
                        ("code", ["--show-code", "--param", "TOPIC_MAP=False", "--param", "N_TOPICS=5"])):
        status = _run(["lee", "-o", str(root / name), *extra])
        assert status == 0
        outputs.append(root / name)
    return outputs


def test_report_writes_html_notebook_and_manifest(lee_reports, capsys):
    out = lee_reports[0]
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "report.html", "report.ipynb"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["data"]["input"] == "lee"
    assert manifest["data"]["n_files"] == 1
    # the registry records the sha256 of the Lee file; the manifest must agree with it
    assert manifest["data"]["sha256"] == LEE_SHA256
    assert manifest["parameters"]["CORPUS"] == "lee" and manifest["parameters"]["N_TOPICS"] is None
    # what the report chose from the data: lee is undated, so no trend terms; the rest is there
    choices = manifest["choices"]
    assert choices["n_topics"] in manifest["parameters"]["TOPIC_SWEEP"]
    assert [row["k"] for row in choices["topic_sweep"]] == manifest["parameters"]["TOPIC_SWEEP"]
    assert re.fullmatch(r"the [\d,]+ documents longer than the median of [\d,]+ tokens against the [\d,]+ "
                        r"shorter ones \(.*\)", choices["keyness_comparison"])
    assert len(choices["kwic_keywords"]) == 3 and "trend_terms" not in choices
    # the copies the section counted are those ct.near_duplicates finds in the same corpus
    groups = ct.near_duplicates(ct.Corpus.from_docs(load_docs("lee"), extra_stopwords="news", progress=False))
    kinds = {kind: int((groups["kind"] == kind).sum()) for kind in ("exact", "near", "contained")}
    assert choices["copies"] == {"groups": groups.attrs["n_groups"], "copies": groups.attrs["n_duplicates"], **kinds,
                                 "distinct_headline_groups": 0, "distinct_headline_copies": 0}
    assert choices["copies"]["copies"] > 0 and "trend_term" not in choices["copies"]
    # lee has no headlines: the section says it cannot tell templated notices from copies
    assert ("The documents have no headlines, so notices made from one template whose figures agree (the same "
            "wording with other names) cannot be told apart from copies here.") in _page_text(out / "report.html")
    assert manifest["random_state"] == 0
    assert manifest["overrides"] == {"CORPUS": "lee"}
    import gensim, matplotlib, networkx, nltk, numpy, pandas
    for module in (pandas, numpy, gensim, nltk, matplotlib, networkx):
        assert manifest["versions"][module.__name__] == module.__version__
    assert manifest["versions"]["corpus_tools"] == ct.__version__
    assert manifest["versions"]["python"].count(".") == 2
    assert manifest["started"] <= manifest["finished"] and manifest["seconds"] > 0


def test_report_html_is_offline_and_readable(lee_reports):
    html = (lee_reports[0] / "report.html").read_text(encoding="utf-8")
    assert external_references(html) == []
    for heading in ("The corpus", "Top terms", "Trends", "Copies and syndication", "Keyness", "Co-occurrence network",
                    "Topics", "Topic map", "Keywords in context"):
        assert f">{heading}" in html
    assert "This corpus has no dates; trends are skipped." in html
    # lee is undated and from one source: the copies are counted, the rest of the section says why it is not shown
    assert ("This corpus has no dates (or a single one); copies over time, and trends with and without them, "
            "are skipped.") in html
    assert "Every document comes from one source, Lee corpus (ABC News), so there is no source × source matrix" in html
    assert html.count('src="data:image/png;base64,') >= 4  # top terms, keyness, network, topic terms
    assert "<iframe srcdoc=" in html                    # the topic map, inline
    assert "import corpus_tools" not in html            # code hidden by default


def test_kwic_headers_give_the_number_of_occurrences(lee_reports):
    html = (lee_reports[0] / "report.html").read_text(encoding="utf-8")
    headers = re.findall(r"<strong>(\w+)</strong>: (showing 6 of [\d,]+ occurrences|[\d,]+ occurrences?)</p>", html)
    assert len(headers) == 3
    corpus = ct.Corpus.from_docs(load_docs("lee"), extra_stopwords="news", progress=False)
    for keyword, header in headers:
        occurrences = int(corpus.dtm[:, corpus.term_id(keyword)].sum())
        assert header == f"showing 6 of {occurrences:,} occurrences"


def test_topic_map_caption_matches_its_numbering(lee_reports):
    html = (lee_reports[0] / "report.html").read_text(encoding="utf-8")
    assert "topic <em>n</em> on the map is topic <em>n</em> − 1 in the tables" in html
    assert "plus one" not in html
    # the map inside the frame counts from 1 (what ldavis.js needs), as the caption says
    frame = re.search(r'<iframe srcdoc="([^"]*)"', html).group(1)
    data = json.loads(re.search(r'new LDAvis\("#ldavis_topics", (\{.*\})\);', unescape(frame)).group(1))
    k = json.loads((lee_reports[0] / "manifest.json").read_text())["choices"]["n_topics"]
    assert data["mdsDat"]["topics"] == list(range(1, k + 1)) and data["topic.order"] == list(range(1, k + 1))


def test_show_code_keeps_code_but_not_setup(lee_reports):
    html = (lee_reports[2] / "report.html").read_text(encoding="utf-8")
    assert "open_corpus" in html and "TOPIC_MAP" in html
    assert "InlineBackend" not in html                  # the setup cell is tagged hide-input
    assert "<iframe srcdoc=" not in html                # --param TOPIC_MAP=False


def test_same_data_and_parameters_give_the_same_report(lee_reports):
    first, second = (nbformat.read(out / "report.ipynb", as_version=4) for out in lee_reports[:2])
    assert [c.get("outputs") for c in first.cells] == [c.get("outputs") for c in second.cells]
    html = [(out / "report.html").read_bytes() for out in lee_reports[:2]]
    assert hashlib.sha256(html[0]).digest() == hashlib.sha256(html[1]).digest()


def test_failing_cell_exits_nonzero_naming_cell_and_error(tmp_path, capsys):
    nb_path = tmp_path / "broken.ipynb"
    nbformat.write(_notebook("y = X + 1", "1 / 0", "print('never')"), nb_path)
    status = _run(["--notebook", str(nb_path), "-o", str(tmp_path / "out"), "--param", "X=41"])
    captured = capsys.readouterr()
    assert status == 1
    first_line = captured.err.splitlines()[0]
    assert first_line == f"corpus-tools report: error: {nb_path}, cell 5: ZeroDivisionError: division by zero"
    assert "1 / 0" in captured.err                      # the last lines of the traceback
    # one progress line per cell that ran: parameters, injected parameters, y = X + 1
    lines = captured.out.splitlines()
    assert len(lines) == 3
    # each names the section of the cell: the nearest heading above it
    assert all(re.fullmatch(r"\[\d/5\] cell \d Tiny \.\.\. \d+\.\d s", line) for line in lines)
    assert re.match(r"\[1/5\] cell 2 Tiny \.\.\. ", captured.out)
    # the partly executed notebook is kept for inspection
    kept = nbformat.read(tmp_path / "out" / "report.ipynb", as_version=4)
    assert kept.cells[4].outputs[0]["ename"] == "ZeroDivisionError"
    assert not (tmp_path / "out" / "report.html").exists()


def test_bad_arguments_exit_nonzero(tmp_path, capsys):
    assert _run(["--notebook", str(tmp_path / "missing.ipynb"), "-o", str(tmp_path / "o")]) == 1
    assert capsys.readouterr().err.strip() == (
        f"corpus-tools report: error: notebook {tmp_path / 'missing.ipynb'} does not exist; give the path "
        "of an .ipynb file with --notebook.")
    assert _run(["lee", "-o", str(tmp_path / "o"), "--param", "N_TOPIC=3"]) == 1
    assert "unknown parameter(s) ['N_TOPIC']" in capsys.readouterr().err


def test_main_runs_a_custom_notebook(tmp_path, capsys):
    nb_path = tmp_path / "tiny.ipynb"
    nbformat.write(_notebook("print(NAME * X)"), nb_path)
    assert report.main(["--notebook", str(nb_path), "-o", str(tmp_path / "o"), "-p", "NAME=ab", "-p", "X=2", "-q"]) == 0
    executed = nbformat.read(tmp_path / "o" / "report.ipynb", as_version=4)
    assert executed.cells[3].outputs[0]["text"] == "abab\n"
    assert captured_lines(capsys) == [f"wrote {tmp_path / 'o' / 'report.html'}"]
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["parameters"] == {"X": 2, "NAME": "ab"} and manifest["data"]["n_files"] == 0


@pytest.fixture(scope="module")
def wikinews_report(tmp_path_factory):
    """The report as `corpus-tools report` makes it with no arguments: on the bundled Wikinews corpus."""
    out = tmp_path_factory.mktemp("wikinews") / "report"
    assert _run(["-o", str(out), "--quiet"]) == 0
    return out


def _page_text(path) -> str:
    page = _Markup()
    page.feed(path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", "".join(page.text))


def test_summary_and_contents_at_the_top(wikinews_report):
    html = (wikinews_report / "report.html").read_text(encoding="utf-8")
    text = _page_text(wikinews_report / "report.html")
    manifest = json.loads((wikinews_report / "manifest.json").read_text())
    choices = manifest["choices"]
    # the table of contents links to every section's heading, all of which exist
    contents = text.index("Contents:")
    links = re.findall(r'<a href="#([\w-]+)">', html)
    assert len(links) >= 9 and all(f'id="{anchor}"' in html for anchor in links)
    # the summary comes first, and its numbers are the corpus's
    corpus = ct.Corpus.from_docs(load_docs("wikinews"), extra_stopwords="news", progress=False)
    summary = re.search(r"Summary¶? (This corpus holds .*?) The corpus", text).group(1)
    assert contents < text.index(summary) < text.index("Top terms¶")
    assert f"This corpus holds {corpus.n_docs:,} documents ({corpus.n_tokens:,} tokens after stopwords" in summary
    assert f"dated {corpus.dates.min():%Y-%m-%d} to {corpus.dates.max():%Y-%m-%d}." in summary
    movers = moving_terms(corpus, 5)
    first = movers.iloc[0]
    assert (f"{first['term']} {'rose' if first['change'] > 0 else 'fell'} from {first['share_before']:.0%} to "
            f"{first['share_after']:.0%}") in summary
    assert f"The largest of its {choices['n_topics']} topics are " in summary
    assert "No document is a copy of another." in summary
    assert "appears when the whole report has run" not in text
    assert "Copies-and-syndication" in links


def test_manifest_holds_the_choices(wikinews_report):
    manifest = json.loads((wikinews_report / "manifest.json").read_text())
    choices = manifest["choices"]
    assert manifest["parameters"]["TREND_TERMS"] is None and manifest["parameters"]["N_TOPICS"] is None
    corpus = ct.Corpus.from_docs(load_docs("wikinews"), extra_stopwords="news", progress=False)
    assert choices["trend_terms"] == moving_terms(corpus, 5)["term"].tolist()
    # the terms that moved, not the most frequent ones, and no month names
    assert set(choices["trend_terms"]).isdisjoint(ct.term_frequencies(corpus, top=5)["term"])
    assert choices["kwic_keywords"] == informative_terms(choices["trend_terms"])[:3]
    assert choices["keyness_comparison"].startswith("documents dated from 2019-07-03 on")
    sweep = {row["k"]: row for row in choices["topic_sweep"]}
    assert sorted(sweep) == manifest["parameters"]["TOPIC_SWEEP"] and choices["n_topics"] in sweep
    text = _page_text(wikinews_report / "report.html")
    assert f"The number of topics, {choices['n_topics']}, was chosen by fitting models with" in text
    # the topic table gives each topic its top terms, share and a representative headline
    assert "representative headline" in text and "share of corpus" in text
    # Wikinews holds no copies, and the section says so from the numbers
    assert ct.near_duplicates(corpus).empty
    assert choices["copies"] == {"groups": 0, "copies": 0, "exact": 0, "near": 0, "contained": 0,
                                 "distinct_headline_groups": 0, "distinct_headline_copies": 0}
    assert "No two of the 171 documents are copies of each other (exact, near or contained at a similarity of 0.8)" in text


@pytest.fixture(scope="module")
def wikinews_parquet_report(tmp_path_factory):
    """The report on the bundled Wikinews corpus written to Parquet, as `corpus-tools load wikinews -o
    wikinews.parquet` writes it: the report reads it with Corpus.from_parquet."""
    from corpus_tools.cli import write_docs

    folder = tmp_path_factory.mktemp("wikinews-parquet")
    write_docs(load_docs("wikinews"), folder / "wikinews.parquet")
    assert _run([str(folder / "wikinews.parquet"), "-o", str(folder / "report"), "--quiet"]) == 0
    return folder / "report"


def test_a_parquet_file_gives_the_report_of_the_same_articles(wikinews_parquet_report, wikinews_report):
    streamed = json.loads((wikinews_parquet_report / "manifest.json").read_text())
    loaded = json.loads((wikinews_report / "manifest.json").read_text())
    # the same documents and tokens, hence the same choices: trend terms, copies, comparison, topics, keywords
    assert streamed["choices"] == loaded["choices"]
    text, same = _page_text(wikinews_parquet_report / "report.html"), _page_text(wikinews_report / "report.html")
    summary = re.compile(r"Summary¶? (This corpus holds .*?) The corpus")
    assert summary.search(text).group(1) == summary.search(same).group(1)
    topics = re.compile(r"(The number of topics.*?) Topic map")
    assert topics.search(text).group(1) == topics.search(same).group(1)
    assert ("The corpus was read from one Parquet file by ct.Corpus.from_parquet: every row is a document and its "
            "text is taken as stored") in text
    assert _problems(wikinews_parquet_report) == []


def _problems(report_folder) -> list[str]:
    """Tracebacks and warnings printed by the report's cells."""
    nb = nbformat.read(report_folder / "report.ipynb", as_version=4)
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output["output_type"] == "error" or (output["output_type"] == "stream" and output["name"] == "stderr"
                                                    and "Warning" in output["text"]):
                found.append(f"cell {index}: {output.get('ename') or output['text'][:200]}")
    return found


def test_no_traceback_or_warning_on_the_bundled_corpora(wikinews_report, lee_reports, seeds_report):
    for folder in (wikinews_report, lee_reports[0], seeds_report):
        assert _problems(folder) == []


def captured_lines(capsys) -> list[str]:
    return [re.sub(r" \(\d+\.\d s\)$", "", line) for line in capsys.readouterr().out.splitlines()]


# ------------------------------------------------------------ hostile input, small corpora
HOSTILE = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '"><svg onload=alert(1)>']
HOSTILE_FOLDER = '"><svg onload=alert(1)>'
HOSTILE_FILE = "<img src=x onerror=alert(1)>.jsonl"
WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    """The report on 12 short articles with markup in every field and in the folder and file names.

    The articles share all their words but one, so that no term is in at least 2 and at most
    half of the documents (the topic section's limits) and none occurs five times in one group.
    """
    folder = tmp_path_factory.mktemp("hostile") / HOSTILE_FOLDER
    folder.mkdir()
    rows = [{"id": f"{HOSTILE[i % 3]}{i}", "title": f"{HOSTILE[i % 3]} title {i}",
             "source": f"{HOSTILE[(i + 1) % 3]} wire",
             "section": ["world <b onmouseover=alert(1)>x</b>", "<script>alert(2)</script>"][i % 2],
             "date": f"2021-0{1 + i % 3}-1{i % 9}",
             "text": f"Oil prices rose {' '.join(HOSTILE)} {WORDS[i]} as markets opened."}
            for i in range(12)]
    (folder / HOSTILE_FILE).write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    (folder / "<svg onload=alert(3)>.txt").write_text("", encoding="utf-8")  # a load-report entry
    out = folder.parent / "report"
    assert _run([str(folder), "-o", str(out), "--quiet", "--param", "N_TOPICS=3"]) == 0
    return out / "report.html"


class _Markup(HTMLParser):
    """What a page would run or load: scripts, event-handler attributes, images, svg, javascript: links.

    Documents inside ``<iframe srcdoc>`` (the topic map) are read too.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict, str]] = []
        self.live: list[tuple] = []
        self.text: list[str] = []
        self.frames: list[_Markup] = []
        self._in_script: dict | None = None

    def handle_starttag(self, tag, attrs):
        named = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.live.append((tag, name, value))
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    ("javascript:", "vbscript:")):
                self.live.append((tag, name, value))
        if tag == "img" and not (named.get("src") or "").startswith("data:"):
            self.live.append((tag, named))
        if tag in ("object", "embed", "base") or (tag == "meta" and "http-equiv" in named):
            self.live.append((tag, named))
        if tag == "iframe":
            frame = _Markup()
            frame.feed(named.get("srcdoc") or "")
            self.frames.append(frame)
            if named.get("src"):
                self.live.append((tag, "src", named["src"]))
        if tag == "script":
            self._in_script = named
            self.scripts.append((named, ""))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts[-1] = (self.scripts[-1][0], self.scripts[-1][1] + data)
        else:
            self.text.append(data)


def _own_script(attrs: dict, code: str) -> bool:
    """One of the topic map's three scripts: d3, ldavis.js, or the call drawing the map with its data."""
    if attrs:
        return False
    code = code.strip()
    return (code.startswith("// https://d3js.org v5") or code.startswith("/* Original code taken from "
            "https://github.com/cpsievert/LDAvis */")
            or (re.fullmatch(r'new LDAvis\("#ldavis_topics", \{[^<]*\}\);', code) is not None))


def test_markup_in_the_data_is_shown_as_text(hostile_report):
    page = _Markup()
    page.feed(hostile_report.read_text(encoding="utf-8"))
    assert page.live == [] and page.scripts == []
    assert len(page.frames) == 1                        # the topic map
    topic_map = page.frames[0]
    assert topic_map.live == [] and len(topic_map.scripts) == 3
    assert all(_own_script(attrs, code) for attrs, code in topic_map.scripts)
    # every field reached the page, as text
    text = "".join(page.text)
    assert f"Corpus: {hostile_report.parents[1] / HOSTILE_FOLDER}" in text        # the folder
    # the load report's entry for the hostile file name (pandas shortens the path to 50 characters,
    # and the temporary folder's length varies, so only the problem is sure to show in full)
    assert "empty file (no text)" in text
    assert "<img src=x onerror=alert(1)> wire" in text                          # sources
    assert "documents whose sections is <script>alert(2)</script> (the largest group)" in text
    # the KWIC tables show doc ids and contexts holding the markup, as text
    cells = [unescape(c) for c in re.findall(r'id="T_kwic-\d+_row\d+_col\d+">([^<]*)</td>',
                                             hostile_report.read_text(encoding="utf-8"))]
    assert "<img src=x onerror=alert(1)>1" in cells
    assert any('onerror=alert(1)> "><svg onload=' in cell for cell in cells)


def test_small_corpus_sections_adapt(hostile_report):
    html = hostile_report.read_text(encoding="utf-8")
    assert "No term is in at least 2 and at most half of the 12 documents, too few for 3 topics; the model " \
           "uses all" in html
    for heading in ("Trends", "Keyness", "Co-occurrence network", "Topics", "Topic map", "Keywords in context"):
        assert f">{heading}" in html
    assert "<iframe srcdoc=" in html
    assert len(re.findall(r"</strong>: (?:showing 6 of )?[\d,]+ occurrences?</p>", html)) == 3


def test_an_error_after_the_cell_ran_fails_the_report():
    # the inline backend draws figures after the cell's code (a post_execute hook): an error
    # there leaves an error output while the cell itself "succeeds"
    source = ("ip = get_ipython()\n"
              "def boom():\n"
              "    ip.events.unregister('post_execute', boom)\n"
              "    raise ValueError('drawing failed')\n"
              "ip.events.register('post_execute', boom)")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source), nbformat.v4.new_code_cell("1 + 1")])
    with pytest.raises(report.ReportError, match=r"^late\.ipynb, cell 1: ValueError: drawing failed"):
        report.execute_notebook(nb, name="late.ipynb")


# ------------------------------------------------------------ copies and syndication
def test_largest_copy_groups_lists_sizes_kinds_dates_sources_and_headlines():
    groups = pd.DataFrame({
        "group": [0, 0, 1, 1, 1, 2, 2],
        "doc_id": ["a", "b", "c", "d", "e", "f", "g"],
        "kind": ["first", "near", "first", "exact", "contained", "first", "exact"],
        "date": pd.to_datetime(["2021-01-02", "2021-01-09", "2021-01-01", None, "2021-02-01", None, None]),
        "source": ["W", "D", "W", "W", "H", "D", "D"],
    })
    docs = pd.DataFrame({"title": ["<b>Oil</b> up", "Oil rises", "", "Gold", "Gold", None, "  "],
                         "text": ["x", "x", "Gold fell   as the\ndollar rose.", "x", "x", "y" * 100, "y"]},
                        index=list("abcdefg"))
    table = largest_copy_groups(groups, docs)
    assert table.index.tolist() == [1, 0, 2]                       # 3 members, then 2 and 2 in group order
    assert table.to_dict("list") == {
        "documents": [3, 2, 2],
        "copies": ["exact 1, contained 1", "near 1", "exact 1"],
        "first date": ["2021-01-01", "2021-01-02", ""],
        "last date": ["2021-02-01", "2021-01-09", ""],
        "sources": [2, 2, 1],
        "headlines": [1, 2, 0],
        # no title: the start of the text, whitespace folded; the data's own markup, to be escaped when shown
        "headline": ["Gold fell as the dollar rose.", "<b>Oil</b> up", "y" * 89 + "…"],
    }
    assert largest_copy_groups(groups, docs, 1).index.tolist() == [1]
    # columns that would say nothing are left out: no dates, one source, no titles
    bare = largest_copy_groups(groups.assign(date=pd.NaT, source="W"), docs.assign(title=None))
    assert list(bare.columns) == ["documents", "copies", "headline"]
    assert largest_copy_groups(groups.iloc[:0], docs).empty


def test_largest_copy_groups_heads_each_group_with_its_earliest_member():
    docs = pd.DataFrame({"title": ["Late copy", "Original story", "x", "y"], "text": ["", "", "", ""],
                         "date": pd.to_datetime(["2024-01-09", "2024-01-01", "2024-01-02", "2024-01-03"])},
                        index=list("abcd"))
    # no kind, the later member listed first: b (January 1st) heads the group
    later_first = pd.DataFrame({"group": [0, 0], "doc_id": ["a", "b"]})
    assert largest_copy_groups(later_first, docs)["headline"].tolist() == ["Original story"]
    # the "first" rows filtered out: the earliest member left heads its group
    copies_only = pd.DataFrame({"group": [0, 1], "doc_id": ["b", "d"], "kind": ["near", "exact"]})
    table = largest_copy_groups(copies_only, docs)
    assert table["headline"].tolist() == ["Original story", "y"] and table["documents"].tolist() == [1, 1]
    # groups sharing a document are one: a, b and c, headed by b
    shared = pd.DataFrame({"group": [0, 0, 1, 1], "doc_id": ["a", "b", "a", "c"]})
    table = largest_copy_groups(shared, docs)
    assert table.index.tolist() == [0] and table.to_dict("list") == {
        "documents": [3], "headlines": [3], "headline": ["Original story"]}
    # without dates in the docs, those near_duplicates put in the groups
    dated_groups = later_first.assign(date=pd.to_datetime(["2024-01-09", "2024-01-01"]))
    assert largest_copy_groups(dated_groups, docs.drop(columns="date"))["headline"].tolist() == ["Original story"]
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match=re.escape(f"`n` must be a positive integer; got {bad!r}.")):
            largest_copy_groups(later_first, docs, bad)


def test_distinct_headline_groups_finds_groups_of_mostly_different_headlines():
    groups = pd.DataFrame({"group": [0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4],
                           "doc_id": list("abcdefghijklmn")})
    docs = pd.DataFrame({"title": [
        "ACME 4TH QTR NET", "Bolt Corp 4th qtr net", "Cog Inc 4th qtr net",    # 0: 3 headlines of 3
        "Strike ends", "strike   ENDS", "Refinery reopens",                     # 1: one shared by 2 of 3
        "Rates on hold", "Bank pauses",                                         # 2: 2 of 2
        "Oil up", "Oil up", "Gold down", "Rain",                                # 3: the most shared on 2 of 4
        "Alone", None]},                                                        # 4: one member titled
        index=list("abcdefghijklmn"))
    assert distinct_headline_groups(groups, docs).tolist() == [0, 2, 3]
    assert distinct_headline_groups(groups, docs).name == "group"
    assert distinct_headline_groups(groups, docs.drop(columns="title")).empty
    # groups 1 and 2 sharing f: one group of five, "strike ends" on 2 of 5
    merged = pd.concat([groups, pd.DataFrame({"group": [2], "doc_id": ["f"]})])
    assert distinct_headline_groups(merged, docs).tolist() == [0, 1, 3]


WIRE, DAILY, HERALD = "<b>Wire</b>", "Daily <script>alert(1)</script>", "Herald & Co"
STORY_A = ("Workers at the northern refinery ended their strike on Monday after three weeks. "
           "The refinery will restart its two crude units within ten days, the company said. "
           "Fuel prices in the region had climbed sharply during the stoppage. "
           "Union leaders said the agreement raised wages and improved safety rules.")
LOCAL = (" Our correspondent visited the gates on Tuesday and met families waiting for the first wages in a month. "
         "Shopkeepers near the plant said trade had halved since the walkout began.")
STORY_B = ("The central bank left its main interest rate unchanged on Thursday, citing slowing inflation. "
           "Economists had expected the pause after two increases earlier in the year. "
           "The governor warned that housing costs remained a concern for many families. "
           "Markets rose modestly after the announcement, led by bank shares.")
OTHER_NEWS = [
    ("Farmers in the valley protested about water rights outside the council building.", "2021-01-12", DAILY),
    ("The mayor announced an early election after the budget vote failed in the city council.", "2021-01-20", HERALD),
    ("The national football team won the cup final with a late goal from the captain.", "2021-02-14", WIRE),
    ("A fire broke out at the coastal refinery late on Friday; nobody was hurt, firefighters said.", "2021-03-02",
     DAILY),
    ("Snow closed the mountain pass for a second day, stranding trucks bound for the port.", "2021-03-09", HERALD),
    ("Scientists released a new survey of seabirds nesting on the northern islands.", "2021-03-15", WIRE),
]


@pytest.fixture(scope="module")
def copies_report(tmp_path_factory):
    """The report on 12 articles from three sources with markup in their names: story A from the
    wire in January, copied the next days by Daily (exactly, another headline) and by Herald (with
    two sentences added, the wire's headline); story B from Daily in February, copied exactly by
    Herald and by the wire, each with a headline of its own; six unrelated articles. So 4 copies in
    2 groups: in January 2 of 5 documents, in February 2 of 4, in March 0 of 3; story B's group has
    a different headline on every member."""
    folder = tmp_path_factory.mktemp("copies")
    rows = [
        {"id": "a-wire", "title": "<img src=x onerror=alert(1)> Refinery strike ends", "source": WIRE,
         "date": "2021-01-05", "text": STORY_A},
        {"id": "a-daily", "title": "Strike over at refinery", "source": DAILY, "date": "2021-01-06", "text": STORY_A},
        {"id": "a-herald", "title": "<img src=x onerror=alert(1)>  Refinery STRIKE ends", "source": HERALD,
         "date": "2021-01-07", "text": STORY_A + LOCAL},
        {"id": "b-daily", "title": "Rates on hold [x](javascript:alert(1))", "source": DAILY, "date": "2021-02-03",
         "text": STORY_B},
        {"id": "b-herald", "title": "Bank pauses", "source": HERALD, "date": "2021-02-04", "text": STORY_B},
        {"id": "b-wire", "title": "Central bank holds", "source": WIRE, "date": "2021-02-10", "text": STORY_B},
    ] + [{"id": f"other-{i}", "title": f"Item {i}", "source": s, "date": d, "text": t}
         for i, (t, d, s) in enumerate(OTHER_NEWS)]
    (folder / "articles.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    out = folder / "report"
    assert _run([str(folder), "-o", str(out), "--quiet", "--param", "N_TOPICS=2", "--param", "TOPIC_MAP=False"]) == 0
    return out


def _table_cells(html: str, uuid: str) -> list[list[str]]:
    """The body cells of the Styler table with this uuid, row by row, as text."""
    body = re.search(rf'<table id="T_{uuid}">.*?<tbody>(.*?)</tbody>', html, flags=re.S).group(1)
    return [[unescape(c) for c in re.findall(r"<t[dh] [^>]*>([^<]*)</t[dh]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]


def test_copies_section_counts_and_shows_the_copies(copies_report):
    html = (copies_report / "report.html").read_text(encoding="utf-8")
    text = _page_text(copies_report / "report.html")
    assert ("4 of the 12 documents (33.3%) are copies of another: 3 exact, 0 near and 1 contained copies, in 2 "
            "groups. In 1 of these groups (2 of the copies) most members carry a different headline, e.g. Rates on "
            "hold [x](javascript:alert(1)) and Bank pauses: most such groups are one story under several headlines, a "
            "few may be templated notices whose figures agree (the same wording with other names). Leaving them "
            "aside, 2 copies remain, in 1 of the groups.") in text
    # the two groups of three, the wire's story first (the earlier group); its headline as text
    assert _table_cells(html, "copy-groups") == [
        ["0", "3", "exact 1, contained 1", "2021-01-05", "2021-01-07", "3", "2",
         "<img src=x onerror=alert(1)> Refinery strike ends"],
        ["1", "3", "exact 2", "2021-02-03", "2021-02-10", "3", "3", "Rates on hold [x](javascript:alert(1))"],
    ]
    # January and March are partial (the data runs from the 5th to the 15th); February, 2 of 4, has the
    # Wilson interval 0.5 -/+ 0.34997, from 15.0%
    assert ("Among the periods the data covers whole, the share of copies is highest in the period from 2021-02-01, "
            "ranked by the lower end of its interval (15.0%): 2 of its 4 documents (50.0%), against 33.3% of all "
            "dated documents.") in text
    # who carries whose stories: each source has 4 documents, so each copy is a quarter of its carrier's
    assert _table_cells(html, "copy-matrix") == [
        [WIRE, DAILY, "1", "1", "4", "0.250"], [WIRE, HERALD, "1", "1", "4", "0.250"],
        [DAILY, WIRE, "1", "1", "4", "0.250"], [DAILY, HERALD, "1", "1", "4", "0.250"]]
    # "families" is in b-daily, b-herald, b-wire and a-herald's added sentences: 3 of the 4 are copies; in
    # February 3 of 4 documents mention it, 1 of 2 without the copies: 25 points apart
    assert ("Of the trend terms, families is mentioned by the most copies: 3 of the 4 documents mentioning it.") in text
    assert "moves by at most 25.0 percentage points, in the period from 2021-02-01." in text
    section = html[html.index('id="Copies-and-syndication"'):html.index('id="Keyness"')]
    assert section.count('src="data:image/png;base64,') == 3    # over time, matrix, with and without
    assert ("4 documents (33.3%) are copies of another, in 2 groups; in 1 of these groups (2 copies) most members "
            "carry a different headline: mostly one story under several headlines, perhaps notices whose figures "
            "agree; the largest group "
            "whose members mostly share a headline holds 3 documents: <img src=x onerror=alert(1)> Refinery strike "
            "ends.") in text
    choices = json.loads((copies_report / "manifest.json").read_text())["choices"]
    assert choices["copies"] == {"groups": 2, "copies": 4, "exact": 3, "near": 0, "contained": 1,
                                 "distinct_headline_groups": 1, "distinct_headline_copies": 2,
                                 "trend_term": "families"}


def test_copies_section_shows_markup_as_text(copies_report):
    page = _Markup()
    page.feed((copies_report / "report.html").read_text(encoding="utf-8"))
    assert page.live == [] and page.scripts == []
    assert _problems(copies_report) == []
