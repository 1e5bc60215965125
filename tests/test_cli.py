"""The corpus-tools command line, run in-process through main() and once as a real program."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from corpus_tools import cli

ROOT = Path(__file__).resolve().parents[1]

# Four hand-made articles: two sources, sections "World"/"Asia", dates in January and March
# 2020 (none in February) and one date that cannot be parsed. No English stopwords in the
# texts, so the tokens are exactly the 8 words.
TOY_CSV = (
    "id,date,title,text,source,section\n"
    "a1,2020-01-05,One,Alpha beta.,Daily,World\n"
    "a2,2020-01-20,Two,Gamma delta epsilon.,Daily,World\n"
    "a3,2020-03-02,Three,Zeta eta.,Weekly,\n"
    "a4,someday,Four,Theta.,Weekly,Asia\n"
)


@pytest.fixture
def toy(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "toy.csv"
    path.write_text(TOY_CSV, encoding="utf-8")
    return path


@pytest.fixture
def clean(tmp_path, monkeypatch) -> Path:
    """A headline table with no problems, under non-standard column names."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "heads.csv"
    path.write_text("day,headline\n20030219,iraq talks resume\n20030301,rain at last\n", encoding="utf-8")
    return path


# --- load ------------------------------------------------------------------------------------------


def test_load_writes_parquet_and_prints_one_line(clean, capsys):
    assert cli.main(["load", "heads.csv", "--text", "headline", "--date", "day", "-o", "docs.parquet"]) == 0
    out, err = capsys.readouterr()
    assert out == "2 documents from heads.csv -> docs.parquet (2 dated)\n"
    assert err == ""
    docs = pd.read_parquet("docs.parquet")
    assert docs.index.name == "doc_id"
    assert docs["text"].tolist() == ["iraq talks resume", "rain at last"]
    assert docs["date"].tolist() == [pd.Timestamp("2003-02-19"), pd.Timestamp("2003-03-01")]
    assert [list(s) for s in docs["sections"]] == [[], []]
    # Nothing was skipped or repaired, so there is no load report file.
    assert not Path("docs.load_report.csv").exists()


def test_load_writes_the_load_report_beside_the_output(toy, capsys):
    assert cli.main(["load", "toy.csv", "-o", "out/docs.csv"]) == 0
    out, err = capsys.readouterr()
    assert out == "4 documents from toy.csv -> out/docs.csv (3 dated; 1 load-report row -> out/docs.load_report.csv)\n"
    # The summary line and the report file say it all; no warning repeats it.
    assert err == ""
    report = pd.read_csv("out/docs.load_report.csv")
    assert report.columns.tolist() == ["path", "line", "problem", "action"]
    assert report[["path", "line"]].values.tolist() == [["toy.csv", 5]]
    assert report["problem"].iloc[0].startswith("unparseable date 'someday'")
    docs = pd.read_csv("out/docs.csv", index_col="doc_id")
    assert docs.index.tolist() == ["a1", "a2", "a3", "a4"]
    # Lists are written as JSON, dates as ISO 8601, unknown dates empty.
    assert docs["sections"].map(json.loads).tolist() == [["World"], ["World"], [], ["Asia"]]
    assert docs["date"].tolist()[:3] == ["2020-01-05T00:00:00", "2020-01-20T00:00:00", "2020-03-02T00:00:00"]
    assert pd.isna(docs["date"].iloc[3])


def test_errors_warn_prints_the_loaders_warning_as_one_line(toy, capsys):
    assert cli.main(["load", "toy.csv", "--errors", "warn", "-o", "docs.csv"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("corpus-tools: warning: loaded 4 documents from 1 file with 1 problem, e.g. ")
    assert err.count("\n") == 1
    assert Path("docs.load_report.csv").exists()


def test_load_writes_jsonl_records_with_doc_id(toy):
    assert cli.main(["load", "toy.csv", "-o", "docs.jsonl"]) == 0
    records = [json.loads(line) for line in Path("docs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["doc_id"] for r in records] == ["a1", "a2", "a3", "a4"]
    assert records[0]["sections"] == ["World"] and records[0]["title"] == "One"
    assert records[0]["date"].startswith("2020-01-05T00:00:00")
    assert records[3]["date"] is None


def test_load_source_option_sets_a_constant_outlet(clean):
    assert cli.main(["load", "heads.csv", "--text", "headline", "--date", "day", "--source", "ABC",
                     "-o", "docs.parquet"]) == 0
    assert pd.read_parquet("docs.parquet")["source"].tolist() == ["ABC", "ABC"]


def test_load_refuses_an_unknown_output_suffix_before_loading(toy, capsys):
    assert cli.main(["load", "toy.csv", "-o", "docs.xlsx"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "corpus-tools: error: `output suffix` must be one of ['.parquet', '.csv', '.jsonl']; got '.xlsx'.\n"


def test_errors_raise_stops_with_one_line_and_no_traceback(toy, capsys):
    assert cli.main(["load", "toy.csv", "--errors", "raise", "-o", "docs.csv"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("corpus-tools: error: toy.csv, line 5: unparseable date 'someday'")
    assert "Traceback" not in err
    assert not Path("docs.csv").exists()


def test_traceback_flag_shows_the_traceback(toy, capsys):
    assert cli.main(["--traceback", "load", "toy.csv", "--errors", "raise", "-o", "docs.csv"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "LoadError: toy.csv, line 5: unparseable date 'someday'" in err


def test_a_missing_path_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["info", "nothere.csv"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("corpus-tools: error: ")
    assert "nothere.csv" in err and "path does not exist" in err
    assert "Traceback" not in err


def test_missing_output_option_is_an_argparse_error(toy, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["load", "toy.csv"])
    assert exc.value.code == 2
    assert "corpus-tools load: error: the following arguments are required: -o/--output" in capsys.readouterr().err


# --- info ------------------------------------------------------------------------------------------


def test_info_prints_counts_dates_sources_sections_months_and_report(toy, capsys):
    assert cli.main(["info", "toy.csv"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        "toy.csv",
        "documents              4",
        "tokens                 8  (vocabulary 8)",
        "dates       2020-01-05 .. 2020-03-02  (1 undated)",
        "per source (2)",
        "  Daily           2",
        "  Weekly          2",
        "per section (2)",
        "  World          2",
        "  Asia           1",
        "per month (3)",
        "  2020-01          2",
        "  2020-02          0",
        "  2020-03          1",
        "load report (1 row)",
        "  unparseable date 'someday' (not a date in a known format): 1  e.g. toy.csv",
    ]


def test_info_json_is_machine_readable(toy, capsys):
    assert cli.main(["info", "toy.csv", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary == {
        "input": "toy.csv",
        "documents": 4,
        "tokens": 8,
        "vocabulary": 8,
        "dates": {"first": "2020-01-05T00:00:00", "last": "2020-03-02T00:00:00", "dated": 3, "undated": 1},
        "per_source": {"Daily": 2, "Weekly": 2},
        "per_section": {"World": 2, "Asia": 1},
        "per_month": {"2020-01": 2, "2020-02": 0, "2020-03": 1},
        "load_report": {"rows": 1, "problems": [
            {"problem": "unparseable date 'someday' (not a date in a known format)", "count": 1, "paths": ["toy.csv"]},
        ]},
    }


def test_info_top_limits_the_text_tables(toy, capsys):
    assert cli.main(["info", "toy.csv", "--no-tokens", "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "tokens" not in out
    assert "per month (3)\n  2020-01          2\n  ... 2 more (use --top or --json)\n" in out
    assert cli.main(["info", "toy.csv", "--top", "0"]) == 2
    assert capsys.readouterr().err == "corpus-tools: error: --top must be at least 1; got 0.\n"


def test_info_of_a_dataset_name_loads_the_dataset(capsys):
    assert cli.main(["info", "lee", "--no-tokens"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == ["dataset lee", "documents            300", "dates       none  (300 undated)"]
    assert out[3:5] == ["per source (1)", "  Lee corpus (ABC News)        300"]
    assert out[-1] == "load report: nothing skipped or repaired"


def test_info_counts_tokens_with_the_corpus(capsys):
    import corpus_tools as ct

    assert cli.main(["info", "lee", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    corpus = ct.Corpus.from_docs(ct.datasets.load("lee"), progress=False)
    assert summary["tokens"] == corpus.n_tokens > 0
    assert summary["vocabulary"] == len(corpus.vocab)


def test_mapping_options_on_a_line_dataset_are_refused(capsys):
    assert cli.main(["info", "lee", "--text", "body"]) == 2
    assert capsys.readouterr().err == (
        "corpus-tools: error: dataset 'lee' is read one document per line and takes no load arguments; got ['text'].\n"
    )


def test_absent_dataset_without_download_names_the_folder(data_home, capsys):
    assert cli.main(["info", "bbc", "--no-download"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("corpus-tools: error: dataset 'bbc' is not on this machine and download=False was given.\n")
    assert f"  {data_home}\n" in err and "CORPUS_TOOLS_DATA" in err


def test_describe_without_dates_sources_or_sections():
    docs = pd.DataFrame({"text": ["a", "b"]}, index=pd.Index(["x", "y"], name="doc_id"))
    summary = cli.describe(docs, tokens=False)
    assert summary == {
        "documents": 2, "tokens": None, "vocabulary": None,
        "dates": {"first": None, "last": None, "dated": 0, "undated": 2},
        "per_source": {}, "per_section": {}, "per_month": {},
        "load_report": {"rows": 0, "problems": []},
    }


# --- datasets --------------------------------------------------------------------------------------


def test_datasets_lists_name_presence_documents_licence(data_home, capsys):
    (data_home / "wikinews").mkdir()
    (data_home / "wikinews" / "wikinews_2019.csv").write_text("url,date,title,text\n")
    assert cli.main(["datasets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["name", "present", "documents", "licence"]
    rows = {line.split()[0]: line.split()[1:3] for line in lines[1:]}
    assert rows == {
        "lee": ["yes", "300"], "seeds": ["yes", "1"], "reuters21578": ["no", "21,578"], "bbc": ["no", "2,225"],
        "abcnews": ["no", "49,999"], "wikinews": ["yes", "171"], "news100": ["no", "100"],
    }
    assert "CC-BY-2.5 (attribution: Wikinews contributors)" in lines[6]


def test_datasets_json(data_home, capsys):
    assert cli.main(["datasets", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in records] == ["lee", "seeds", "reuters21578", "bbc", "abcnews", "wikinews", "news100"]
    assert records[0]["present"] is True and records[2]["present"] is False
    assert records[2]["url"] == "http://www.daviddlewis.com/resources/testcollections/reuters21578/reuters21578.tar.gz"


# --- the parser ------------------------------------------------------------------------------------


def test_help_has_examples_and_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: corpus-tools [-h] [--version] [--traceback] COMMAND ...")
    for command in ("load", "info", "datasets"):
        assert f"\n    {command} " in out
    assert "corpus-tools load articles/ -o docs.parquet" in out


def test_no_command_prints_help_and_fails(capsys):
    assert cli.main([]) == 2
    assert capsys.readouterr().err.startswith("usage: corpus-tools")


def test_a_subcommand_is_one_entry(capsys, monkeypatch):
    def configure(parser):
        """Say a word back."""
        parser.add_argument("word")

    def run(args):
        print(args.word.upper())
        return 0

    monkeypatch.setitem(cli.SUBCOMMANDS, "shout", (configure, run))
    assert cli.main(["shout", "hello"]) == 0
    assert capsys.readouterr().out == "HELLO\n"
    assert "shout      Say a word back." in cli.build_parser().format_help()


def test_report_path():
    assert cli.report_path(Path("out/docs.parquet")) == Path("out/docs.load_report.csv")
    assert cli.report_path(Path("docs.jsonl")) == Path("docs.load_report.csv")


# --- as a program ----------------------------------------------------------------------------------


def _console_script() -> str:
    script = Path(sys.executable).with_name("corpus-tools")
    return str(script) if script.exists() else shutil.which("corpus-tools")


def test_installed_console_script_and_python_m(tmp_path):
    script = _console_script()
    assert script, "the corpus-tools console script is not installed"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([script, "info", "lee", "--no-tokens", "--json"], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["documents"] == 300
    done = subprocess.run([sys.executable, "-m", "corpus_tools", "load", "nothere", "-o", "x.parquet"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("corpus-tools: error: nothing to load from 'nothere'")
    assert "Traceback" not in done.stderr
