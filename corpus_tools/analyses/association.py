"""Association measures of two terms from their 2x2 contingency table.

Every measure reads the same four numbers, counted in one unit (documents, sentences or
window pairs):

==========  =====================================================
``a``       units holding both terms (the joint count)
``f1``      units holding the first term
``f2``      units holding the second term
``n``       all units
==========  =====================================================

so that ``p(x, y) = a / n``, ``p(x) = f1 / n`` and ``p(y) = f2 / n``. The table is
``[[a, f1 - a], [f2 - a, n - f1 - f2 + a]]``.
"""
from __future__ import annotations

import numpy as np

from ..errors import check_option

MEASURES = ("count", "pmi", "npmi", "ppmi", "log_dice", "g2", "jaccard", "t_score")


def association(measure: str, a, f1, f2, n) -> np.ndarray:
    """Vectorised association of term pairs.

    Parameters
    ----------
    measure : {"count", "pmi", "npmi", "ppmi", "log_dice", "g2", "jaccard", "t_score"}
        ``count``
            ``a``.
        ``pmi``
            ``log2(a * n / (f1 * f2))``: how many times (in bits) more often the pair occurs
            than if the terms were independent.
        ``npmi``
            ``pmi / -log2(a / n)``, in ``[-1, 1]`` (Bouma 2009); 1 when the terms always occur
            together (also when ``a == n``).
        ``ppmi``
            ``max(pmi, 0)``.
        ``log_dice``
            ``14 + log2(2 * a / (f1 + f2))`` (Rychlý 2008); at most 14, independent of ``n``.
        ``g2``
            Log-likelihood ``2 * sum(O * ln(O / E))`` over the four cells of the table, with
            ``E = row total * column total / n`` and ``0 * ln 0 = 0``. Signed: negative when the
            pair occurs less often than expected (``a < f1 * f2 / n``), so that sorting by value
            puts attraction first.
        ``jaccard``
            ``a / (f1 + f2 - a)``.
        ``t_score``
            ``(a - f1 * f2 / n) / sqrt(a)``.
    a, f1, f2, n : array_like
        The counts (broadcast together); ``a`` must be at least 1.

    Returns
    -------
    ndarray of float64 (``count`` gives float64 too)

    Raises
    ------
    ValueError
        ``measure`` is unknown.

    Examples
    --------
    >>> association("pmi", 2, 2, 4, 8).tolist()   # log2(2 * 8 / (2 * 4))
    [1.0]
    >>> association("jaccard", 2, 2, 4, 8).tolist()
    [0.5]
    """
    check_option("measure", measure, MEASURES)
    a, f1, f2, n = (np.asarray(v, dtype=np.float64) for v in (a, f1, f2, n))
    a, f1, f2, n = np.broadcast_arrays(a, f1, f2, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        if measure == "count":
            out = a
        elif measure in ("pmi", "ppmi", "npmi"):
            pmi = np.log2(a) + np.log2(n) - np.log2(f1) - np.log2(f2)
            if measure == "pmi":
                out = pmi
            elif measure == "ppmi":
                out = np.maximum(pmi, 0.0)
            else:
                denom = np.log2(n) - np.log2(a)
                # a == n: the pair is in every unit; perfect co-occurrence by convention
                out = np.where(denom > 0, pmi / np.where(denom > 0, denom, 1.0), 1.0)
                out = np.clip(out, -1.0, 1.0)  # rounding only; the bound holds exactly
        elif measure == "log_dice":
            out = 14.0 + np.log2(2.0 * a / (f1 + f2))
        elif measure == "jaccard":
            out = a / (f1 + f2 - a)
        elif measure == "t_score":
            out = (a - f1 * f2 / n) / np.sqrt(a)
        else:
            out = g2(a, f1, f2, n)
    return np.atleast_1d(np.array(out, dtype=np.float64))


def g2(a, f1, f2, n):
    """Signed log-likelihood G² of the 2x2 table with joint count ``a``, marginals ``f1``, ``f2``
    and total ``n`` (all four cells; negative when ``a`` is below its expected count)."""
    b = f1 - a
    c = f2 - a
    d = n - f1 - f2 + a
    total = 0.0
    for obs, row, col in ((a, f1, f2), (b, f1, n - f2), (c, n - f1, f2), (d, n - f1, n - f2)):
        expected = row * col / n
        # an observed count > 0 implies its expected count > 0, so 0 * ln(0 / 0) is the only gap
        ratio = np.where(obs > 0, obs, 1.0) / np.where(expected > 0, expected, 1.0)
        total = total + np.where(obs > 0, obs * np.log(ratio), 0.0)
    g2 = 2.0 * np.maximum(total, 0.0)
    return np.where(a * n < f1 * f2, -g2, g2)


__all__ = ["MEASURES", "association", "g2"]
