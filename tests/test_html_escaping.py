"""Text from the data reaches HTML as text: Markdown in reports, notebook tables, the topic map."""
from __future__ import annotations

import json
import re
from html import unescape

import pandas as pd
import pytest
from nbconvert.filters.markdown import markdown2html

import corpus_tools as ct
from corpus_tools.analyses._topic_ldavis import _json_for_script, _numbered_from_one, ldavis_html
from corpus_tools.report import markdown_escape

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
           "[click](javascript:alert(1))", "<javascript:alert(1)>", "a `b` *c* _d_ # e\n- f", "&lt;b&gt; &amp;"]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("code", [False, True])
def test_markdown_escape_renders_the_text_and_nothing_else(value, code):
    # rendered as nbconvert renders a report's Markdown output (raw HTML and any link kept)
    rendered = markdown2html(f"Before **{markdown_escape(value, code=code)}** after")
    inner = re.fullmatch(r"<p>Before <strong>(?:<code>)?(.*?)(?:</code>)?</strong> after</p>\n", rendered, re.S)
    assert inner is not None, rendered
    assert "<" not in inner.group(1) and "href" not in inner.group(1)
    assert unescape(inner.group(1)) == value.replace("\n", " ")


def test_markdown_escape_keeps_plain_words():
    assert markdown_escape("sport") == "sport"
    assert markdown_escape("sections", code=True) == "`sections`"
    assert markdown_escape("a ``b`` c", code=True) == "```a ``b`` c```"


def _corpus():
    docs = pd.DataFrame({"text": ["oil prices rose as oil markets opened", "gold fell as gold traders sold",
                                  "wheat crops failed in the rain", "oil and gold and wheat prices"] * 3},
                        index=pd.Index([f"d{i}" for i in range(12)], name="doc_id"))
    return ct.Corpus.from_docs(docs, cache=False, progress=False)


def test_corpus_repr_html_escapes_its_values(monkeypatch):
    corpus = _corpus()
    monkeypatch.setattr(type(corpus), "_date_range", lambda self: "<script>alert(1)</script>")
    html = corpus._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.startswith("<table><caption>Corpus</caption><tr><th style='text-align:left'>documents</th><td>12</td>")


@pytest.fixture(scope="module")
def model():
    return ct.TopicModel(3, random_state=0).fit(_corpus())


def _map_data(page: str) -> dict:
    return json.loads(re.search(r'new LDAvis\("#ldavis_topics", (\{.*\})\);', page).group(1))


def test_topic_map_counts_topics_from_one_in_the_models_order(model):
    prepared = model.to_ldavis_data()
    assert prepared.topic_coordinates["topics"].tolist() == [0, 1, 2]      # the model's numbers
    data = _map_data(ldavis_html(prepared))
    # ldavis.js reads topic 0 as "none selected": the page shows topic t as t + 1, same order
    assert data["mdsDat"]["topics"] == [1, 2, 3] and data["topic.order"] == [1, 2, 3]
    assert sorted(set(data["token.table"]["Topic"])) == [1, 2, 3]
    assert sorted(set(data["tinfo"]["Category"])) == ["Default", "Topic1", "Topic2", "Topic3"]
    assert data["mdsDat"]["Freq"] == pytest.approx(prepared.topic_coordinates["Freq"].tolist())
    # topic n on the map lists the terms of the model's topic n - 1
    for topic in range(3):
        mine = set(model.top_terms(5).query("topic == @topic")["term"])
        shown = {t for t, c in zip(data["tinfo"]["Term"], data["tinfo"]["Category"]) if c == f"Topic{topic + 1}"}
        assert mine <= shown


def test_topic_map_survives_complex_coordinates_and_escapes_its_title(model):
    data = model.to_ldavis_data().to_dict()
    data["mdsDat"]["x"] = [complex(v, 1e-17) for v in data["mdsDat"]["x"]]
    fixed = _numbered_from_one(data)
    assert all(type(v) is float for v in fixed["mdsDat"]["x"])
    page = ldavis_html(model.to_ldavis_data(), title="</title><script>alert(1)</script>")
    assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>" in page


def test_map_data_cannot_close_its_script():
    data = {"tinfo": {"Term": ["</script><script>alert(1)</script>", "a&b", "<!--"]}}
    text = _json_for_script(data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data
