"""The pyLDAvis topic map as one HTML file that opens with no network.

pyLDAvis' own HTML loads d3, ldavis.js and its CSS from CDNs. pyLDAvis ships the same files
in its package folder (``pyLDAvis/js``: d3 v5, ldavis v3, the stylesheet), so they are read
from there and written inline.
"""
from __future__ import annotations

import json
from pathlib import Path

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
{css}
</style>
<script>
{d3}
</script>
<script>
{ldavis}
</script>
</head>
<body>
<div id="{visid}" style="background-color:white;"></div>
<script>
new LDAvis("#{visid}", {data});
</script>
</body>
</html>
"""


def _script_safe(text: str) -> str:
    # a literal "</script" inside inline code would end the <script> element early
    return text.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def _assets() -> dict[str, str]:
    try:
        import pyLDAvis.urls as urls
    except ImportError as err:  # pragma: no cover - pyLDAvis is a dependency
        raise ImportError("`pyLDAvis` is not installed, so the topic map won't work; "
                          "install it via `pip install pyLDAvis`.") from err
    paths = {"d3": urls.D3_LOCAL, "ldavis": urls.LDAVIS_LOCAL, "css": urls.LDAVIS_CSS_LOCAL}
    missing = [p for p in paths.values() if not Path(p).exists()]
    if missing:
        raise FileNotFoundError(f"pyLDAvis does not ship {missing}; reinstall pyLDAvis (pip install --force-reinstall pyLDAvis).")
    return {name: Path(p).read_text(encoding="utf-8") for name, p in paths.items()}


def ldavis_html(prepared, *, title: str = "Topic map", visid: str = "ldavis_topics") -> str:
    """A standalone HTML page showing ``prepared`` (a pyLDAvis PreparedData), assets inline."""
    from pyLDAvis.utils import NumPyEncoder

    assets = _assets()
    data = json.dumps(prepared.to_dict(), cls=NumPyEncoder)
    return _PAGE.format(
        title=title.replace("<", "&lt;"),
        css=assets["css"].replace("</style", "<\\/style"),
        d3=_script_safe(assets["d3"]),
        ldavis=_script_safe(assets["ldavis"]),
        visid=visid,
        data=_script_safe(data),
    )
