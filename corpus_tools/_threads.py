"""How many BLAS threads a numerical step may use.

OpenBLAS threads wait for work by spinning. For products that take a few milliseconds, a second
thread saves little on a quiet machine and costs a lot on a busy one: on a loaded 2-core machine
the NMF start of topic models on the Lee corpus took 0.3-0.5 s with one BLAS thread and 1.0-1.5 s
with two (and up to 20 s inside a parallel test run). Steps made of many small products run
with one thread; large products keep every thread.
"""
from __future__ import annotations

import contextlib

# multiply-adds per step below which a product is "small": about 10 ms on one core
SMALL_PRODUCT = 50_000_000


@contextlib.contextmanager
def blas_threads_for(work: float):
    """Run the block with one BLAS thread when ``work`` (multiply-adds per product) is small.

    Parameters
    ----------
    work : float
        The size of the block's largest dense product, in multiply-adds; ``0`` always limits.

    Examples
    --------
    >>> import numpy as np
    >>> with blas_threads_for(0):
    ...     float(np.ones((3, 3)) @ np.ones(3) @ np.ones(3))
    9.0
    """
    if work >= SMALL_PRODUCT:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield
