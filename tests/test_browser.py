"""The report and the topic map in a real browser: headless Chromium with every host name blocked.

Asserts what a reader would see go wrong: a script error, a request that needs the network, a topic
map that does not draw. Skipped, with the reason, where Chromium is not installed (``.ci/run``
installs Debian's ``chromium`` when it can).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import corpus_tools as ct
from corpus_tools import report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)")

# requests Chromium makes on its own (updates, time, accounts) whatever the page holds
_BROWSER_HOSTS = re.compile(r"^https?://([a-z0-9-]+\.)*(google|googleapis|gstatic|gvt1)\.com/")


def _open(page: Path, tmp_path: Path) -> tuple[str, list[str], list[str]]:
    """(DOM after scripts ran, console lines, http(s) URLs the page asked for) of ``page``."""
    netlog = tmp_path / f"{page.stem}.netlog.json"
    run = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
         "--disable-background-networking", "--disable-component-update", f"--user-data-dir={tmp_path / 'profile'}",
         "--host-resolver-rules=MAP * ~NOTFOUND", f"--log-net-log={netlog}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    urls = sorted(set(re.findall(r'"url":"(https?://[^"]+)"', netlog.read_text(errors="replace"))))
    return run.stdout, console, [u for u in urls if not _BROWSER_HOSTS.match(u)]


def _errors(console: list[str]) -> list[str]:
    return [line for line in console if "Uncaught" in line or "Error" in line]


def test_topic_map_draws_offline(tmp_path):
    corpus = ct.Corpus.from_docs(ct.datasets.load("wikinews"), min_df=2, progress=False, cache=False)
    model = ct.TopicModel(4, random_state=0).fit(corpus)
    page = model.to_ldavis_html(tmp_path / "map.html")
    dom, console, requests = _open(Path(page), tmp_path)
    assert _errors(console) == [] and requests == []
    # one circle per topic on the map, and the term bars beside it
    dots = re.findall(r'<circle class="dot"[^>]*id="ldavis_topics-topic(\d+)"', dom)
    assert sorted(int(d) for d in dots) == [1, 2, 3, 4]
    assert dom.count('class="terms"') >= 10


def test_report_opens_offline_without_errors(tmp_path):
    out = tmp_path / "report"
    assert report.main(["-o", str(out), "--quiet", "--param", "N_TOPICS=3"]) == 0
    dom, console, requests = _open(out / "report.html", tmp_path)
    assert _errors(console) == [] and requests == []
    assert "<iframe" in dom and "data:image/png;base64," in dom   # the topic map and the figures
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["CORPUS"] == "wikinews"
