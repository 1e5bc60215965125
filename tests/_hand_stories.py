"""A plain-loop reference for copy groups, shared by the tests of drop_duplicates and syndication:
groups that share a document are one story (joined by hand, no numpy, no graph library)."""
from __future__ import annotations

import pandas as pd


def hand_stories(groups: pd.DataFrame) -> dict:
    """{story: [doc_id, ...]}: each document in the story of the groups it is listed in, joined
    through the documents they share; documents in first-seen order."""
    story = {g: g for g in groups["group"]}

    def root(g):
        while story[g] != g:
            g = story[g]
        return g

    first_group = {}
    for g, d in zip(groups["group"], groups["doc_id"]):
        if d in first_group:
            story[root(g)] = root(first_group[d])
        else:
            first_group[d] = g
    out: dict = {}
    for d, g in first_group.items():
        out.setdefault(root(g), []).append(d)
    return out


def earliest_first(docs: pd.DataFrame, ids) -> list:
    """``ids`` sorted as the earliest member comes first: dated before undated, then by date,
    then by position in ``docs``."""
    position = {d: i for i, d in enumerate(docs.index)}
    return sorted(ids, key=lambda d: (pd.isna(docs.loc[d, "date"]),
                                      docs.loc[d, "date"] if pd.notna(docs.loc[d, "date"]) else 0, position[d]))
