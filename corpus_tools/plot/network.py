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


def network_layout(graph, layout: str = "spring", seed: int = 0, aspect: float = 1.0) -> dict:
    """Node positions for :func:`network` (the same for the same graph and seed).

    ``"spring"`` lays out each connected component on its own and packs the components in
    rows, largest first, each in a square whose side grows with the root of its size: a
    co-occurrence network is often a large cluster plus small islands (``bin``–``laden``), and a
    single spring layout would push the islands to the edge and squash the cluster. ``aspect``
    (width / height of the drawing area) sets the width of the rows, so that the packing fills
    a wide Axes rather than a square in its middle.
    """
    import networkx as nx

    check_option("layout", layout, LAYOUTS)
    g, _ = _strength(graph)
    if len(g) == 0:
        return {}
    if layout == "spring":
        return _packed_spring(g, seed, aspect)
    if layout == "kamada_kawai":
        return nx.kamada_kawai_layout(g)
    if layout == "circular":
        return nx.circular_layout(g)
    return nx.spectral_layout(g, weight="strength") if len(g) > 2 else nx.circular_layout(g)


def _packed_spring(g, seed: int, aspect: float = 1.0) -> dict:
    import networkx as nx

    components = sorted((sorted(c, key=str) for c in nx.connected_components(g)), key=lambda c: (-len(c), str(c[0])))
    sides = [np.sqrt(len(c)) for c in components]
    width = max(sides[0], np.sqrt(sum(s * s for s in sides) * max(aspect, 0.1)) * 1.15)
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


def _community_colors(group: dict, nodes: list, cmap: str) -> list:
    """One colour per community; the smallest communities beyond the palette are grey rather than
    repeating a colour, which would make two communities look like one."""
    from matplotlib import colormaps

    n_groups = max(group.values()) + 1
    palette = colormaps[cmap]
    if hasattr(palette, "colors"):
        listed = [palette(i) for i in range(len(palette.colors))]
        if cmap == "tab10" and n_groups > 10:
            # all ten tab10 colours before any light shade of tab20: in tab20's own order the
            # second community would be a pale copy of the first
            light = colormaps["tab20"]
            listed += [light(i) for i in range(1, 20, 2)]
    else:  # a continuous map: spread the communities along it
        listed = [palette(i / max(n_groups - 1, 1)) for i in range(n_groups)]
    grey = (0.75, 0.75, 0.75, 1.0)
    return [listed[group[n]] if group[n] < len(listed) else grey for n in nodes]


def _renderer(fig):
    canvas = fig.canvas
    return canvas.get_renderer() if hasattr(canvas, "get_renderer") else fig._get_renderer()


def _fit_axis(coords: np.ndarray, margins: np.ndarray, low: float, high: float) -> np.ndarray:
    """Map coordinates linearly onto [low, high] as widely as possible while each point keeps its
    own margin (half its label, or its marker radius) inside: the drawing fills the Axes and a
    label at the edge is not clipped."""
    span = np.subtract.outer(coords, coords)                      # x_i - x_j
    room = (high - low) - np.add.outer(margins, margins)          # for i right of j
    with np.errstate(divide="ignore", invalid="ignore"):
        limits = np.where(span > 1e-12, room / span, np.inf)
    scale = float(limits.min()) if np.isfinite(limits).any() else 0.0
    scale = max(scale, 0.0)
    lo = np.max(low + margins - scale * coords)
    hi = np.min(high - margins - scale * coords)
    return scale * coords + (lo + hi) / 2


def _label_candidates(w: float, h: float, r: float, gap: float):
    """Offsets (pixels) of a label's centre from its node, nearest first: on the node, touching it
    on each side, then a few steps further out."""
    yield 0.0, 0.0
    for step in range(4):
        extra = step * 0.8 * h
        up, side = r + h / 2 + gap + extra, r + w / 2 + gap + extra
        dx, dy = r * 0.7 + w / 2 + gap + extra, r * 0.7 + h / 2 + gap + extra
        yield from ((0.0, up), (0.0, -up), (side, 0.0), (-side, 0.0),
                    (dx, dy), (-dx, dy), (dx, -dy), (-dx, -dy),
                    (w / 3, up), (-w / 3, up), (w / 3, -up), (-w / 3, -up))


def _place_labels(centres: np.ndarray, radii: np.ndarray, sizes: np.ndarray, order, box, gap: float):
    """Greedy placement in display coordinates: each label (in ``order``, biggest node first) takes
    the nearest candidate position that stays inside ``box`` and clears every label already
    placed, preferring positions that do not cover another node. Returns an offset per label, or
    None when it has no room."""
    x0, y0, x1, y1 = box
    placed = np.empty((0, 4))
    offsets = {}
    for i in order:
        w, h = sizes[i]
        best = None
        for dx, dy in _label_candidates(w, h, radii[i], gap):
            cx, cy = centres[i, 0] + dx, centres[i, 1] + dy
            rect = np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
            if rect[0] < x0 or rect[1] < y0 or rect[2] > x1 or rect[3] > y1:
                continue
            if len(placed) and np.any((rect[0] < placed[:, 2] + gap) & (placed[:, 0] < rect[2] + gap)
                                      & (rect[1] < placed[:, 3] + gap) & (placed[:, 1] < rect[3] + gap)):
                continue
            # other nodes whose centre the label would hide
            inside = ((centres[:, 0] > rect[0]) & (centres[:, 0] < rect[2])
                      & (centres[:, 1] > rect[1]) & (centres[:, 1] < rect[3]))
            inside[i] = False
            if not inside.any():
                best = (dx, dy, rect)
                break
            if best is None:
                best = (dx, dy, rect)
        if best is None:
            offsets[i] = None
            continue
        offsets[i] = best[:2]
        placed = np.vstack([placed, best[2]])
    return offsets


def network(graph_or_pairs, *, ax=None, layout: str = "spring", seed: int = 0, top: int = 100,
            label_top: int | None = None, node_size: tuple[float, float] = (60.0, 900.0),
            edge_width: tuple[float, float] = (0.4, 4.0), font_size: float | None = None,
            communities: bool = True, cmap: str = "tab10"):
    """Draw a co-occurrence network.

    Node area grows with the term's frequency (``freq``; the degree when absent), edge width and
    opacity with the weight (the measure), colours mark communities (greedy modularity,
    deterministic) and labels carry a white halo.

    The layout is stretched to fill the Axes, keeping room at the edges for the labels. Labels are
    then placed one by one, biggest node first: on the node, or beside it (a thin leader line
    joins a label moved further out) at the nearest place that overlaps no label placed before
    and stays inside the Axes. A label with no such place is left out, and the terms left out are
    listed under the Axes (``ax.hidden_labels`` holds them), so that every label drawn is whole
    and readable. Placement uses the Axes' size at the time of the call: create the figure at its
    final size (``plt.subplots(figsize=...)``) before drawing.

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
        Colormap of the communities; beyond ten communities the default ``"tab10"`` goes on with
        the light shades of ``"tab20"``, and communities beyond the palette are grey.

    Returns
    -------
    matplotlib Axes
        With ``hidden_labels``: the terms among ``label_top`` whose label found no room.

    Raises
    ------
    TypeError
        The input is neither a graph nor a table of pairs.
    ValueError
        ``layout`` is unknown.

    Examples
    --------
    >>> pairs = ct.cooccurrence(corpus, terms=60, window="sentence")  # doctest: +SKIP
    >>> fig, ax = plt.subplots(figsize=(10, 8))  # doctest: +SKIP
    >>> ct.plot.network(pairs, top=80, ax=ax)  # doctest: +SKIP
    """
    import textwrap

    import matplotlib.patheffects as pe
    import networkx as nx
    from matplotlib.collections import LineCollection

    check_option("layout", layout, LAYOUTS)
    graph = _as_graph(graph_or_pairs, top)
    ax = get_ax(ax)
    ax.set_axis_off()
    ax.hidden_labels = []
    if len(graph) == 0:
        ax.set_title("no pairs to draw")
        return ax
    fig = ax.figure
    renderer = _renderer(fig)
    px_per_pt = fig.dpi / 72
    box = ax.get_window_extent(renderer)
    g, weights = _strength(graph)
    nodes = list(graph.nodes)
    raw = network_layout(graph, layout, seed, aspect=box.width / max(box.height, 1.0))
    degree = dict(graph.degree())
    freq = np.array([graph.nodes[n].get("freq", degree[n]) for n in nodes], dtype=np.float64)
    sizes = _scale(np.sqrt(freq), np.sqrt(node_size[0]), np.sqrt(node_size[1])) ** 2
    radii = np.sqrt(sizes) / 2 * px_per_pt

    # the label texts first: their extents set the margins of the layout
    if label_top is None:
        label_top = len(nodes) if len(nodes) <= 100 else 100
    ranked = sorted(nodes, key=lambda n: (-degree[n], str(n)))[:label_top]
    if font_size is None:
        font_size = float(np.clip(11 - len(nodes) / 30, 6, 11))
    halo = [pe.withStroke(linewidth=2.5, foreground="white")]
    index = {n: i for i, n in enumerate(nodes)}
    texts = {n: ax.text(0.5, 0.5, str(n), fontsize=font_size, ha="center", va="center", path_effects=halo,
                        zorder=5) for n in ranked}
    extents = np.zeros((len(nodes), 2))
    for n, text in texts.items():
        extent = text.get_window_extent(renderer)
        extents[index[n]] = extent.width, extent.height

    # fill the Axes: independent x and y scales, each node keeping its label's half extent inside
    coords = np.array([raw[n] for n in nodes], dtype=np.float64)
    pad = 2 * px_per_pt
    px = _fit_axis(coords[:, 0], np.maximum(extents[:, 0] / 2, radii) + pad, box.x0, box.x1)
    py = _fit_axis(coords[:, 1], np.maximum(extents[:, 1] / 2, radii) + pad, box.y0, box.y1)
    centres = np.column_stack([px, py])
    ax.set_xlim(box.x0, box.x1)
    ax.set_ylim(box.y0, box.y1)
    ax.set_autoscale_on(False)
    pos = {n: centres[i] for i, n in enumerate(nodes)}

    if communities:
        colors = _community_colors(_communities(g), nodes, cmap)
    else:
        colors = ["#4c72b0"] * len(nodes)
    edges = list(graph.edges)
    if edges:
        strength = _scale(np.abs(weights), 0.0, 1.0)
        widths = edge_width[0] + strength * (edge_width[1] - edge_width[0])
        # weak edges fade as well as thin out, so the strong structure reads first
        edge_colors = [(0.45, 0.45, 0.45, float(a)) for a in 0.25 + 0.5 * strength]
        nx.draw_networkx_edges(graph, pos, edgelist=edges, width=widths, edge_color=edge_colors, ax=ax)
    nx.draw_networkx_nodes(graph, pos, nodelist=nodes, node_size=sizes, node_color=colors,
                           edgecolors="white", linewidths=0.8, ax=ax)

    # biggest node first: its label is the one kept when two compete for the same place
    order = sorted((index[n] for n in ranked), key=lambda i: (-sizes[i], -degree[nodes[i]], str(nodes[i])))
    offsets = _place_labels(centres, radii, extents, order, (box.x0, box.y0, box.x1, box.y1), gap=pad)
    leaders = []
    for n, text in texts.items():
        i = index[n]
        if offsets[i] is None:
            text.remove()
            ax.hidden_labels.append(n)
            continue
        dx, dy = offsets[i]
        text.set_position((centres[i, 0] + dx, centres[i, 1] + dy))
        # a label pushed beyond touching its node gets a leader line back to it
        if abs(dx) > radii[i] + extents[i, 0] / 2 + 2 * pad or abs(dy) > radii[i] + extents[i, 1] / 2 + 2 * pad:
            leaders.append([centres[i], (centres[i, 0] + dx, centres[i, 1] + dy)])
    if leaders:
        ax.add_collection(LineCollection(leaders, colors="0.55", linewidths=0.5, zorder=4))
    if ax.hidden_labels:
        # below the Axes, so that the list never covers the drawing
        chars = max(20, int(box.width / (0.55 * 0.8 * font_size * px_per_pt)))
        note = textwrap.fill("not labelled (no room): " + ", ".join(map(str, ax.hidden_labels)), chars)
        ax.annotate(note, xy=(0, 0), xycoords="axes fraction", xytext=(0, -3), textcoords="offset points",
                    ha="left", va="top", fontsize=0.8 * font_size, color="0.35")
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
