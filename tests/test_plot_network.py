"""Network and heatmap drawings of co-occurrence."""
from __future__ import annotations

import re

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection

import corpus_tools as ct
from corpus_tools.plot.network import network_layout


def _pairs():
    # two triangles (a b c) and (x y z) joined by one weak edge c-x
    rows = [("a", "b", 0.9), ("a", "c", 0.8), ("b", "c", 0.7), ("x", "y", 0.9), ("x", "z", 0.8),
            ("y", "z", 0.7), ("c", "x", 0.05)]
    table = pd.DataFrame(rows, columns=["term1", "term2", "value"])
    freq = {"a": 10, "b": 4, "c": 6, "x": 8, "y": 2, "z": 3}
    table["count"] = 1
    table["freq1"] = table.term1.map(freq)
    table["freq2"] = table.term2.map(freq)
    table.attrs.update(measure="npmi", unit="documents")
    return table, freq


def _nodes(ax) -> PathCollection:
    (coll,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    return coll


def test_network_draws_nodes_edges_labels_and_communities():
    table, freq = _pairs()
    graph = ct.cooccurrence_graph(table)
    ax = ct.plot.network(graph)
    nodes = _nodes(ax)
    assert len(nodes.get_offsets()) == 6
    assert len([c for c in ax.collections if isinstance(c, LineCollection)][0].get_paths()) == 7
    labels = {t.get_text(): t for t in ax.texts}
    assert set(labels) == set(freq)
    assert all(t.get_path_effects() for t in labels.values())   # white halo
    # node area follows frequency: a (10) is the largest, y (2) the smallest
    sizes = dict(zip(graph.nodes, nodes.get_sizes()))
    assert max(sizes, key=sizes.get) == "a" and min(sizes, key=sizes.get) == "y"
    # the two triangles are two communities, so two colours
    colors = dict(zip(graph.nodes, map(tuple, nodes.get_facecolors())))
    assert colors["a"] == colors["b"] == colors["c"] != colors["x"] == colors["y"] == colors["z"]
    assert ax.get_title() == "co-occurrence (npmi, documents)"


def test_layout_is_deterministic_for_a_seed():
    table, _ = _pairs()
    first = _nodes(ct.plot.network(table, seed=3)).get_offsets().copy()
    plt.close("all")
    second = _nodes(ct.plot.network(table, seed=3)).get_offsets().copy()
    assert np.array_equal(first, second)
    graph = ct.cooccurrence_graph(table)
    a, b = network_layout(graph, seed=1), network_layout(graph, seed=2)
    assert any(not np.allclose(a[n], b[n]) for n in graph)


def test_network_labels_only_top_nodes_of_large_graphs():
    rng = np.random.default_rng(0)
    graph = nx.gnm_random_graph(150, 300, seed=0)
    graph = nx.relabel_nodes(graph, {i: f"t{i:03d}" for i in graph})
    for u, v in graph.edges:
        graph.edges[u, v]["weight"] = float(rng.uniform(-1, 1))   # negative weights are drawn too
    ax = ct.plot.network(graph, layout="circular")
    assert len(ax.texts) == 100
    degree = dict(graph.degree())
    labelled = [t.get_text() for t in ax.texts]
    assert min(degree[n] for n in labelled) >= max(degree[n] for n in graph if n not in labelled)
    assert ax.texts[0].get_fontsize() == 6.0


def test_network_accepts_an_axes_and_an_empty_graph():
    fig, (left, right) = plt.subplots(1, 2)
    table, _ = _pairs()
    assert ct.plot.network(table, ax=right, layout="kamada_kawai") is right
    assert len(right.texts) == 6 and not left.texts
    assert ct.plot.network(nx.Graph(), ax=left).get_title() == "no pairs to draw"


def test_network_is_callable_however_the_module_was_imported():
    import corpus_tools.plot.network  # noqa: F401  (binds the module under the function's name)

    table, _ = _pairs()
    ct.plot.heatmap(table)
    assert len(ct.plot.network(table, ax=plt.figure().gca()).texts) == 6


def test_network_errors():
    table, _ = _pairs()
    with pytest.raises(ValueError, match=re.escape(
            "`layout` must be one of ['spring', 'kamada_kawai', 'circular', 'spectral']; got 'force'.")):
        ct.plot.network(table, layout="force")
    with pytest.raises(TypeError, match=re.escape(
            "`graph_or_pairs` must be a networkx Graph or the DataFrame of ct.cooccurrence; got list.")):
        ct.plot.network([("a", "b")])


def test_heatmap_matrix_is_symmetric_with_blank_diagonal():
    table, _ = _pairs()
    ax = ct.plot.heatmap(table)
    image = ax.get_images()[0]
    data = image.get_array()
    # most frequent first: a(10) x(8) c(6) b(4) z(3) y(2)
    order = ["a", "x", "c", "b", "z", "y"]
    assert [t.get_text() for t in ax.get_xticklabels()] == order
    assert [t.get_text() for t in ax.get_yticklabels()] == order
    assert data.shape == (6, 6) and data.mask[np.diag_indices(6)].all()
    assert data[0, 3] == data[3, 0] == 0.9            # a-b
    assert data.mask[0, 4]                             # a-z never co-occur: blank
    assert len(ax.figure.axes) == 2 and ax.figure.axes[1].get_ylabel() == "npmi"   # colorbar
    assert image.get_cmap().name == "viridis"


def test_heatmap_terms_and_diverging_colours():
    table, _ = _pairs()
    table.loc[table.term1 == "c", "value"] = -0.4
    ax = ct.plot.heatmap(table, terms=["c", "x", "a"], colorbar=False)
    image = ax.get_images()[0]
    assert image.get_cmap().name == "RdBu_r"
    assert image.get_clim() == (-0.8, 0.8)   # the largest |value| among c, x, a (a-c)
    assert image.get_array()[0, 1] == -0.4
    assert len(ax.figure.axes) == 1


def test_heatmap_errors():
    table, _ = _pairs()
    with pytest.raises(ValueError, match=re.escape("`pairs` lacks the columns ['pmi']")):
        ct.plot.heatmap(table, value="pmi")
    with pytest.raises(ValueError, match=re.escape("no terms to draw")):
        ct.plot.heatmap(table.iloc[:0])


def test_spring_layout_does_not_depend_on_the_hash_seed():
    # components smaller than half the graph are where set order could leak into the layout
    import subprocess
    import sys

    script = (
        "import networkx as nx\n"
        "from corpus_tools.plot.network import network_layout\n"
        "g = nx.Graph()\n"
        "g.add_weighted_edges_from([('a','b',1.0),('b','c',0.5),('c','a',0.2),('d','e',0.9),('e','f',0.3),"
        "('g','h',0.8),('h','i',0.4),('i','j',0.6),('k','l',0.7),('m','n',0.1)])\n"
        "pos = network_layout(g, 'spring', 0)\n"
        "print(sorted((n, round(float(x), 9), round(float(y), 9)) for n, (x, y) in pos.items()))\n"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                       env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1 and outputs.pop().startswith("[('a', ")


@pytest.fixture(scope="module")
def lee():
    """The Lee corpus's network drawn at the default size and at the report's; drawn once, as the
    layout is the slow part, on figures outside pyplot, which closes its own after each test."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    corpus = ct.Corpus.from_docs(ct.datasets.load("lee"), cache=False, progress=False)
    pairs = ct.cooccurrence(corpus, terms=100, window="sentence")
    graph = ct.cooccurrence_graph(pairs, top=80)
    drawn = {}
    for figsize in [(6.4, 4.8), (10, 8)]:
        fig = Figure(figsize=figsize)
        FigureCanvasAgg(fig)
        drawn[figsize] = ct.plot.network(graph, ax=fig.gca(), seed=0)
        fig.canvas.draw()
    return graph, drawn


@pytest.mark.parametrize("figsize", [(6.4, 4.8), (10, 8)])
def test_network_labels_of_a_real_graph_are_whole_and_apart(lee, figsize):
    graph, drawn = lee
    ax = drawn[figsize]
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    labels = [t for t in ax.texts if t.get_text() in graph]
    # every label drawn or listed as left out, never both
    shown = {t.get_text() for t in labels}
    assert shown | set(ax.hidden_labels) == set(graph) and not shown & set(ax.hidden_labels)
    assert len(shown) >= 0.9 * len(graph)
    boxes = np.array([t.get_window_extent(renderer).extents for t in labels])
    x0, y0, x1, y1 = boxes.T
    overlap = (x0[:, None] < x1[None, :]) & (x0[None, :] < x1[:, None]) \
        & (y0[:, None] < y1[None, :]) & (y0[None, :] < y1[:, None])
    np.fill_diagonal(overlap, False)
    assert not overlap.any()
    frame = ax.get_window_extent(renderer)   # inside the Axes, hence never clipped
    assert (x0 >= frame.x0).all() and (x1 <= frame.x1).all() and (y0 >= frame.y0).all() and (y1 <= frame.y1).all()
    assert (x0 >= 0).all() and (x1 <= fig.bbox.x1).all() and (y0 >= 0).all() and (y1 <= fig.bbox.y1).all()
    # the drawing fills the Axes
    assert x0.min() - frame.x0 < 0.05 * frame.width and frame.x1 - x1.max() < 0.05 * frame.width
    assert y0.min() - frame.y0 < 0.05 * frame.height and frame.y1 - y1.max() < 0.05 * frame.height
    notes = [t for t in ax.texts if t.get_text().startswith("not labelled")]
    if ax.hidden_labels:
        (note,) = notes
        assert all(term in note.get_text() for term in ax.hidden_labels)
        box = note.get_window_extent(renderer)
        assert box.y1 <= frame.y0 and box.y0 >= 0   # under the drawing, inside the figure
    else:
        assert not notes


def test_network_of_a_real_graph_sizes_and_colours(lee):
    from corpus_tools.plot.network import _communities, _strength

    graph, drawn = lee
    nodes = _nodes(drawn[(10, 8)])
    freq = np.array([graph.nodes[n]["freq"] for n in graph])
    sizes = nodes.get_sizes()
    order = np.argsort(freq, kind="stable")
    assert (np.diff(sizes[order]) >= 0).all() and sizes.max() > 4 * sizes.min()
    group = _communities(_strength(graph)[0])
    colours = {}
    for n, colour in zip(graph, map(tuple, nodes.get_facecolors())):
        colours.setdefault(group[n], set()).add(colour)
    assert len(colours) > 10 and all(len(c) == 1 for c in colours.values())   # one colour per community
    assert len({c.pop() for c in colours.values()}) == len(colours)           # ... each its own
