"""The README's first session runs as written (on the real Reuters corpus when it is present)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_leads_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    first_block = re.search(r"```bash\n(.*?)```", text, flags=re.S).group(1)
    assert [line.split()[:2] for line in first_block.strip().splitlines()] == [["make", "report"], ["make", "test"]]


@pytest.mark.corpora
def test_first_session_runs(corpora, monkeypatch):
    monkeypatch.chdir(README.parent)
    namespace: dict = {}
    exec(compile(python_blocks()[0], str(README), "exec"), namespace)
    corpus, model = namespace["corpus"], namespace["model"]
    assert corpus.n_docs == 21_578
    assert len(model.top_terms()) == 20 * 10
    assert set(namespace["trends"]["term"]) == {"oil", "militar*", "interest rate", "Japan"}
