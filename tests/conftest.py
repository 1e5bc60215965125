"""Shared fixtures: paths to the seed article and to the real corpora beside the checkout."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_bb0baf8a7e2ae5bc.txt"
SHARED_CORPORA = Path(os.environ.get("CORPUS_TOOLS_DATA") or ROOT.parent / "shared" / "corpora")


@pytest.fixture
def seed_path() -> Path:
    return SEED


@pytest.fixture
def corpora() -> Path:
    """The real corpora folder; the test is skipped when it is absent."""
    if not (SHARED_CORPORA / "README.md").exists():
        pytest.skip(f"real corpora not found at {SHARED_CORPORA}")
    return SHARED_CORPORA


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    """A single, empty data folder: nothing else on the machine is searched or written."""
    from corpus_tools import _paths

    home = tmp_path / "data"
    home.mkdir()
    monkeypatch.setattr(_paths, "data_dirs", lambda: [home])
    return home


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    # Tests never write into the user's or the checkout's cache.
    monkeypatch.setenv("CORPUS_TOOLS_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))
