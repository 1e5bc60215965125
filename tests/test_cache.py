"""ct.cache: listing and clearing the cached corpora, in Python and on the command line."""
from __future__ import annotations

import errno
import os
import re
import time

import numpy as np
import pandas as pd
import pytest

import corpus_tools as ct
from corpus_tools import _storage
from corpus_tools.cli import main

DOCS = pd.DataFrame({"text": ["Troops drilled near the river.", "Drills ended; troops left the river"]},
                    index=pd.Index(["d0", "d1"], name="doc_id"))


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CORPUS_TOOLS_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "corpus"


def build(**kwargs) -> ct.Corpus:
    return ct.Corpus.from_docs(DOCS, progress=False, **kwargs)


def age(entry, days: float) -> None:
    """Make a cached corpus look last used ``days`` ago."""
    when = time.time() - days * 86400
    for f in entry.iterdir():
        os.utime(f, (when, when))


def test_empty_cache(cache):
    table = ct.cache.info()
    assert table.empty and list(table.columns) == ct.cache.COLUMNS
    assert ct.cache.path() == cache


def test_info_describes_each_cached_corpus(cache):
    build()
    age(next(ct.cache.path().iterdir()), 1)
    build(lemmatize=True, min_df=2)
    table = ct.cache.info()
    assert len(table) == 2 and sorted(p.name for p in cache.iterdir()) == sorted(table["key"])
    # most recent first. With lemmas and min_df=2 only troop, drill and river (twice each) stay;
    # the defaults keep 9 tokens: troops drilled near river / drills ended troops left river
    assert table[["docs", "tokens", "terms"]].astype(int).values.tolist() == [[2, 6, 3], [2, 9, 7]]
    assert table["options"].tolist() == ["lemmatize=True, min_df=2", ""]
    assert (table["mb"] > 0).all() and table["corpus_tools"].eq(ct.__version__).all()
    assert table["last_used"].iloc[0] - table["last_used"].iloc[1] > pd.Timedelta("23h")


def test_loading_from_the_cache_counts_as_use(cache):
    build()
    (entry,) = cache.iterdir()
    age(entry, 10)
    before = ct.cache.info()["last_used"].iloc[0]
    build()
    assert ct.cache.info()["last_used"].iloc[0] - before > pd.Timedelta("9D")


def test_clear_old_entries_only(cache):
    build()
    (old,) = cache.iterdir()
    age(old, 3)
    build(min_df=2)
    removed = ct.cache.clear(older_than="2D")
    assert removed["key"].tolist() == [old.name]
    assert ct.cache.info()["options"].tolist() == ["min_df=2"]
    assert ct.cache.clear(older_than=pd.Timedelta("2D")).empty


def test_clear_everything_and_rebuild(cache):
    first = build()
    kept = build()  # loaded from the cache: its arrays are mapped from the folder
    removed = ct.cache.clear()
    assert len(removed) == 1 and not any(cache.iterdir())
    assert np.array_equal(kept.ids, first.ids) and (kept.dtm != first.dtm).nnz == 0
    assert list(build().vocab) == list(first.vocab) and len(ct.cache.info()) == 1


def test_an_interrupted_entry_is_listed_and_cleared(cache, capsys):
    (cache / "0123abcd").mkdir(parents=True)
    (cache / "0123abcd" / "arrays.bin").write_bytes(b"\0" * 100)
    table = ct.cache.info()
    assert table["key"].tolist() == ["0123abcd"] and table["docs"].isna().all()
    assert main(["cache"]) == 0
    assert capsys.readouterr().out.splitlines()[2].split()[2:] == [
        "?", "?", "0.0", "(incomplete:", "a", "build", "under", "way", "or", "interrupted)"]
    assert ct.cache.clear()["key"].tolist() == ["0123abcd"]


def test_what_could_not_be_removed_is_named_not_counted(cache, monkeypatch):
    build()
    monkeypatch.setattr(ct.cache.shutil, "rmtree", lambda *args, **kwargs: None)  # as without permission
    with pytest.warns(UserWarning, match=r"1 cached corpora could not be removed \(no permission\?\)"):
        assert ct.cache.clear().empty
    assert len(ct.cache.info()) == 1


@pytest.mark.parametrize("age", ["soon", 30, 2.5, np.int64(30), "-1D", "NaT"])
def test_bad_age_is_named(cache, age):
    build()
    with pytest.raises(ValueError, match=re.escape(f'`older_than` must be a duration such as "30D" or "12h"; got {age!r}.')):
        ct.cache.clear(older_than=age)
    assert len(ct.cache.info()) == 1  # nothing removed


def test_command_lists_and_clears(cache, capsys):
    build()
    build(min_df=2)
    assert main(["cache"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("2 cached corpora, ") and out[0].endswith(f"MB in {cache}")
    assert out[1].split() == ["last", "used", "(UTC)", "docs", "terms", "MB", "options"]
    assert [line.split()[-1] for line in out[2:]] == ["min_df=2", "defaults"]
    age(next(p for p in cache.iterdir() if p.name == ct.cache.info()["key"].iloc[1]), 5)
    assert main(["cache", "--clear", "--older-than", "1D"]) == 0
    assert capsys.readouterr().out.startswith("removed 1 cached corpus (")
    assert main(["cache", "--older-than", "1D"]) == 2
    assert "--older-than chooses what --clear removes; add --clear." in capsys.readouterr().err
    assert main(["cache", "--clear"]) == 0 and ct.cache.info().empty


@pytest.mark.parametrize("error", [OSError(errno.ENOSPC, "No space left on device"),
                                   PermissionError(errno.EACCES, "Permission denied")])
def test_a_cache_that_cannot_be_written_warns_and_the_corpus_is_returned(cache, monkeypatch, error):
    expected = build(cache=False)
    write = _storage.replace_with

    def failing(target, fill):
        if target.name != "vocab.txt":
            return write(target, fill)

        def half(tmp):
            tmp.write_bytes(b"apple\nban")
            raise error
        return write(target, half)

    monkeypatch.setattr(_storage, "replace_with", failing)
    with pytest.warns(UserWarning, match=r"the corpus could not be written to the cache at (.+) \(.*"
                                         + re.escape(error.strerror) + r"\); it is returned but will be built "
                                         r"again next time\. Free space there or set CORPUS_TOOLS_CACHE") as record:
        c = build()
    entry = re.search(r"cache at (\S+) ", str(record[0].message)).group(1)
    assert entry.startswith(str(cache)) and ct.cache.info().empty  # the half-written entry is gone
    assert list(c.vocab) == list(expected.vocab) and (c.dtm != expected.dtm).nnz == 0
    monkeypatch.undo()
    monkeypatch.setenv("CORPUS_TOOLS_CACHE", str(cache.parent))
    build()
    assert len(ct.cache.info()) == 1


def test_a_cache_folder_that_cannot_be_made_warns(tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("CORPUS_TOOLS_CACHE", str(tmp_path / "a-file" / "cache"))
    with pytest.warns(UserWarning, match=re.escape("the corpus cache cannot be used (") + r".*a-file.*"
                                         + re.escape("); building without it.")):
        c = build()
    assert c.n_tokens == 9


def test_clear_removes_temporary_files_a_killed_writer_left(cache):
    build()
    (entry,) = cache.iterdir()
    old = entry / ".arrays.bin.4242.0123456789ab.tmp"
    young = entry / ".arrays.bin.4243.ba9876543210.tmp"
    for f in (old, young):
        f.write_bytes(b"\0" * 2**20)
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))
    assert ct.cache.clear(older_than="1D").empty  # the entry itself is kept
    assert not old.exists() and young.exists()  # a young one may belong to a writer at work
    assert len(ct.cache.info()) == 1 and list(build().vocab)


def test_options_are_told_apart_from_the_build_defaults():
    import inspect

    from corpus_tools._build import DEFAULTS

    # ct.cache.info shows what differs from these: they must be from_docs's own defaults
    params = inspect.signature(ct.Corpus.from_docs).parameters
    assert {name: params[name].default for name in DEFAULTS} == DEFAULTS
    assert set(params) - set(DEFAULTS) == {"docs", "n_jobs", "cache", "progress"}


def test_the_cache_module_does_not_import_the_corpus():
    import subprocess
    import sys

    code = "import sys, corpus_tools.cache; print('corpus_tools.corpus' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
