"""Collection rules for the docstring examples that run with the suite (--doctest-modules)."""
from __future__ import annotations

import doctest

import pytest


def pytest_collection_modifyitems(config, items):
    # Examples marked `+SKIP` show calls on a user's corpus (a name the docstring does not build);
    # they are documentation, not tests, so they are not collected at all instead of being
    # reported as skipped tests. Every other example in a docstring runs and must hold.
    def documentation_only(item) -> bool:
        if not isinstance(item, pytest.DoctestItem):
            return False
        examples = item.dtest.examples
        return bool(examples) and all(ex.options.get(doctest.SKIP, False) for ex in examples)

    items[:] = [item for item in items if not documentation_only(item)]
