"""Where bundled resources, datasets and caches live."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# In a checkout (editable install) the repository root holds data/, seeds/ and notebooks/;
# a wheel carries copies of them in corpus_tools/_bundled.
REPO_DIR = PACKAGE_DIR.parent
BUNDLED_DIR = PACKAGE_DIR / "_bundled"


def resource(name: str) -> Path:
    """Path of a bundled resource: ``"registry.json"``, ``"seeds"`` or ``"notebooks"``."""
    repo_names = {"registry.json": REPO_DIR / "data" / "registry.json"}
    for candidate in (BUNDLED_DIR / name, repo_names.get(name, REPO_DIR / name)):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"bundled resource {name!r} is missing from {BUNDLED_DIR} and {REPO_DIR}")


def _writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK)


def data_dirs() -> list[Path]:
    """Folders searched for named datasets: ``$CORPUS_TOOLS_DATA`` first, then ``data/``."""
    dirs = []
    if os.environ.get("CORPUS_TOOLS_DATA"):
        dirs.append(Path(os.environ["CORPUS_TOOLS_DATA"]).expanduser())
    if (REPO_DIR / "pyproject.toml").exists():
        dirs.append(REPO_DIR / "data")
    dirs.append(user_dir() / "data")
    return dirs


def user_dir() -> Path:
    """Per-user folder for downloads and caches outside a checkout."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "corpus_tools"


def download_dir() -> Path:
    """The first writable data folder; downloads land here."""
    for d in data_dirs():
        if _writable(d):
            return d
    raise OSError(f"none of the data folders is writable: {[str(d) for d in data_dirs()]}")


def cache_dir() -> Path:
    """Where tokenized corpora are cached: ``$CORPUS_TOOLS_CACHE``, else ``data/cache``."""
    if os.environ.get("CORPUS_TOOLS_CACHE"):
        d = Path(os.environ["CORPUS_TOOLS_CACHE"]).expanduser()
    elif (REPO_DIR / "pyproject.toml").exists() and _writable(REPO_DIR / "data"):
        d = REPO_DIR / "data" / "cache"
    else:
        d = user_dir() / "cache"
    d.mkdir(parents=True, exist_ok=True)
    return d
