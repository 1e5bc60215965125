"""Every notebook runs headless on its default parameters, and is committed without outputs."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest

from corpus_tools.report import execute_notebook, inject_parameters, notebook_parameters

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def notebooks_under(folder: Path, pattern: str = "**/*.ipynb") -> list[Path]:
    """The notebooks matching ``pattern`` under ``folder``, sorted, without Jupyter's autosaves.

    JupyterLab keeps copies in ``.ipynb_checkpoints`` folders next to any notebook opened;
    they are stale duplicates, and other hidden folders are not the project's either.
    """
    return sorted(p for p in folder.glob(pattern)
                  if not any(part.startswith(".") for part in p.relative_to(folder).parts))


ALL = notebooks_under(NOTEBOOKS)
ANALYSIS = notebooks_under(NOTEBOOKS, "*.ipynb")
LESSONS = notebooks_under(NOTEBOOKS / "teaching", "*.ipynb")
IDS = [str(p.relative_to(NOTEBOOKS)) for p in ALL]
CELL_TIMEOUT = 180


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def test_the_expected_notebooks_exist():
    names = {str(p.relative_to(NOTEBOOKS)) for p in ALL}
    assert {
        "01-loading-articles.ipynb", "02-term-frequencies-and-trends.ipynb", "03-keyness-and-kwic.ipynb",
        "04-cooccurrence-networks.ipynb", "05-topic-models.ipynb", "report.ipynb",
        "teaching/01-document-term-matrix.ipynb", "teaching/02-denominators.ipynb",
        "teaching/03-npmi.ipynb", "teaching/04-what-a-topic-is.ipynb",
    } <= names
    # every lesson has its solutions notebook
    for lesson in LESSONS:
        assert (NOTEBOOKS / "teaching" / "solutions" / f"{lesson.stem}-solutions.ipynb").is_file()


def test_checkpoint_copies_are_not_collected(tmp_path):
    for name in ("a.ipynb", ".ipynb_checkpoints/a-checkpoint.ipynb", "teaching/b.ipynb",
                 "teaching/.ipynb_checkpoints/b-checkpoint.ipynb", ".hidden.ipynb"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert notebooks_under(tmp_path) == [tmp_path / "a.ipynb", tmp_path / "teaching" / "b.ipynb"]
    assert notebooks_under(tmp_path, "*.ipynb") == [tmp_path / "a.ipynb"]
    assert notebooks_under(tmp_path / "teaching", "*.ipynb") == [tmp_path / "teaching" / "b.ipynb"]
    assert not any(".ipynb_checkpoints" in p.parts for p in ALL)


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_committed_without_outputs(path):
    nb = _read(path)
    nbformat.validate(nb)
    for index, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}, cell {index} carries outputs; strip them before committing"
            assert cell.execution_count is None, f"{path.name}, cell {index} carries an execution count"


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_structure(path):
    nb = _read(path)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    params = notebook_parameters(nb)  # raises when there is no cell tagged "parameters"
    assert params
    setup = [c for c in nb.cells if "hide-input" in c.metadata.get("tags", [])]
    assert setup and "import corpus_tools as ct" in setup[0].source
    for cell in nb.cells:
        if cell.cell_type == "code":
            ast.parse(re.sub(r"(?m)^%", "#", cell.source))  # magics aside, every cell is valid Python
    if path.parent == NOTEBOOKS:
        # analysis notebooks: the header names data, learning goals, runtime and libraries
        for word in ("**Data.**", "**You will learn**", "**Runtime**", "**Libraries**"):
            assert word in first.source, f"{path.name}: header lacks {word}"
        # offline defaults: a corpus that ships with the package; dated wherever time matters
        assert params["CORPUS"] in ("lee", "wikinews", "seeds")


@pytest.mark.parametrize("path", ALL, ids=IDS)
def test_executes_on_defaults(path):
    nb = _read(path)
    execute_notebook(nb, cwd=NOTEBOOKS, timeout=CELL_TIMEOUT, name=str(path))
    # execute_notebook raises on the first failing cell; here every code cell must have run
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code" and c.source.strip())
    if path.parent.name == "solutions":
        # the worked answers pass the lesson's own check cells (exercise 2 of lesson 04 is an opinion)
        shown = "\n".join(o.get("data", {}).get("text/plain", "") for c in nb.cells if c.cell_type == "code"
                           for o in c.outputs)
        verdicts = [line.split(".")[0] for line in shown.splitlines() if line.startswith("Exercise")]
        expected = [1, 3] if path.name.startswith("04-") else [1, 2, 3]
        assert verdicts == [f"Exercise {n}: correct" for n in expected]
    if path.name in ("02-term-frequencies-and-trends.ipynb", "05-topic-models.ipynb"):
        # dated by default: the time sections draw instead of saying "no dates"
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        markdown = [o.get("data", {}).get("text/markdown", "") for o in outputs]
        assert not any("no dates" in m for m in markdown)
        assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3
    if path.name == "02-term-frequencies-and-trends.ipynb":
        # the copies section counts them (Wikinews has none) and still draws both lines
        copies = next(c for c in nb.cells if c.get("id") == "02-term-frequencies--copies-1")
        shown = [o.get("data", {}) for o in copies.outputs]
        assert shown[0]["text/markdown"] == ("None of the 171 documents is a copy of another: the two lines coincide. "
                                             'Try `CORPUS = "reuters21578"` for a corpus with copies.')
        assert "image/png" in shown[1]


STORY_A = ("Workers at the northern refinery ended their strike on Monday after three weeks. "
           "The refinery will restart its two crude units within ten days, the company said. "
           "Fuel prices in the region had climbed sharply during the stoppage. "
           "Union leaders said the agreement raised wages and improved safety rules.")
STORY_B = ("The central bank left its main interest rate unchanged on Thursday, citing slowing inflation. "
           "Economists had expected the pause after two increases earlier in the year. "
           "The governor warned that housing costs remained a concern for many families. "
           "Markets rose modestly after the announcement, led by bank shares.")


def test_02_copies_section_counts_copies_and_groups_of_different_headlines(tmp_path):
    # story A in three outlets, two of them with the wire's headline; story B in three, each with
    # its own headline (as templated notices have); four unrelated articles
    rows = [("a1", "Refinery strike ends", "2021-01-05", STORY_A), ("a2", "Refinery strike ends", "2021-01-06", STORY_A),
            ("a3", "Strike over", "2021-01-07", STORY_A + " Families waited at the gates for wages."),
            ("b1", "Rates on hold", "2021-02-03", STORY_B), ("b2", "Bank pauses", "2021-02-04", STORY_B),
            ("b3", "Central bank holds", "2021-02-10", STORY_B),
            ("o1", "Water", "2021-01-12", "Farmers in the valley protested about water rights at the council."),
            ("o2", "Vote", "2021-01-20", "The mayor announced an early election after the budget vote failed."),
            ("o3", "Cup", "2021-02-14", "The national football team won the cup final with a late goal."),
            ("o4", "Fire", "2021-03-02", "A fire broke out at the coastal refinery; nobody was hurt.")]
    (tmp_path / "articles.jsonl").write_text("\n".join(
        json.dumps({"id": i, "title": title, "date": date, "text": text}) for i, title, date, text in rows) + "\n",
        encoding="utf-8")
    nb = inject_parameters(_read(NOTEBOOKS / "02-term-frequencies-and-trends.ipynb"),
                           {"CORPUS": str(tmp_path), "TREND_TERMS": ["refinery", "families"]})
    execute_notebook(nb, cwd=NOTEBOOKS, timeout=CELL_TIMEOUT, name="02 on copies")
    copies = next(c for c in nb.cells if c.get("id") == "02-term-frequencies--copies-1")
    shown = [o.get("data", {}) for o in copies.outputs]
    # refinery: a2 and a3 are copies (o4 is not); families: a3, b2, b3
    assert shown[0]["text/markdown"] == (
        "4 of the 10 documents are copies, in 2 groups. Documents mentioning each term that are copies: "
        "*refinery* 2, *families* 3. In 1 of the groups (2 copies) most members carry a different headline, "
        "e.g. *Rates on hold* and *Bank pauses*: mostly one story under several headlines, sometimes notices whose "
        "figures agree.")
    assert "image/png" in shown[-1]


def test_kernel_is_this_interpreter():
    import sys

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys; print(sys.executable)")])
    execute_notebook(nb)
    assert nb.cells[0].outputs[0]["text"].strip() == sys.executable


def test_dated_defaults_where_time_matters():
    for name in ("02-term-frequencies-and-trends.ipynb", "05-topic-models.ipynb", "report.ipynb"):
        assert notebook_parameters(_read(NOTEBOOKS / name))["CORPUS"] == "wikinews"


def test_lessons_use_the_bundled_dated_corpus():
    # the lessons' real-corpus sections and exercises run on the Wikinews articles, which ship
    # with the package (lee is undated and comes from gensim's test data)
    for path in notebooks_under(NOTEBOOKS / "teaching"):
        nb = _read(path)
        if path.name.startswith(("01-", "03-", "04-")):
            assert notebook_parameters(nb)["CORPUS"] == "wikinews", path.name
        sources = "\n".join(cell.source for cell in nb.cells)
        assert not re.search(r"[\"'`]lee[\"'`]", sources), f"{path.name} still names the lee corpus"


def test_undated_corpus_says_trends_are_skipped():
    nb = inject_parameters(_read(NOTEBOOKS / "02-term-frequencies-and-trends.ipynb"), {"CORPUS": "lee"})
    execute_notebook(nb, cwd=NOTEBOOKS, timeout=CELL_TIMEOUT)
    texts = [o.get("data", {}).get("text/markdown", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert "This corpus has no dates; trends are skipped." in texts
