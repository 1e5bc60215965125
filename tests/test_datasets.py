"""ct.datasets: the registry, local lookup, the Lee loader and downloads from a local HTTP server."""
from __future__ import annotations

import functools
import hashlib
import http.server
import io
import re
import shutil
import socket
import tarfile
import threading
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import corpus_tools as ct
from corpus_tools import _paths, datasets
from corpus_tools.errors import CorpusToolsError, DatasetNotFoundError

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["abcnews", "bbc", "lee", "news100", "reuters21578", "seeds", "wikinews"]
LEE_FILE = Path(__import__("gensim").__file__).parent / "test" / "test_data" / "lee_background.cor"


# --- fixtures --------------------------------------------------------------------------------------


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture
def server(tmp_path):
    """A real HTTP server on 127.0.0.1 serving tmp_path/'srv'; yields (base_url, folder, hits)."""
    folder = tmp_path / "srv"
    folder.mkdir()
    hits: list[str] = []

    class Handler(_Handler):
        def do_GET(self):
            hits.append(self.path)
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", folder, hits
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _toy_entry(url: str | None, *, sha256: str | None = None, archive: str | None = None,
               files: str | list[str] = "toy.csv", filename: str | None = None) -> dict:
    return {
        "name": "toy", "folder": "toy", "url": url, "sha256": sha256, "archive": archive,
        "filename": filename, "n_docs": 2,
        "loader": {"kind": "load", "files": files, "args": {"source": "Toy"}},
    }


TOY_CSV = b"id,date,title,text\na1,2020-01-02,First,Alpha text.\na2,2020-02-03,Second,Beta text.\n"


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _targz_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _leftovers(folder: Path) -> list[str]:
    """Temporary files or folders a download might leave behind."""
    return sorted(p.name for p in folder.rglob("*") if p.name.startswith(".") or p.suffix == ".part")


# --- the registry ----------------------------------------------------------------------------------


def test_registry_has_every_dataset_with_the_documented_fields():
    reg = datasets.registry()
    assert sorted(reg) == NAMES
    for name, entry in reg.items():
        assert entry["name"] == name
        assert entry["loader"]["kind"] in {"load", "lines", "bundled"}
        assert entry["title"] and entry["description"] and entry["licence"]
        assert isinstance(entry["n_docs"], int) and entry["n_docs"] > 0
        assert entry["sha256"] is None or re.fullmatch(r"[0-9a-f]{64}", entry["sha256"])
        assert entry["archive"] in (None, "zip", "tar.gz")
    assert {n: reg[n]["n_docs"] for n in NAMES} == {
        "abcnews": 49999, "bbc": 2225, "lee": 300, "news100": 100, "reuters21578": 21578,
        "seeds": 1, "wikinews": 171,
    }
    # Folder names are those of the shared corpora layout.
    assert {n: reg[n]["folder"] for n in ["abcnews", "bbc", "news100", "reuters21578", "wikinews"]} == {
        "abcnews": "abcnews_headlines_2003", "bbc": "bbc", "news100": "news_articles_100",
        "reuters21578": "reuters21578", "wikinews": "wikinews",
    }
    # Archives whose bytes could not be checked here carry no invented checksum.
    assert reg["reuters21578"]["sha256"] is None and reg["bbc"]["sha256"] is None


def test_registry_returns_a_fresh_copy():
    datasets.registry()["lee"]["n_docs"] = -1
    assert datasets.registry()["lee"]["n_docs"] == 300


def test_lee_checksum_is_that_of_gensims_file():
    assert _sha(LEE_FILE.read_bytes()) == datasets.registry()["lee"]["sha256"]


def test_unknown_name_lists_the_known_names():
    expected = f"`name` must be one of {NAMES!r}; got 'reuters'."
    for call in (datasets.info, datasets.load, datasets.path, datasets.download):
        with pytest.raises(ValueError) as exc:
            call("reuters")
        assert str(exc.value) == expected


def test_a_name_of_the_wrong_type_says_what_is_expected():
    with pytest.raises(TypeError, match=r"named by a string or given as a registry entry \(dict\); got int"):
        datasets.info(3)


def test_an_entry_without_loader_is_refused():
    with pytest.raises(ValueError) as exc:
        datasets.info({"name": "x"})
    assert str(exc.value) == "a dataset entry needs at least the keys 'name' and 'loader'; got ['name']."


def test_an_unknown_loader_kind_or_archive_is_refused():
    with pytest.raises(ValueError, match=r"^`loader kind` must be one of \['load', 'lines', 'bundled'\]; got 'sgml'\.$"):
        datasets.info({"name": "x", "loader": {"kind": "sgml"}})
    with pytest.raises(ValueError, match=r"^`archive` must be one of \[None, 'zip', 'tar.gz'\]; got 'rar'\.$"):
        datasets.info({"name": "x", "archive": "rar", "loader": {"kind": "load"}})


# --- listing and lookup --------------------------------------------------------------------------


def test_available_lists_the_registry_and_what_is_present(data_home):
    (data_home / "wikinews").mkdir()
    (data_home / "wikinews" / "wikinews_2019.csv").write_text("url,date,title,text\n")
    (data_home / "bbc").mkdir()  # an empty folder is not the dataset
    table = ct.datasets.list()
    assert datasets.list is datasets.available
    assert list(table.columns) == ["name", "title", "n_docs", "present", "path", "licence", "url",
                                   "sha256", "citation", "description"]
    assert table["name"].tolist() == ["lee", "seeds", "reuters21578", "bbc", "abcnews", "wikinews", "news100"]
    present = dict(zip(table["name"], table["present"]))
    assert present == {"lee": True, "seeds": True, "reuters21578": False, "bbc": False, "abcnews": False,
                       "wikinews": True, "news100": False}
    paths = dict(zip(table["name"], table["path"]))
    assert paths["wikinews"] == str(data_home / "wikinews")
    assert paths["seeds"] == str(ROOT / "seeds")
    assert paths["lee"] == str(LEE_FILE)
    assert np.isnan(paths["bbc"])
    assert table["n_docs"].dtype == "Int64"


def test_info_adds_presence_and_path(data_home):
    info = ct.datasets.info("abcnews")
    assert info["present"] is False and info["path"] is None
    assert info["url"].startswith("https://raw.githubusercontent.com/") and info["filename"] == "abcnews-date-text.csv"
    assert info["sha256"] == "dc3fdc55a6c9a9ede92e8bf1cbec8e39bff613be32c12f65893423e6671ec972"
    assert ct.datasets.info("seeds")["path"] == str(ROOT / "seeds")


def test_path_prefers_the_first_data_folder(tmp_path, monkeypatch):
    first, second = tmp_path / "a", tmp_path / "b"
    for d in (first, second):
        (d / "toy").mkdir(parents=True)
        (d / "toy" / "toy.csv").write_bytes(TOY_CSV)
    monkeypatch.setattr(_paths, "data_dirs", lambda: [first, second])
    assert datasets.path(_toy_entry(None)) == first / "toy"


def test_data_dirs_searched_include_corpus_tools_data(tmp_path, monkeypatch):
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "toy.csv").write_bytes(TOY_CSV)
    monkeypatch.setenv("CORPUS_TOOLS_DATA", str(tmp_path))
    assert datasets.path(_toy_entry(None), download=False) == tmp_path / "toy"


def test_absent_without_download_says_where_to_put_the_files(data_home):
    with pytest.raises(DatasetNotFoundError) as exc:
        datasets.path("bbc", download=False)
    assert str(exc.value) == (
        "dataset 'bbc' is not on this machine and download=False was given.\n"
        "Put the folder 'bbc/' (with */*.txt) into one of the folders searched:\n"
        f"  {data_home}\n"
        "To fetch it by hand, download http://mlg.ucd.ie/files/datasets/bbc-fulltext.zip and unpack it there as 'bbc/'.\n"
        "Or set CORPUS_TOOLS_DATA to the folder that holds 'bbc/'."
    )


def test_an_entry_without_url_cannot_be_downloaded(data_home):
    with pytest.raises(DatasetNotFoundError, match="the registry gives no URL to download it from") as exc:
        datasets.load(_toy_entry(None))
    assert "Put the folder 'toy/' (with toy.csv)" in str(exc.value)
    assert "CORPUS_TOOLS_DATA" in str(exc.value)


# --- lee and seeds ---------------------------------------------------------------------------------


def test_lee_gives_300_articles_one_per_line():
    docs = ct.datasets.load("lee")
    assert docs.shape == (300, 8)
    assert docs.index.name == "doc_id"
    assert docs.index[0] == "lee-000" and docs.index[299] == "lee-299" and docs.index.is_unique
    assert docs["text"].iloc[0].startswith(
        "Hundreds of people have been forced to vacate their homes in the Southern Highlands of New South Wales"
    )
    # Every line of the file ends in a space before the newline; text is the line without it.
    lines = LEE_FILE.read_text(encoding="utf-8").split("\n")
    assert docs["text"].tolist() == [line.strip() for line in lines]
    assert docs["text"].iloc[0].endswith("associated with those thunderstorms.\"")
    assert docs["text"].iloc[-1].startswith("Australia will take on France in the doubles rubber of the Davis Cup")
    assert docs["date"].isna().all() and docs["date"].dtype == "datetime64[ns]"
    assert docs["title"].isna().all() and docs["url"].isna().all()
    assert (docs["source"] == "Lee corpus (ABC News)").all()
    assert docs["sections"].map(len).eq(0).all()
    assert docs["line"].tolist() == list(range(1, 301))
    assert (docs["path"] == str(LEE_FILE)).all()
    assert docs.attrs["dataset"] == "lee"


def test_lee_takes_no_load_arguments():
    with pytest.raises(TypeError) as exc:
        ct.datasets.load("lee", errors="raise")
    assert str(exc.value) == "dataset 'lee' is read one document per line and takes no load arguments; got ['errors']."


def test_a_lines_dataset_skips_blank_lines_and_warns_on_a_count_mismatch(data_home):
    (data_home / "short").mkdir()
    (data_home / "short" / "s.txt").write_text("one\n\n  two  \nthree", encoding="utf-8")
    entry = {"name": "short", "filename": "s.txt", "n_docs": 5, "loader": {"kind": "lines", "source": "S"}}
    with pytest.warns(UserWarning, match=r"dataset 'short': loaded 3 documents from .*short, the registry expects 5"):
        docs = datasets.load(entry)
    assert docs.index.tolist() == ["short-000", "short-001", "short-002"]
    assert docs["text"].tolist() == ["one", "two", "three"]
    assert docs["line"].tolist() == [1, 3, 4]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="ab \t", max_size=6), max_size=30))
def test_read_lines_keeps_each_nonblank_line_in_order(tmp_path_factory, lines):
    file = tmp_path_factory.mktemp("lines") / "l.txt"
    file.write_text("\n".join(lines), encoding="utf-8")
    docs = datasets._read_lines(file, prefix="p", source=None)
    kept = [(i + 1, line.strip()) for i, line in enumerate(lines) if line.strip()]
    assert docs["text"].tolist() == [t for _, t in kept]
    assert docs["line"].tolist() == [i for i, _ in kept]
    assert docs.index.is_unique and all(d.startswith("p-") for d in docs.index)
    assert list(docs.index) == sorted(docs.index)  # zero padding keeps ids in file order


def test_seeds_path_is_the_projects_folder():
    assert datasets.path("seeds") == ROOT / "seeds"


# --- downloads -------------------------------------------------------------------------------------


def test_download_single_file_checks_sha256_and_lands_in_its_folder(data_home, server):
    base, srv, hits = server
    (srv / "toy.csv").write_bytes(TOY_CSV)
    target = datasets.download(_toy_entry(f"{base}/toy.csv", sha256=_sha(TOY_CSV)), progress=False)
    assert target == data_home / "toy"
    assert (target / "toy.csv").read_bytes() == TOY_CSV
    assert hits == ["/toy.csv"]
    assert _leftovers(data_home) == []
    # Now present: no second request.
    assert datasets.path(_toy_entry(f"{base}/toy.csv", sha256=_sha(TOY_CSV))) == target
    assert hits == ["/toy.csv"]


def test_checksum_mismatch_deletes_the_file_and_says_why(data_home, server):
    base, srv, _ = server
    (srv / "toy.csv").write_bytes(TOY_CSV)
    wrong = "0" * 64
    with pytest.raises(datasets.ChecksumError) as exc:
        datasets.download(_toy_entry(f"{base}/toy.csv", sha256=wrong), progress=False)
    assert str(exc.value) == (
        f"the file downloaded from {base}/toy.csv has sha256 {_sha(TOY_CSV)}, but the registry expects "
        f"{wrong} for dataset 'toy'; the file was deleted. The server may serve a different version; "
        "download it by hand and compare, or update the registry entry."
    )
    assert sorted(data_home.iterdir()) == []
    assert isinstance(exc.value, CorpusToolsError)


def test_missing_checksum_is_said_not_invented(data_home, server):
    base, srv, _ = server
    (srv / "toy.csv").write_bytes(TOY_CSV)
    with pytest.warns(UserWarning) as record:
        datasets.download(_toy_entry(f"{base}/toy.csv"), progress=False)
    assert [str(w.message) for w in record] == [
        f"checksum not recorded for dataset 'toy': cannot verify {base}/toy.csv; "
        f"the downloaded file has sha256 {_sha(TOY_CSV)}."
    ]
    assert (data_home / "toy" / "toy.csv").read_bytes() == TOY_CSV


def test_zip_with_one_top_folder_is_unwrapped_into_the_dataset_folder(data_home, server):
    base, srv, hits = server
    payload = _zip_bytes({"toy-1.0/toy.csv": TOY_CSV, "toy-1.0/sub/notes.txt": b"n"})
    (srv / "toy.zip").write_bytes(payload)
    entry = _toy_entry(f"{base}/toy.zip", sha256=_sha(payload), archive="zip")
    target = datasets.download(entry, progress=False)
    assert target == data_home / "toy"
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*")) == ["sub", "sub/notes.txt", "toy.csv"]
    assert (target / "toy.csv").read_bytes() == TOY_CSV
    # The archive stays as a cache: unpacking again needs no request.
    assert (data_home / "toy.zip").read_bytes() == payload
    shutil.rmtree(target)
    datasets.download(entry, progress=False)
    assert hits == ["/toy.zip"]
    datasets.download(entry, progress=False, force=True)
    assert hits == ["/toy.zip", "/toy.zip"]
    assert _leftovers(data_home) == []


def test_flat_tar_gz_is_extracted_into_the_dataset_folder(data_home, server):
    base, srv, _ = server
    payload = _targz_bytes({"toy.csv": TOY_CSV, "README.txt": b"r"})
    (srv / "toy.tar.gz").write_bytes(payload)
    target = datasets.download(_toy_entry(f"{base}/toy.tar.gz", sha256=_sha(payload), archive="tar.gz"),
                               progress=False)
    assert sorted(p.name for p in target.iterdir()) == ["README.txt", "toy.csv"]
    assert (data_home / "toy.tar.gz").exists()


def test_url_override_fetches_from_another_address(data_home, server, closed_port):
    base, srv, hits = server
    (srv / "mirror.csv").write_bytes(TOY_CSV)
    entry = _toy_entry(f"http://127.0.0.1:{closed_port}/toy.csv", sha256=_sha(TOY_CSV))
    target = datasets.download(entry, url=f"{base}/mirror.csv", progress=False)
    # The file is stored under the registry's file name, whatever the mirror calls it.
    assert (target / "toy.csv").read_bytes() == TOY_CSV
    assert hits == ["/mirror.csv"]


def test_progress_bar_shows_unless_silenced(data_home, server, capsys):
    base, srv, _ = server
    (srv / "toy.csv").write_bytes(TOY_CSV)
    entry = _toy_entry(f"{base}/toy.csv", sha256=_sha(TOY_CSV))
    datasets.download(entry, progress=False)
    assert capsys.readouterr().err == ""
    (data_home / "toy" / "toy.csv").unlink()
    datasets.download(entry, progress=True)
    err = capsys.readouterr().err
    assert "toy: toy.csv: 100%" in err and "83.0/83.0" in err


def test_offline_gives_a_clear_error(data_home, closed_port):
    url = f"http://127.0.0.1:{closed_port}/toy.csv"
    with pytest.raises(DatasetNotFoundError) as exc:
        datasets.load(_toy_entry(url), progress=False)
    message = str(exc.value)
    assert message.startswith(f"dataset 'toy' is not on this machine and downloading {url} failed (")
    assert "Connection refused" in message.splitlines()[0]
    assert f"  {data_home}\n" in message
    assert f"To fetch it by hand, download {url} and save it in 'toy/'." in message
    assert message.endswith("Or set CORPUS_TOOLS_DATA to the folder that holds 'toy/'.")
    assert sorted(data_home.iterdir()) == []  # not even an empty 'toy/' folder


def test_http_error_is_reported_with_its_status(data_home, server):
    base, _, _ = server
    with pytest.raises(DatasetNotFoundError, match=rf"the server answered 404 File not found for {base}/toy.csv"):
        datasets.download(_toy_entry(f"{base}/toy.csv"), progress=False)


def test_only_http_https_and_file_urls_are_fetched(data_home):
    with pytest.raises(ValueError) as exc:
        datasets.download(_toy_entry("ftp://example.invalid/toy.csv"), progress=False)
    assert str(exc.value) == "`URL scheme` must be one of ['http', 'https', 'file']; got 'ftp'."


def test_zip_slip_is_refused(data_home, server):
    base, srv, _ = server
    payload = _zip_bytes({"../evil.csv": b"x", "toy.csv": TOY_CSV})
    (srv / "toy.zip").write_bytes(payload)
    with pytest.raises(CorpusToolsError, match=r"toy\.zip holds an unsafe path '\.\./evil\.csv'; not unpacked\."):
        datasets.download(_toy_entry(f"{base}/toy.zip", sha256=_sha(payload), archive="zip"), progress=False)
    assert not (data_home.parent / "evil.csv").exists()
    assert not (data_home / "toy").exists()


def test_a_broken_archive_says_to_download_again(data_home, server):
    base, srv, _ = server
    (srv / "toy.zip").write_bytes(b"not a zip")
    with pytest.raises(CorpusToolsError, match=r"toy\.zip is not a readable zip archive \(.*\); delete it, or download again with force=True\."):
        datasets.download(_toy_entry(f"{base}/toy.zip", sha256=_sha(b"not a zip"), archive="zip"), progress=False)
    assert _leftovers(data_home) == []


def test_an_incomplete_folder_is_not_overwritten(data_home, server):
    base, srv, hits = server
    (data_home / "toy").mkdir()
    (data_home / "toy" / "mine.txt").write_text("keep")
    with pytest.raises(CorpusToolsError) as exc:
        datasets.download(_toy_entry(f"{base}/toy.csv"), progress=False)
    assert str(exc.value) == (
        f"{data_home / 'toy'} exists but lacks the files of dataset 'toy' (toy.csv); "
        "complete it or remove it, then try again."
    )
    assert hits == [] and (data_home / "toy" / "mine.txt").read_text() == "keep"


# --- loading through ct.load ---------------------------------------------------------------------


def test_load_downloads_then_reads_with_the_registry_arguments(data_home, server):
    base, srv, _ = server
    payload = _zip_bytes({"toy/toy.csv": TOY_CSV})
    (srv / "toy.zip").write_bytes(payload)
    entry = _toy_entry(f"{base}/toy.zip", sha256=_sha(payload), archive="zip")
    docs = datasets.load(entry, progress=False)
    assert docs.attrs["dataset"] == "toy"
    assert docs["text"].tolist() == ["Alpha text.", "Beta text."]
    assert docs["title"].tolist() == ["First", "Second"]
    assert docs["date"].tolist() == [pd.Timestamp("2020-01-02"), pd.Timestamp("2020-02-03")]
    assert (docs["source"] == "Toy").all()
    # Keyword arguments override the registry's.
    docs = datasets.load(entry, source="Other", progress=False)
    assert (docs["source"] == "Other").all()


# --- the real corpora ------------------------------------------------------------------------------


@pytest.mark.corpora
def test_recorded_checksums_match_the_shared_copies(corpora):
    for name in ["abcnews", "wikinews", "news100"]:
        entry = datasets.registry()[name]
        data = (corpora / entry["folder"] / entry["filename"]).read_bytes()
        assert _sha(data) == entry["sha256"], name


@pytest.mark.corpora
@pytest.mark.parametrize(
    "name, first, last",
    [
        ("abcnews", "2003-02-19", "2003-10-20"),
        ("wikinews", "2019-01-04", "2019-12-30"),
        ("news100", "2016-04-19", "2017-02-07"),
        ("reuters21578", "1987-02-26", "1987-10-20"),
    ],
)
def test_shared_corpora_load_with_the_registered_counts_and_dates(corpora, monkeypatch, name, first, last):
    monkeypatch.setattr(_paths, "data_dirs", lambda: [corpora])
    docs = ct.datasets.load(name, download=False, errors="skip")
    assert len(docs) == datasets.registry()[name]["n_docs"]
    assert docs["date"].min().strftime("%Y-%m-%d") == first
    assert docs["date"].max().strftime("%Y-%m-%d") == last
    assert docs.attrs["dataset"] == name


@pytest.mark.corpora
def test_shared_bbc_loads_with_categories_as_sections(corpora, monkeypatch):
    monkeypatch.setattr(_paths, "data_dirs", lambda: [corpora])
    docs = ct.datasets.load("bbc", download=False, errors="skip")
    assert len(docs) == 2225
    assert docs["sections"].explode().value_counts().to_dict() == {
        "sport": 511, "business": 510, "politics": 417, "tech": 401, "entertainment": 386,
    }
    assert (docs["source"] == "BBC News").all()
    assert docs["date"].isna().all()


def test_wikinews_ships_with_the_package(tmp_path, monkeypatch):
    # no data folder holds it and there is no network: the bundled copy is read
    monkeypatch.setenv("CORPUS_TOOLS_DATA", str(tmp_path))
    monkeypatch.setattr(ct.datasets._paths, "data_dirs", lambda: [tmp_path])
    found = ct.datasets.path("wikinews", download=False)
    assert found == ct.datasets._paths.PACKAGE_DIR / "bundled_data" / "wikinews"
    assert (found / "LICENCE.md").read_text(encoding="utf-8").count("Creative Commons Attribution 2.5") == 1
    # the file is the registry's, byte for byte
    import hashlib
    digest = hashlib.sha256((found / "wikinews_2019.csv").read_bytes()).hexdigest()
    assert digest == ct.datasets.info("wikinews")["sha256"]
    docs = ct.datasets.load("wikinews")
    assert len(docs) == 171 and docs["date"].notna().all()
    assert (docs["date"].min(), docs["date"].max()) == (pd.Timestamp("2019-01-04"), pd.Timestamp("2019-12-30"))
