"""The pyLDAvis topic map as one HTML file that opens with no network.

pyLDAvis' own HTML loads d3, ldavis.js and its CSS from CDNs. pyLDAvis ships the same files
in its package folder (``pyLDAvis/js``: d3 v5, ldavis v3, the stylesheet), so they are read
from there and written inline.

ldavis.js numbers topics from 1: topic 0 is its "no topic selected", so a topic numbered 0
could not be selected or stepped to. The page therefore shows the model's topic ``t`` (0-based,
in the model's order, as in its tables) as topic ``t + 1``, and says so above the map.
"""
from __future__ import annotations

import html
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
<p style="font-family:sans-serif;font-size:13px;margin:4px 8px;">{note}</p>
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


def _json_for_script(data: dict) -> str:
    """``data`` as a JavaScript literal that no term can turn into markup inside ``<script>``."""
    from pyLDAvis.utils import NumPyEncoder

    text = json.dumps(data, cls=NumPyEncoder)
    # "<", ">" and "&" occur only inside JSON strings, where their \u escapes mean the same
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _numbered_from_one(data: dict) -> dict:
    """pyLDAvis data renumbered so that its topics are 1..k, in the same order; coordinates real."""
    shift = 1 - min(data["mdsDat"]["topics"], default=1)
    out = dict(data)
    mds = dict(data["mdsDat"])
    # pyLDAvis' PCoA takes the eigenvectors of a symmetric matrix with np.linalg.eig, which for
    # nearly identical topics (a small corpus) can return them as complex numbers whose imaginary
    # parts are rounding noise; JSON cannot hold complex numbers
    for axis in ("x", "y"):
        mds[axis] = [float(getattr(v, "real", v)) for v in mds[axis]]
    if shift:
        mds["topics"] = [int(t) + shift for t in mds["topics"]]
        table = dict(data["token.table"])
        table["Topic"] = [int(t) + shift for t in table["Topic"]]
        info = dict(data["tinfo"])
        info["Category"] = [c if c == "Default" else f"Topic{int(c[len('Topic'):]) + shift}"
                            for c in info["Category"]]
        out.update({"token.table": table, "tinfo": info,
                    "topic.order": [int(t) + shift for t in data["topic.order"]]})
    out["mdsDat"] = mds
    return out


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
    """A standalone HTML page showing ``prepared`` (a pyLDAvis PreparedData), assets inline.

    Parameters
    ----------
    prepared : pyLDAvis.PreparedData
        As made by ``TopicModel.to_ldavis_data``: topics numbered from 0 in the model's order.
    title : str, default "Topic map"
        The page title.
    visid : str, default "ldavis_topics"
        The id of the element the map is drawn in.

    Returns
    -------
    str
        The page. Its topics are numbered from 1 (what ldavis.js needs), in the model's order:
        topic ``n`` on the map is topic ``n - 1`` of the model; a line above the map says so.
    """
    assets = _assets()
    data = _numbered_from_one(prepared.to_dict())
    return _PAGE.format(
        title=html.escape(title),
        css=assets["css"].replace("</style", "<\\/style"),
        d3=_script_safe(assets["d3"]),
        ldavis=_script_safe(assets["ldavis"]),
        visid=visid,
        note=("Topic <i>n</i> on this map is topic <i>n</i> &minus; 1 of the model's tables "
              "(the map counts topics from 1, in the model's order)."),
        data=_json_for_script(data),
    )
