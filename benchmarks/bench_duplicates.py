"""Near duplicates (ct.near_duplicates): accuracy on edited copies of real articles, and speed on
1M documents against datasketch's MinHashLSH on the same shingles.

Accuracy. A test set with known truth is built in memory from the BBC and Reuters-21578 articles
(never written anywhere). The pool: BBC articles and Reuters bodies of at least 100 words,
cleaned of the copies they already hold (an article sharing 30% of its word 5-grams with an
earlier one is left out, so that the truth is only the copies made here). From it, seeded:
``--originals`` originals (half BBC, half Reuters); for each, one copy per edit:

- ``headline``: a changed title, the same text (an exact copy of the kept words)
- ``drop10`` / ``drop30`` / ``drop50``: 10%, 30%, 50% of the sentences dropped at random
- ``drop70``: 70% dropped, beyond what the defaults look for (contained copies at least half
  the original's length), to show where they stop
- ``first_half``: the first half of the sentences
- ``append``: one or two paragraphs of another article appended
- ``reorder``: the paragraphs shuffled
- ``boilerplate``: "Copyright 2024 Reuters. All rights reserved." and a share-this footer added
- ``mixed``: a changed title, 20% of the sentences dropped, boilerplate added and a paragraph of
  another article appended

plus one unrelated article per original from the same BBC category or the same first Reuters
topic, which must match nothing. Recall of an edit: share of its copies put in their original's
group. Precision of an edit: of the pairs (copy, other member of its group), the share whose
other member is of the same original (the original or another copy of it); for the unrelated
articles, the share that stay in no group is shown as recall. Pairwise overall: every pair put
in one group against every pair of one family.

Speed. ``benchmarks/_common.million_docs`` (the Reuters bodies repeated: at 1M every document is
an exact copy of ~50 others) and a more realistic 1M variant: each document is a Reuters body
(seeded order) with, for 60% of them, each sentence dropped with a probability drawn between
0.1 and 0.3, for 20% a paragraph of another body appended, and 20% left whole. Both corpora are
built with the defaults and ``n_jobs=2``, ``cache=False`` (the build is timed in the parent).
Each near_duplicates call runs once in a forked process (``run_isolated``), ``n_jobs=2``; MB is
its own peak RSS less a forked no-op's. datasketch: ``MinHash.bulk`` over the same 32-bit shingle
hashes (``hashfunc=int``, 128 permutations), ``MinHashLSH(threshold=0.8)`` insert + query of every
document, on a ``--sample`` of the realistic corpus, extrapolated linearly to 1M; ours is timed on
the same sample too.

    CORPUS_TOOLS_DATA=../shared/corpora .venv/bin/python benchmarks/bench_duplicates.py [--n 1000000] [--sample 50000]
    ... bench_duplicates.py --accuracy-only [--sweep]     # the accuracy table (with --sweep: thresholds and shingle sizes)
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import corpus_tools as ct  # noqa: E402
import corpus_tools.analyses.duplicates as dup  # noqa: E402
from benchmarks._common import machine, million_docs, require_corpora, reuters_docs, run_isolated  # noqa: E402

EDITS = ["headline", "drop10", "drop30", "drop50", "drop70", "first_half", "append", "reorder", "boilerplate", "mixed"]
BOILERPLATE = ("Copyright 2024 Reuters. All rights reserved.",
               "Share this article: Facebook, Twitter, LinkedIn, Email. Sign up for our daily newsletter.")
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
_WORD = re.compile(r"[a-z]+")


# ---------------------------------------------------------------------- the test set
def paragraphs(text: str) -> list[str]:
    """Paragraphs: blank-line separated (BBC) or indented lines (Reuters)."""
    parts = re.split(r"\n\s*\n|\n {3,}", text.strip())
    return [" ".join(p.split()) for p in parts if p.strip()]


def sentences(par: str) -> list[str]:
    return [s for s in _SENT.split(par) if s]


def join(pars: list[list[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in pars if p)


def grams(text: str, k: int = 5) -> set:
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + k]) for i in range(max(0, len(words) - k + 1))}


def clean_pool(texts: list[str]) -> np.ndarray:
    """Indexes of the texts that share less than 30% of their word 5-grams with an earlier kept one."""
    index: dict = defaultdict(list)
    sizes: dict = {}
    kept = []
    for i, t in enumerate(texts):
        g = grams(t)
        if not g:
            continue
        shared: dict = defaultdict(int)
        for x in g:
            for j in index.get(x, ()):
                shared[j] += 1
        if any(c >= 0.3 * min(len(g), sizes[j]) for j, c in shared.items()):
            continue
        kept.append(i)
        sizes[i] = len(g)
        for x in g:
            index[x].append(i)
    return np.array(kept)


def base_pool() -> pd.DataFrame:
    corpora = require_corpora()
    bbc = ct.load(corpora / "bbc", errors="skip")
    bbc = pd.DataFrame({"text": bbc["text"], "title": bbc["title"], "topic": bbc["sections"].str[0],
                        "corpus": "bbc", "date": pd.NaT})
    reu = reuters_docs()
    reu = pd.DataFrame({"text": reu["text"], "title": reu["title"], "topic": reu["topics"].str[0],
                        "corpus": "reuters", "date": reu["date"]})
    pool = pd.concat([bbc, reu])
    pool = pool[pool["topic"].notna() & (pool["text"].str.count(r"[A-Za-z]+") >= 100)]
    return pool.iloc[clean_pool(pool["text"].tolist())]


def edit(kind: str, pars: list[list[str]], donor: list[list[str]], rng) -> list[list[str]]:
    if kind == "headline":
        return pars
    if kind.startswith("drop") or kind == "mixed":
        share = {"drop10": 0.1, "drop30": 0.3, "drop50": 0.5, "drop70": 0.7, "mixed": 0.2}[kind]
        flat = [(i, s) for i, p in enumerate(pars) for s in p]
        n_drop = max(1, round(share * len(flat)))
        drop = set(rng.choice(len(flat), size=min(n_drop, len(flat) - 1), replace=False).tolist())
        out = [[] for _ in pars]
        for k, (i, s) in enumerate(flat):
            if k not in drop:
                out[i].append(s)
        if kind == "mixed":
            out = out + [donor[0], list(BOILERPLATE)]
        return out
    if kind == "first_half":
        # the paragraphs kept as they are: a line without a full stop stays a sentence of its own
        n_keep, out = max(1, sum(map(len, pars)) // 2), []
        for p in pars:
            out.append(p[:n_keep])
            n_keep -= len(out[-1])
        return out
    if kind == "append":
        return pars + donor[: 1 + int(rng.integers(2))]
    if kind == "reorder":
        order = rng.permutation(len(pars))
        if len(pars) > 1 and (order == np.arange(len(pars))).all():
            order = order[::-1]
        return [pars[i] for i in order]
    if kind == "boilerplate":
        return pars + [list(BOILERPLATE)]
    raise ValueError(kind)


def test_set(n_originals: int, seed: int = 0) -> pd.DataFrame:
    """Originals, one copy per edit each, and one unrelated same-topic article per original."""
    rng = np.random.default_rng(seed)
    pool = base_pool()
    rows = []
    used = set()
    originals = []
    for corpus in ("bbc", "reuters"):
        part = pool[pool["corpus"] == corpus]
        originals += list(rng.choice(part.index.to_numpy(), size=n_originals // 2, replace=False))
    used.update(originals)
    by_topic = {t: g.index.to_numpy() for t, g in pool.groupby("topic")}
    donors = pool.index.difference(pd.Index(originals)).to_numpy()
    for fam, oid in enumerate(originals):
        o = pool.loc[oid]
        pars = [sentences(p) for p in paragraphs(o["text"])]
        date = o["date"]
        rows.append(dict(doc_id=f"o{fam}", text=join(pars), title=o["title"], family=fam, edit="original",
                         date=date, source="wire"))
        free = [d for d in by_topic[o["topic"]] if d not in used]
        donor_id = rng.choice(donors)
        while donor_id in used:
            donor_id = rng.choice(donors)
        donor = [sentences(p) for p in paragraphs(pool.loc[donor_id, "text"])]
        for e, kind in enumerate(EDITS):
            text = join(edit(kind, pars, donor, rng))
            title = o["title"] if kind not in ("headline", "mixed") else f"UPDATE {e}: {o['title']}".upper()
            rows.append(dict(doc_id=f"o{fam}-{kind}", text=text, title=title, family=fam, edit=kind,
                             date=date + pd.Timedelta(hours=e + 1) if pd.notna(date) else pd.NaT,
                             source=f"outlet{e}"))
        if free:
            uid = rng.choice(free)
            used.add(uid)
            u = pool.loc[uid]
            rows.append(dict(doc_id=f"u{fam}", text=join([sentences(p) for p in paragraphs(u["text"])]),
                             title=u["title"], family=-1 - fam, edit="unrelated", date=u["date"], source="wire"))
    return pd.DataFrame(rows).set_index("doc_id")


def score(docs: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Precision and recall per edit, and pairwise overall (see the module docstring)."""
    g = groups.set_index("doc_id")["group"].reindex(docs.index)
    fam = docs["family"]
    table = []
    for kind in EDITS + ["unrelated"]:
        ids = docs.index[docs["edit"] == kind]
        if kind == "unrelated":
            recall = float(g[ids].isna().mean())
        else:
            orig = pd.Index([f"o{f}" for f in fam[ids]])
            recall = float(((g[ids].to_numpy() == g[orig].to_numpy()) & g[ids].notna().to_numpy()).mean())
        good = bad = 0
        members = groups.groupby("group")["doc_id"].apply(list)
        for d in ids:
            if pd.isna(g[d]):
                continue
            for other in members[g[d]]:
                if other != d:
                    good += fam[other] == fam[d]
                    bad += fam[other] != fam[d]
        kinds = groups.set_index("doc_id")["kind"].reindex(ids).value_counts().to_dict()
        table.append(dict(edit=kind, docs=len(ids), recall=recall,
                          precision=good / (good + bad) if good + bad else float("nan"),
                          kinds=", ".join(f"{k} {v}" for k, v in kinds.items() if v)))
    # pairwise overall
    def pair_count(labels):
        c = pd.Series(labels).value_counts()
        return int((c * (c - 1) // 2).sum())
    grouped = docs.index[g.notna().to_numpy()]
    pred_pairs = pair_count(g[grouped].to_numpy())
    true_pairs = pair_count(fam.to_numpy())
    both = pair_count([f"{a}|{b}" for a, b in zip(fam[grouped], g[grouped])])
    table.append(dict(edit="all pairs", docs=len(docs), recall=both / true_pairs, precision=both / max(pred_pairs, 1),
                      kinds=""))
    return pd.DataFrame(table)


def accuracy(n_originals: int, sweep: bool) -> None:
    t0 = time.perf_counter()
    docs = test_set(n_originals)
    corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    print(f"test set: {len(docs):,} documents ({n_originals} originals x {len(EDITS)} edits + "
          f"{(docs['edit'] == 'unrelated').sum()} unrelated), built in {time.perf_counter() - t0:.1f} s\n")
    t0 = time.perf_counter()
    groups = ct.near_duplicates(corpus)
    seconds = time.perf_counter() - t0
    print(f"defaults (threshold=0.8, shingle=5, num_perm=128, bands={groups.attrs['bands']}), "
          f"{seconds:.2f} s, {groups.attrs['n_candidates']:,} candidate pairs, "
          f"{groups.attrs['n_checked_exactly']:,} checked exactly\n")
    table = score(docs, groups)
    print("| edit | documents | precision | recall | kinds reported |")
    print("|---|---:|---:|---:|---|")
    for r in table.itertuples():
        print(f"| {r.edit} | {r.docs:,} | {r.precision:.3f} | {r.recall:.3f} | {r.kinds} |")
    if not sweep:
        return
    print("\n| threshold | shingle | containment | within | bands | precision (all pairs) | recall (all pairs) "
          "| worst recall (edit, drop70 aside) | worst precision (edit) |")
    print("|---:|---:|---|---|---:|---:|---:|---|---|")
    for within in ("sentence", "document"):
        dup._SHINGLE_WITHIN = within
        for containment in (True, False):
            for threshold in (0.7, 0.8, 0.9):
                for shingle in (3, 4, 5, 7):
                    groups = ct.near_duplicates(corpus, threshold=threshold, shingle=shingle, containment=containment)
                    t = score(docs, groups).set_index("edit")
                    edits = t.drop(index=["all pairs", "drop70"])  # drop70 is beyond the goal
                    wr, wp = edits["recall"].idxmin(), edits["precision"].idxmin()
                    print(f"| {threshold} | {shingle} | {containment} | {within} | {groups.attrs['bands']} "
                          f"| {t.loc['all pairs', 'precision']:.3f} | {t.loc['all pairs', 'recall']:.3f} "
                          f"| {edits.loc[wr, 'recall']:.3f} ({wr}) | {edits.loc[wp, 'precision']:.3f} ({wp}) |",
                          flush=True)
    dup._SHINGLE_WITHIN = "sentence"


# ---------------------------------------------------------------------- speed
def realistic_million(n: int, seed: int = 0) -> pd.DataFrame:
    """n Reuters bodies in a seeded order, 60% with sentences dropped, 20% with a paragraph appended."""
    base = reuters_docs()
    base = base[base["text"].str.len() > 0]
    bodies = [[sentences(p) for p in paragraphs(t)] for t in base["text"]]
    bodies = [b if b else [[t]] for b, t in zip(bodies, base["text"])]
    rng = np.random.default_rng(seed)
    src = rng.integers(len(bodies), size=n)
    what = rng.random(n)
    p_drop = rng.uniform(0.1, 0.3, size=n)
    donor = rng.integers(len(bodies), size=n)
    texts = []
    for i in range(n):
        pars = bodies[src[i]]
        if what[i] < 0.6:
            pars = [[s for s in p if rng.random() >= p_drop[i]] for p in pars]
        elif what[i] < 0.8:
            pars = pars + bodies[donor[i]][:1]
        texts.append(join(pars))
    return pd.DataFrame({"text": texts, "date": base["date"].to_numpy()[src]},
                        index=pd.Index([f"r{i:07d}" for i in range(n)], name="doc_id"))


def ours(corpus, n_jobs=2):
    out = ct.near_duplicates(corpus, n_jobs=n_jobs)
    return len(out), out.attrs["n_groups"], out.attrs["n_candidates"], out.attrs["n_checked_exactly"], \
        out.attrs["seconds"]


def shingle_lists(corpus, rows):
    h, offsets = dup._shingles(corpus, rows, 5)
    return [h[a:b] for a, b in zip(offsets[:-1], offsets[1:])]


def datasketch_lsh(shingles, threshold=0.8, num_perm=128):
    from datasketch import MinHash, MinHashLSH

    sigs = MinHash.bulk(shingles, num_perm=num_perm, hashfunc=int)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for i, m in enumerate(sigs):
        lsh.insert(i, m)
    n_pairs = sum(len(lsh.query(m)) - 1 for m in sigs)
    return n_pairs // 2


def speed(n: int, sample: int) -> None:
    import datasketch

    t0 = time.perf_counter()
    exact_docs = million_docs(n)
    real_docs = realistic_million(n)
    print(f"docs made in {time.perf_counter() - t0:.1f} s")
    builds = {}
    corpora = {}
    for name, docs in (("repeated Reuters bodies", exact_docs), ("edited Reuters bodies", real_docs)):
        t0 = time.perf_counter()
        corpora[name] = ct.Corpus.from_docs(docs, n_jobs=2, cache=False, progress=False)
        builds[name] = time.perf_counter() - t0
        print(f"{name}: {corpora[name]!r}, built in {builds[name]:.1f} s (n_jobs=2, no cache)", flush=True)
    warm = corpora["edited Reuters bodies"]
    ours(warm.select(warm.docs.index[:1000]))  # warm-up: imports
    floor = run_isolated(int)[1]
    size = f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n:,}"
    print(f"\nmachine: {machine()}; datasketch {datasketch.__version__}; one forked run per step; "
          f"MB = the step's own peak RSS less a forked no-op's {floor:.0f} MB\n")
    print("| corpus | docs | tool | s | MB | rows in groups | groups | candidate pairs | x corpus build |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    steps = {}
    for name, corpus in corpora.items():
        s, mb, (rows, n_groups, cands, checked, steps[name]) = run_isolated(ours, corpus)
        print(f"| {name} | {size} | ct.near_duplicates (2 threads) | {s:.1f} | {mb - floor:.0f} | {rows:,} "
              f"| {n_groups:,} | {cands:,} ({checked:,} checked exactly) | {s / builds[name]:.2f}x |", flush=True)
    corpus = corpora["edited Reuters bodies"]
    rows = np.arange(min(sample, n))
    sub = corpus.select(corpus.docs.index[rows])
    s, mb, (r, n_groups, cands, checked, _) = run_isolated(ours, sub, 1)
    print(f"| edited, sample | {len(rows):,} | ct.near_duplicates (1 thread) | {s:.2f} | {mb - floor:.0f} | {r:,} "
          f"| {n_groups:,} | {cands:,} | — |", flush=True)
    shingles = shingle_lists(corpus, rows[corpus.doc_lengths[rows] > 0])
    ds, dmb, pairs = run_isolated(datasketch_lsh, shingles)
    print(f"| edited, sample | {len(rows):,} | datasketch MinHash.bulk + MinHashLSH | {ds:.1f} | {dmb - floor:.0f} "
          f"| — | — | {pairs:,} pairs found | — |")
    print(f"| edited, extrapolated | {size} | datasketch (x {n / len(rows):.0f}) | {ds * n / len(rows):.0f} | — | — | — "
          f"| — | {ds * n / len(rows) / builds['edited Reuters bodies']:.1f}x |")
    print(f"\ndatasketch / ct on the sample: {ds / s:.1f}x (one thread each)")
    for name, laps in steps.items():
        print(f"ct.near_duplicates steps on {size} {name} (s): {laps}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="documents of the large corpora (default 1,000,000)")
    parser.add_argument("--sample", type=int, default=50_000, help="documents datasketch runs on (default 50,000)")
    parser.add_argument("--originals", type=int, default=400, help="originals of the accuracy test set (default 400)")
    parser.add_argument("--accuracy-only", action="store_true")
    parser.add_argument("--sweep", action="store_true", help="also try other thresholds and shingle sizes")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    accuracy(args.originals, args.sweep)
    if not args.accuracy_only:
        print()
        speed(args.n, args.sample)


if __name__ == "__main__":
    main()
