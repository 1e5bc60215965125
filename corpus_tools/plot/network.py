"""Drawings of co-occurrence: a term network and a term-by-term heatmap."""
from __future__ import annotations


import numpy as np
import pandas as pd

from ..errors import check_option
from ._common import get_ax

LAYOUTS = ("spring", "kamada_kawai", "circular", "spectral")


def _scale(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Map values linearly onto [low, high] (all ``high`` when they are equal or not finite)."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    if not finite.any():
        return np.full(len(values), high)
    lo, hi = values[finite].min(), values[finite].max()
    if hi <= lo:
        return np.full(len(values), high)
    out = low + (values - lo) / (hi - lo) * (high - low)
    return np.where(finite, out, low)


def _as_graph(graph_or_pairs, top):
    import networkx as nx

    if isinstance(graph_or_pairs, nx.Graph):
        return graph_or_pairs
    if isinstance(graph_or_pairs, pd.DataFrame):
        from ..analyses.cooccurrence import cooccurrence_graph

        return cooccurrence_graph(graph_or_pairs, top=top)
    raise TypeError(f"`graph_or_pairs` must be a networkx Graph or the DataFrame of ct.cooccurrence; "
                    f"got {type(graph_or_pairs).__name__}.")


def _strength(graph):
    """A copy of the graph whose edge attribute ``strength`` lies in (0, 1]: layouts and community
    detection need positive weights, while pmi, g2 or t-score can be negative."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(graph.nodes(data=True))
    edges = list(graph.edges(data=True))
    weights = np.array([d.get("weight", 1.0) for _, _, d in edges], dtype=np.float64)
    strength = _scale(weights, 0.1, 1.0)
    g.add_edges_from((u, v, {"strength": float(s)}) for (u, v, _), s in zip(edges, strength))
    return g, weights


def network_layout(graph, layout: str = "spring", seed: int = 0) -> dict:
    """Node positions for :func:`network` (the same for the same graph and seed).

    ``"spring"`` lays out each connected component on its own and packs the components in
    rows, largest first, each in a square whose side grows with the root of its size: a
    co-occurrence network is often a large cluster plus small islands (``bin``–``laden``), and a
    single spring layout would push the islands to the edge and squash the cluster.
    """
    import networkx as nx

    check_option("layout", layout, LAYOUTS)
    g, _ = _strength(graph)
    if len(g) == 0:
        return {}
    if layout == "spring":
        return _packed_spring(g, seed)
    if layout == "kamada_kawai":
        return nx.kamada_kawai_layout(g)
    if layout == "circular":
        return nx.circular_layout(g)
    return nx.spectral_layout(g, weight="strength") if len(g) > 2 else nx.circular_layout(g)


def _packed_spring(g, seed: int) -> dict:
    import networkx as nx

    components = sorted((sorted(c, key=str) for c in nx.connected_components(g)), key=lambda c: (-len(c), str(c[0])))
    sides = [np.sqrt(len(c)) for c in components]
    width = max(sides[0], np.sqrt(sum(s * s for s in sides)) * 1.15)
    pos, x, y, row_height = {}, 0.0, 0.0, 0.0
    for nodes, side in zip(components, sides):
        if x > 0 and x + side > width:  # next row
            x, y, row_height = 0.0, y - row_height, 0.0
        if len(nodes) == 1:
            local = {nodes[0]: np.zeros(2)}
        else:
            # an explicit graph in sorted node order: a subgraph view of a few nodes iterates
            # them in set order, which changes with the hash seed of each Python process
            sub = nx.Graph()
            sub.add_nodes_from(nodes)
            sub.add_edges_from(g.edges(nodes, data=True))
            start = nx.spring_layout(sub, weight="strength", seed=seed, iterations=100)
            # Kamada-Kawai spreads a hub's neighbours evenly instead of piling them on the hub
            local = nx.kamada_kawai_layout(sub, pos=start, weight=None) if len(nodes) > 2 else start
        coords = np.array([local[n] for n in nodes], dtype=np.float64)
        span = np.ptp(coords, axis=0)
        coords = (coords - coords.min(axis=0)) / np.where(span > 0, span, 1.0)  # into [0, 1]^2
        coords = np.where(span > 0, coords, 0.5)
        inner = side * 0.7  # the rest is margin, so that labels of neighbouring islands stay apart
        for n, (cx, cy) in zip(nodes, coords):
            pos[n] = np.array([x + side * 0.15 + cx * inner, y - side * 0.15 - (1 - cy) * inner])
        x += side
        row_height = max(row_height, side)
    return pos


def _communities(g) -> dict:
    """Community number of each node: largest community first, ties by the first term."""
    from networkx.algorithms.community import greedy_modularity_communities

    if g.number_of_edges() == 0:
        return {n: i for i, n in enumerate(sorted(g.nodes, key=str))}
    found = greedy_modularity_communities(g, weight="strength")
    ordered = sorted((sorted(map(str, c)), c) for c in found)
    ordered = sorted(ordered, key=lambda item: -len(item[1]))
    return {n: i for i, (_, c) in enumerate(ordered) for n in c}


def network(graph_or_pairs, *, ax=None, layout: str = "spring", seed: int = 0, top: int = 100,
            label_top: int | None = None, node_size: tuple[float, float] = (60.0, 900.0),
            edge_width: tuple[float, float] = (0.4, 4.0), font_size: float | None = None,
            communities: bool = True, cmap: str = "tab10"):
    """Draw a co-occurrence network.

    Node area grows with the term's frequency (``freq``; the degree when absent), edge width
    with the weight (the measure), colours mark communities (greedy modularity, deterministic)
    and labels carry a white halo.

    Parameters
    ----------
    graph_or_pairs : networkx.Graph or DataFrame
        From :func:`corpus_tools.cooccurrence_graph`, or the pairs of :func:`corpus_tools.cooccurrence`
        (then the ``top`` best pairs are drawn).
    ax : matplotlib Axes, optional
    layout : {"spring", "kamada_kawai", "circular", "spectral"}
    seed : int
        Seed of the spring layout: the same seed gives the same picture.
    top : int
        Pairs drawn when ``graph_or_pairs`` is a table.
    label_top : int, optional
        Label only the ``label_top`` nodes of highest degree; default all up to 100 nodes, else 100.
    node_size, edge_width : (min, max)
        Ranges of marker area (points^2) and line width.
    font_size : float, optional
        Default: from 11 points for a few nodes down to 6 for 150 and more.
    communities : bool
        Colour nodes by community (else one colour).
    cmap : str
        Colormap of the communities.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    TypeError
        The input is neither a graph nor a table of pairs.
    ValueError
        ``layout`` is unknown.

    Examples
    --------
    >>> pairs = ct.cooccurrence(corpus, terms=60, window="sentence")  # doctest: +SKIP
    >>> ct.plot.network(pairs, top=80)  # doctest: +SKIP
    """
    import matplotlib.patheffects as pe
    import networkx as nx
    from matplotlib import colormaps

    check_option("layout", layout, LAYOUTS)
    graph = _as_graph(graph_or_pairs, top)
    ax = get_ax(ax)
    ax.set_axis_off()
    if len(graph) == 0:
        ax.set_title("no pairs to draw")
        return ax
    pos = network_layout(graph, layout, seed)
    g, weights = _strength(graph)
    nodes = list(graph.nodes)
    degree = dict(graph.degree())
    freq = np.array([graph.nodes[n].get("freq", degree[n]) for n in nodes], dtype=np.float64)
    sizes = _scale(np.sqrt(freq), np.sqrt(node_size[0]), np.sqrt(node_size[1])) ** 2
    if communities:
        group = _communities(g)
        palette = colormaps[cmap]
        n_colors = getattr(palette, "N", 10)
        colors = [palette(group[n] % n_colors) for n in nodes]
    else:
        colors = ["#4c72b0"] * len(nodes)
    edges = list(graph.edges)
    if edges:
        widths = _scale(np.abs(weights), edge_width[0], edge_width[1])
        nx.draw_networkx_edges(graph, pos, edgelist=edges, width=widths, edge_color="#888888", alpha=0.6, ax=ax)
    nx.draw_networkx_nodes(graph, pos, nodelist=nodes, node_size=sizes, node_color=colors,
                           edgecolors="white", linewidths=0.8, ax=ax)
    if label_top is None:
        label_top = len(nodes) if len(nodes) <= 100 else 100
    ranked = sorted(nodes, key=lambda n: (-degree[n], str(n)))[:label_top]
    if font_size is None:
        font_size = float(np.clip(11 - len(nodes) / 30, 6, 11))
    halo = [pe.withStroke(linewidth=2.5, foreground="white")]
    for n in ranked:
        x, y = pos[n]
        ax.text(x, y, str(n), fontsize=font_size, ha="center", va="center", path_effects=halo, zorder=5)
    ax.margins(0.08)
    if "measure" in graph.graph:
        ax.set_title(f"co-occurrence ({graph.graph['measure']}, {graph.graph.get('unit', '')})".replace(", )", ")"))
    return ax


def heatmap(pairs: pd.DataFrame, *, terms=None, value: str = "value", ax=None, max_terms: int = 50,
            cmap: str | None = None, colorbar: bool = True):
    """Draw a symmetric term-by-term matrix of a co-occurrence measure.

    Parameters
    ----------
    pairs : DataFrame
        From :func:`corpus_tools.cooccurrence` (``term1``, ``term2``, ``value``).
    terms : list of str, optional
        Rows and columns, in this order. Default: the ``max_terms`` most frequent terms of
        ``pairs`` (by ``freq1``/``freq2``; alphabetical when the table has no frequencies).
    value : str
        The column drawn.
    ax : matplotlib Axes, optional
    max_terms : int
        Most terms drawn when ``terms`` is not given (beyond ~50 labels get unreadable).
    cmap : str, optional
        Default: a diverging map centred on 0 when values are negative too, else ``"viridis"``.
    colorbar : bool

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ValueError
        ``pairs`` lacks a column, or no listed term appears in it.

    Examples
    --------
    >>> ct.plot.heatmap(ct.cooccurrence(corpus, terms=30))  # doctest: +SKIP
    """
    from ..analyses.cooccurrence import _check_pairs, _terms_by_freq, pair_matrix

    _check_pairs(pairs, ("term1", "term2", value))
    if terms is None:
        terms = _terms_by_freq(pairs)[:max_terms]
    matrix = pair_matrix(pairs, terms=terms, value=value)
    if matrix.empty:
        raise ValueError("no terms to draw: `pairs` is empty or none of `terms` is in it.")
    ax = get_ax(ax)
    data = matrix.to_numpy()
    finite = data[np.isfinite(data)]
    if cmap is None and finite.size and finite.min() < 0:
        bound = float(np.abs(finite).max())
        vmin, vmax, cmap = -bound, bound, "RdBu_r"
    else:
        vmin = vmax = None
        cmap = cmap or "viridis"
    # NaN (the diagonal, unseen pairs) is drawn blank
    image = ax.imshow(np.ma.masked_invalid(data), cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    n = len(matrix)
    size = float(np.clip(240 / max(n, 1), 5, 10))
    ax.set_xticks(range(n), labels=matrix.columns, rotation=90, fontsize=size)
    ax.set_yticks(range(n), labels=matrix.index, fontsize=size)
    ax.tick_params(length=0)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label=pairs.attrs.get("measure", value), shrink=0.8)
    return ax


__all__ = ["heatmap", "network", "network_layout"]
