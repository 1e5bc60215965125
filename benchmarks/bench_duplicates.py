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
in one group against every pair of one family. The same scores with ``check_numbers=False`` (the
words alone) are shown beside them.

Templated notices. Reuters-21578 with the default corpus options (numbers left out of the
tokens), ``ct.near_duplicates`` with ``check_numbers=False`` and with the default ``True``: groups,
rows in groups, copies, and the groups whose members mostly carry different headlines (no
headline, case and spacing folded, held by more than half of the titled members: templated
notices, or one story sent under several headlines); with ``--examples k``, k groups of each
kind to check by hand (groups of the words alone that the numbers split; groups kept with mostly
different headlines; groups kept).

Estimates. For set sizes from 8 to 1,000 and Jaccard similarities from 0.36 to 0.9, 1,000 pairs
of random sets of term ids (``shingle=1``: each id is a shingle) with a known similarity; the
bias and spread of ``ct.minhash_signatures``'s estimate (a seed per pair) and of datasketch's
``MinHash`` on the same shingle hashes, against the binomial spread of ideal MinHash.

Speed. ``benchmarks/_common.million_docs`` (the Reuters bodies repeated: at 1M every document is
an exact copy of ~50 others) and a more realistic 1M variant: each document is a Reuters body
(seeded order) with, for 60% of them, each sentence dropped with a probability drawn between
0.1 and 0.3, for 20% a paragraph of another body appended, and 20% left whole. Both corpora are
built ``--repeat`` times with the defaults and ``n_jobs=2``, ``cache=False`` (timed in the
parent; the best build is the reference of the ratios). Each near_duplicates call runs in a
forked process (``run_isolated``), ``--repeat`` times with ``n_jobs=2`` and, on the realistic
corpus, as many times with one thread, each also with ``check_numbers=False``, all
alternating; each is timed from after ``release_free_memory`` (see there) to its end. The best
and worst times are shown, the CPU seconds of the best run (all threads; less sensitive to the
other work on a shared machine than the wall time), the load average before each run, and MB: the best run's peak RSS less that of a forked process that only
releases the free memory. datasketch: ``MinHash.bulk`` over the same 32-bit shingle
hashes (``hashfunc=int``, 128 permutations), ``MinHashLSH(threshold=0.8)`` insert + query of
every non-empty document of the realistic corpus (it has no exact-copy pass), first on a
``--sample``, then on all of them when the sample's time scaled linearly stays within
``--datasketch-limit`` seconds (else the extrapolation is shown, marked as such).

    CORPUS_TOOLS_DATA=../shared/corpora .venv/bin/python benchmarks/bench_duplicates.py [--n 1000000] [--repeat 3]
    ... bench_duplicates.py --accuracy-only [--sweep] [--examples 10]
        # accuracy, estimates and the Reuters templates (with --sweep: thresholds and shingle sizes;
        # with --examples: groups to check by hand)
"""
from __future__ import annotations

import argparse
import os
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
    words = score(docs, ct.near_duplicates(corpus, check_numbers=False)).set_index("edit")
    print(f"{groups.attrs['n_texts_scanned']:,} texts scanned for their numbers, {groups.attrs['n_refused_numbers']:,} pairs "
          f"refused for their numbers; last two columns: check_numbers=False\n")
    print("| edit | documents | precision | recall | kinds reported | precision, words only | recall, words only |")
    print("|---|---:|---:|---:|---|---:|---:|")
    for r in table.itertuples():
        w = words.loc[r.edit]
        print(f"| {r.edit} | {r.docs:,} | {r.precision:.3f} | {r.recall:.3f} | {r.kinds} | {w.precision:.3f} "
              f"| {w.recall:.3f} |")
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


# ---------------------------------------------------------------------- templated notices (Reuters)
def headline_key(titles: pd.Series) -> pd.Series:
    """Titles compared as headlines: case and spacing folded, blank ones missing."""
    key = titles.astype("string").str.split().str.join(" ").str.casefold()
    return key.where(key.str.len() > 0)


def mostly_different_headlines(groups: pd.DataFrame, docs: pd.DataFrame) -> pd.Index:
    """Groups of at least two titled members where no headline is carried by more than half of them."""
    rows = pd.DataFrame({"group": groups["group"].to_numpy(),
                         "key": headline_key(docs["title"].reindex(groups["doc_id"])).to_numpy()}).dropna()
    titled = rows.groupby("group").size()
    most = rows.groupby(["group", "key"]).size().groupby(level="group").max()
    return titled.index[(titled >= 2) & (most.reindex(titled.index) <= titled / 2)]


def templates(examples: int = 0) -> None:
    """Reuters-21578 (default corpus: numbers left out), near_duplicates with and without the
    numbers of the texts: groups, rows, copies and groups whose members mostly carry different
    headlines (templated notices, or one story under several headlines)."""
    docs = reuters_docs()
    corpus = ct.Corpus.from_docs(docs, cache=False, progress=False)
    print(f"Reuters-21578: {corpus.n_docs:,} documents, default corpus options (numbers left out)\n")
    print("| check_numbers | groups | rows in groups | copies | groups with mostly different headlines "
          "(their rows) | largest groups | texts scanned | pairs refused | s |")
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|")
    found = {}
    for check in (False, True):
        t0 = time.perf_counter()
        groups = ct.near_duplicates(corpus, check_numbers=check)
        seconds = time.perf_counter() - t0
        mixed = mostly_different_headlines(groups, corpus.docs)
        sizes = groups.groupby("group").size().sort_values(ascending=False)
        print(f"| {check} | {groups.attrs['n_groups']:,} | {len(groups):,} | {groups.attrs['n_duplicates']:,} "
              f"| {len(mixed):,} ({int(groups['group'].isin(mixed).sum()):,}) | {', '.join(map(str, sizes.head(5)))} "
              f"| {groups.attrs['n_texts_scanned']:,} | {groups.attrs['n_refused_numbers']:,} | {seconds:.2f} |", flush=True)
        found[check] = groups
    if not examples:
        return
    # examples to check by hand: groups of the words alone that the numbers split, and groups kept
    before, after = found[False], found[True]
    together = after.groupby("group")["doc_id"].apply(frozenset)
    kept = set(together)
    split = [g for g, ids in before.groupby("group")["doc_id"] if frozenset(ids) not in kept]
    rng = np.random.default_rng(0)
    for name, table, pick in (("split by their numbers", before, rng.choice(split, min(examples, len(split)), replace=False)),
                              ("kept, mostly different headlines", after,
                               rng.choice(mostly_different_headlines(after, corpus.docs).to_numpy(), examples, replace=False)),
                              ("kept", after, rng.choice(after["group"].unique(), examples, replace=False))):
        print(f"\n{name}:")
        for g in sorted(pick):
            ids = table.loc[table["group"] == g, "doc_id"]
            print(f"  group {g} ({len(ids)}): " + " | ".join(
                f"{docs.loc[d, 'title']!s:.40} [{' '.join(docs.loc[d, 'text'].split())[:60]}]" for d in ids[:3]))


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


def release_free_memory() -> None:
    """Give the free heap pages a forked process inherits from its parent back to the system.

    Without this, a step run in a forked child reuses the parent's free memory, copying each
    page on its first write (the parent here holds two 1M corpora). On two threads every such
    copy also interrupts the other core to flush its address cache: the MinHash step of
    ct.near_duplicates took 4.0 s on two threads against 3.7 s on one, and 2.2 s on two threads
    after this call. A user calling the function in their own process pays none of it; the
    timed steps below start after the call.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def ours(corpus, n_jobs=2, check_numbers=True):
    release_free_memory()
    t0, cpu = time.perf_counter(), time.process_time()
    out = ct.near_duplicates(corpus, n_jobs=n_jobs, check_numbers=check_numbers)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu
    return seconds, (len(out), out.attrs["n_groups"], out.attrs["n_candidates"], out.attrs["n_checked_exactly"],
                     out.attrs["seconds"], cpu)


def shingle_lists(corpus, rows):
    """The 32-bit shingle hashes ct.near_duplicates uses, one array per document of ``rows``."""
    lists = []
    for chunk in dup._chunks(rows, corpus.doc_lengths):
        h, offsets = dup._shingles(corpus, chunk, 5)
        lists += np.split(h, offsets[1:-1])
    return lists


def datasketch_lsh(shingles, threshold=0.8, num_perm=128):
    from datasketch import MinHash, MinHashLSH

    release_free_memory()
    t0 = time.perf_counter()
    sigs = MinHash.bulk(shingles, num_perm=num_perm, hashfunc=int)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for i, m in enumerate(sigs):
        lsh.insert(i, m)
    n_pairs = sum(len(lsh.query(m)) - 1 for m in sigs)
    return time.perf_counter() - t0, n_pairs // 2


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def timed(repeat, fn, *args):
    """``repeat`` runs of fn(*args), each in a forked process: (best s, worst s, peak MB of the best,
    result of the best, load averages before each run). fn returns (its own seconds, result)."""
    runs = []
    for _ in range(repeat):
        before = load()
        _, mb, (s, result) = run_isolated(fn, *args)
        runs.append((s, mb, result, before))
    best = min(runs, key=lambda r: r[0])
    return best[0], max(r[0] for r in runs), best[1], best[2], [r[3] for r in runs]


def speed(n: int, sample: int, repeat: int, datasketch_limit: float) -> None:
    import datasketch

    t0 = time.perf_counter()
    docs = {"repeated Reuters bodies": million_docs(n), "edited Reuters bodies": realistic_million(n)}
    print(f"docs made in {time.perf_counter() - t0:.1f} s; load average at the start {load()}")
    builds, corpora = {}, {}
    for name, frame in docs.items():
        times = []
        for _ in range(repeat):
            corpora.pop(name, None)
            t0 = time.perf_counter()
            corpora[name] = ct.Corpus.from_docs(frame, n_jobs=2, cache=False, progress=False)
            times.append(time.perf_counter() - t0)
        builds[name] = min(times)
        print(f"{name}: {corpora[name]!r}, built in {min(times):.1f} s (best of {repeat}: "
              f"{', '.join(f'{t:.1f}' for t in times)}; n_jobs=2, no cache; load {load()})", flush=True)
    del docs
    warm = corpora["edited Reuters bodies"]
    ours(warm.select(warm.docs.index[:1000]))  # warm-up: imports
    floor = run_isolated(release_free_memory)[1]
    size = f"{n / 1e6:g}M" if n >= 1_000_000 else f"{n:,}"
    print(f"\nmachine: {machine()}; datasketch {datasketch.__version__}; each step in a forked process, "
          f"best of {repeat} (worst after the slash); MB = the best run's peak RSS less a forked process's "
          f"that only releases the free memory, {floor:.0f} MB\n")
    print("| corpus | docs | tool | s (best / worst) | CPU s | MB | rows in groups | groups | candidate pairs "
          "| x corpus build | load before each run |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    steps = {}
    for name, corpus in corpora.items():
        # on the edited corpus, runs on 2 threads and on 1 alternate, and with the words alone
        # (check_numbers=False), so that all meet the same load
        jobs = [(2, True), (1, True), (2, False), (1, False)] if name == "edited Reuters bodies" else [(2, True), (2, False)]
        found = {job: [] for job in jobs}
        for _ in range(repeat):
            for n_jobs, check in jobs:
                found[n_jobs, check].append(timed(1, ours, corpus, n_jobs, check))
        for n_jobs, check in jobs:
            runs = found[n_jobs, check]
            best_run = min(runs, key=lambda r: r[0])
            best, mb, (rows, n_groups, cands, checked, laps, cpu) = best_run[0], best_run[2], best_run[3]
            worst = max(r[0] for r in runs)
            label = f"{n_jobs} thread{'s' if n_jobs > 1 else ''}" + ("" if check else ", words only")
            steps[f"{name}, {label}"] = laps
            if check and n_jobs == 2:
                best2 = best
            elif check:
                best1 = best
            print(f"| {name} | {size} | ct.near_duplicates ({label}) "
                  f"| {best:.1f} / {worst:.1f} | {cpu:.1f} | {mb - floor:,.0f} | {rows:,} | {n_groups:,} "
                  f"| {cands:,} ({checked:,} checked exactly) | {best / builds[name]:.2f}x "
                  f"| {', '.join(r[4][0] for r in runs)} |", flush=True)
    corpus = corpora["edited Reuters bodies"]
    name = "edited Reuters bodies"
    # datasketch: every non-empty document of the edited corpus (it has no exact-copy pass), on a
    # sample first; on all of them when the sample's time, scaled linearly, stays within the limit
    nonempty = np.flatnonzero(corpus.doc_lengths > 0)
    shingles = shingle_lists(corpus, nonempty)
    first = shingles[: min(sample, len(shingles))]
    ds, _, dmb, pairs, loads = timed(1, datasketch_lsh, first)
    print(f"| edited, first {len(first):,} | {len(first):,} | datasketch MinHash.bulk + MinHashLSH | {ds:.1f} | "
          f"| {dmb - floor:,.0f} | — | — | {pairs:,} pairs found | — | {', '.join(loads)} |", flush=True)
    guess = ds * len(shingles) / len(first)
    if len(first) < len(shingles) and guess <= datasketch_limit:
        ds, _, dmb, pairs, loads = timed(1, datasketch_lsh, shingles)
        print(f"| {name} | {size} | datasketch MinHash.bulk + MinHashLSH | {ds:.1f} | | {dmb - floor:,.0f} | — | — "
              f"| {pairs:,} pairs found | {ds / builds[name]:.2f}x | {', '.join(loads)} |", flush=True)
        print(f"\ndatasketch / ct.near_duplicates on {size} edited bodies: {ds / best2:.1f}x (2 threads), "
              f"{ds / best1:.1f}x (1 thread)")
    elif len(first) < len(shingles):
        print(f"| {name}, extrapolated | {size} | datasketch (x {len(shingles) / len(first):.0f}, not run: "
              f"over {datasketch_limit:.0f} s) | {guess:.0f} | | — | — | — | — | {guess / builds[name]:.1f}x | |")
    for name, laps in steps.items():
        print(f"ct.near_duplicates steps on {size} {name}, best run (s): {laps}")
    print(f"load average at the end: {load()}")


def estimator_error(trials: int = 1000) -> None:
    """Bias and spread of the similarity estimates against the true Jaccard similarity, for
    ct.minhash_signatures and datasketch's MinHash on the same shingle hashes, against the
    binomial error of ideal MinHash, sqrt(J (1 - J) / 128)."""
    from datasketch import MinHash

    rng = np.random.default_rng(1)
    vocab = [f"t{i}" for i in range(100_000)]
    print("| set size | Jaccard | ideal sd | ct bias | ct sd | datasketch bias | datasketch sd |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size, jaccard in ((8, 0.6), (20, 0.5), (60, 0.36), (60, 0.8), (300, 0.8), (1000, 0.9)):
        common = int(round(2 * size * jaccard / (1 + jaccard)))
        docs, truth = [], []
        for _ in range(trials):
            # one sentence of distinct term ids per document: with shingle=1 each id is a shingle
            ids = rng.choice(len(vocab), size=2 * size - common, replace=False)
            docs += [ids[:size], np.r_[ids[:common], ids[size:]]]
            truth.append(common / len(ids))
        lengths = np.array([len(d) for d in docs])
        offsets = np.r_[0, np.cumsum(lengths)]
        frame = pd.DataFrame({"text": [""] * len(docs)})
        corpus = ct.Corpus(frame, vocab, np.concatenate(docs).astype(np.int32),
                           offsets, offsets)
        ours_err, theirs_err = [], []
        for t in range(trials):
            rows = np.array([2 * t, 2 * t + 1])
            sig, _ = dup.minhash_signatures(corpus, rows, shingle=1, random_state=t)
            ours_err.append((sig[0] == sig[1]).mean() - truth[t])
            h, offsets_t = dup._shingles(corpus, rows, 1)
            a, b = MinHash.bulk([h[: offsets_t[1]], h[offsets_t[1]:]], num_perm=128, hashfunc=int, seed=t)
            theirs_err.append(a.jaccard(b) - truth[t])
        print(f"| {size} | {jaccard} | {np.sqrt(jaccard * (1 - jaccard) / 128):.4f} | {np.mean(ours_err):+.4f} "
              f"| {np.std(ours_err):.4f} | {np.mean(theirs_err):+.4f} | {np.std(theirs_err):.4f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="documents of the large corpora (default 1,000,000)")
    parser.add_argument("--sample", type=int, default=50_000,
                        help="documents datasketch runs on first, to see whether all of them fit the limit (50,000)")
    parser.add_argument("--datasketch-limit", type=float, default=600,
                        help="run datasketch on all documents when the sample, scaled linearly, takes at most "
                             "this many seconds (default 600)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each build and ct step (default 3)")
    parser.add_argument("--originals", type=int, default=400, help="originals of the accuracy test set (default 400)")
    parser.add_argument("--accuracy-only", action="store_true",
                        help="accuracy, estimates and the Reuters templates; no speed part")
    parser.add_argument("--examples", type=int, default=0,
                        help="Reuters groups to show per kind (split by their numbers, kept), to check by hand")
    parser.add_argument("--sweep", action="store_true", help="also try other thresholds and shingle sizes")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    accuracy(args.originals, args.sweep)
    print("\nTemplated notices:\n")
    templates(args.examples)
    print("\nSimilarity estimates against the true Jaccard similarity (1,000 pairs of random sets each):\n")
    estimator_error()
    if not args.accuracy_only:
        print()
        speed(args.n, args.sample, args.repeat, args.datasketch_limit)


if __name__ == "__main__":
    main()
