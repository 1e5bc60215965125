"""The shared argument checks and their messages."""
import os

import numpy as np
import pytest

from corpus_tools.errors import check_n_jobs, check_option, check_positive_int


def test_positive_int_accepts_whole_numbers_and_refuses_the_rest():
    assert check_positive_int("top", np.int64(3)) == 3 and type(check_positive_int("top", np.int64(3))) is int
    assert check_positive_int("top", None, allow_none=True) is None
    for bad in (0, -2, 2.0, "3", True, None):
        with pytest.raises(ValueError, match=rf"^`top` must be a positive integer; got {bad!r}\.$"):
            check_positive_int("top", bad)
    with pytest.raises(ValueError, match=r"^`smooth` must be a positive number of periods or None; got 0\.$"):
        check_positive_int("smooth", 0, allow_none=True, what="number of periods")


def test_n_jobs():
    assert check_n_jobs(1) == 1 and check_n_jobs(-1) == (os.cpu_count() or 1)
    for bad in (0, -2, True, 1.5):
        with pytest.raises(ValueError, match=rf"^`n_jobs` must be a positive integer or -1 \(all cores\); got {bad!r}\.$"):
            check_n_jobs(bad)


def test_check_option_names_the_allowed_values():
    assert check_option("measure", "count", ["count", "share"]) == "count"
    with pytest.raises(ValueError, match=r"^`measure` must be one of \['count', 'share'\]; got 'precent'\.$"):
        check_option("measure", "precent", ["count", "share"])
