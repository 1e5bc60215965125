"""Copy groups read by the corpus layer: Corpus.drop_duplicates and the dedupe= option keep the
same documents, for overlapping, chained and unknown-id groups (hand-checked, and against a
plain loop), and bad groups are refused with the same messages."""
from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import corpus_tools as ct
from corpus_tools import _groups
from _hand_stories import earliest_first, hand_stories
from corpus_tools.analyses._dedupe import kept_mask, without_copies

# b (Jan 1) is the earliest of the story a, b, c, f; d (Jan 5) of d, e (undated: the latest);
# g is in no group, h is alone in this corpus.
DOCS = pd.DataFrame(
    {"text": ["oil rose", "oil rose again", "oil rose once more", "gold fell", "gold fell again",
              "oil rose a fourth time", "wheat was flat", "copper climbed"],
     "date": pd.to_datetime(["2024-01-03", "2024-01-01", "2024-01-02", "2024-01-05", None, "2024-01-04",
                             "2024-01-06", "2024-01-07"])},
    index=pd.Index(list("abcdefgh"), name="doc_id"))
# a table concatenated from several runs and edited by hand: groups 0 and 1 share b, 1 and 2
# share c (a chain); zz, yy, xx and ww are in no corpus here
GROUPS = pd.DataFrame({"group": [0, 0, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5],
                       "doc_id": ["a", "b", "b", "c", "c", "f", "d", "e", "zz", "h", "yy", "xx", "ww"]})


@pytest.fixture(scope="module")
def corpus():
    return ct.Corpus.from_docs(DOCS, cache=False, progress=False)


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def test_drop_duplicates_merges_groups_that_share_a_document(corpus):
    assert corpus.drop_duplicates(GROUPS).docs.index.tolist() == ["b", "d", "g", "h"]
    assert corpus.drop_duplicates(GROUPS, keep="last").docs.index.tolist() == ["e", "f", "g", "h"]
    assert corpus.drop_duplicates(GROUPS, keep=False).docs.index.tolist() == ["g"]
    # group by group, c would be kept as the earliest of group 2 and dropped as a copy in group 1
    assert corpus.drop_duplicates(GROUPS[GROUPS["group"] == 2]).docs.index.tolist() == list("abcdegh")


def test_drop_duplicates_keeps_what_dedupe_counts(corpus):
    kept = corpus.drop_duplicates(GROUPS).docs.index.tolist()
    with pytest.warns(UserWarning, match=re.escape("4 of the 13 rows of `dedupe` name a doc_id that is not in the "
                                                   "corpus and are left out")):
        mask, _ = kept_mask(corpus, GROUPS)
    assert DOCS.index[mask].tolist() == kept
    assert quiet(without_copies, corpus, GROUPS)[0].docs.index.tolist() == kept
    trend = quiet(ct.term_trends, corpus, "oil", dedupe=GROUPS)
    assert trend.attrs["n_copies_dropped"] == corpus.n_docs - len(kept) == 4
    # and on the groups near_duplicates finds, concatenated with themselves under other labels
    found = ct.near_duplicates(corpus, threshold=0.3, containment=False)
    twice = pd.concat([found, found.assign(group=found["group"] + 100)])
    assert corpus.drop_duplicates(twice).docs.index.tolist() == corpus.drop_duplicates(found).docs.index.tolist()
    assert DOCS.index[kept_mask(corpus, twice)[0]].tolist() == corpus.drop_duplicates(found).docs.index.tolist()


def test_group_members_in_order(corpus):
    members = _groups.group_members(corpus.docs, GROUPS)
    assert corpus.docs.index[members.rows].tolist() == ["b", "c", "a", "f", "d", "e", "h"]
    assert members.group.tolist() == [0, 0, 0, 0, 3, 3, 4]
    assert members.is_first.tolist() == [True, False, False, False, True, False, True]
    assert members.is_last.tolist() == [False, False, False, True, False, True, True]
    assert members.n_not_found == 4


@pytest.mark.parametrize(("groups", "error", "message"), [
    ([("a", "b")], TypeError, "`groups` must be the DataFrame ct.near_duplicates returns; got list."),
    (GROUPS[["doc_id"]], ValueError, "`groups` must have the columns 'group' and 'doc_id', as ct.near_duplicates "
                                     "returns; it has no ['group'] (its columns are ['doc_id'])."),
    (pd.DataFrame({"group": [0, None], "doc_id": ["a", "b"]}), ValueError,
     "`groups` has 1 rows without a `group` (doc_id ['b']); give each row a group, or drop those rows with "
     "groups.dropna(subset=['group'])."),
])
def test_bad_groups_explain(corpus, groups, error, message):
    with pytest.raises(error) as err:
        corpus.drop_duplicates(groups)
    assert str(err.value) == message


def test_bad_keep_explains(corpus):
    for keep in ("middle", True, None):
        with pytest.raises(ValueError) as err:
            corpus.drop_duplicates(GROUPS, keep=keep)
        assert str(err.value) == f"`keep` must be one of ['first', 'last', False]; got {keep!r}."


def test_the_corpus_layer_does_not_import_the_analyses():
    tree = ast.parse(Path(_groups.__file__).read_text())
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not [m for m in imported if "analyses" in m or m.startswith(".")]


# ---------------------------------------------------------------------- against a plain loop
@st.composite
def docs_and_groups(draw):
    n = draw(st.integers(1, 12))
    days = draw(st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=n, max_size=n))
    docs = pd.DataFrame({"text": [f"word{i} other{i}" for i in range(n)],
                         "date": pd.to_datetime([None if d is None else f"2024-01-{d + 1:02d}" for d in days])},
                        index=pd.Index([f"d{i}" for i in range(n)], name="doc_id"))
    ids = [f"d{i}" for i in range(n)] + ["u0", "u1"]   # u0, u1: in no corpus
    rows = draw(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(ids)), max_size=12))
    return docs, pd.DataFrame(rows, columns=["group", "doc_id"]), draw(st.randoms(use_true_random=False))


def loop_stories(docs, groups):
    """The stories (lists of doc_id present in docs, earliest first): groups joined by hand
    through the documents they share, the absent ones included."""
    stories = ([d for d in ids if d in docs.index] for ids in hand_stories(groups).values())
    return [earliest_first(docs, ids) for ids in stories if ids]


@settings(max_examples=60, deadline=None)
@given(docs_and_groups())
def test_drop_duplicates_matches_a_plain_loop_and_dedupe(case):
    docs, groups, rnd = case
    corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    stories = loop_stories(docs, groups)
    for keep, stays in (("first", lambda s: s[:1]), ("last", lambda s: s[-1:]), (False, lambda s: [])):
        dropped = {d for s in stories for d in s} - {d for s in stories for d in stays(s)}
        expected = [d for d in docs.index if d not in dropped]
        assert corpus.drop_duplicates(groups, keep=keep).docs.index.tolist() == expected
        # the order of the table's rows does not matter
        shuffled = groups.sample(frac=1, random_state=rnd.randint(0, 99))
        assert corpus.drop_duplicates(shuffled, keep=keep).docs.index.tolist() == expected
    if groups["doc_id"].isin(docs.index).any():
        mask, _ = quiet(kept_mask, corpus, groups)
        assert docs.index[mask].tolist() == corpus.drop_duplicates(groups).docs.index.tolist()
