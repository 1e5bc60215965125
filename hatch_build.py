"""Build hook: compiles the package's C extensions.

- ``corpus_tools/text/_ctokenize.c``: the tokeniser.
- ``corpus_tools/analyses/_csets.c``: the digests, shingles, MinHash, LSH keys and set
  intersections of ``near_duplicates``.

Both are optional and built one at a time: where one does not compile (no C compiler, no
headers) the build warns, naming it, keeps the other, and the package falls back to the
pure-Python or numpy form of what is missing, which gives the same results, only more slowly.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import warnings

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# module: (its source, what serves in its place where it was not built)
EXTENSIONS = {
    "corpus_tools.text._ctokenize": (os.path.join("corpus_tools", "text", "_ctokenize.c"),
                                     "the pure-Python tokeniser"),
    "corpus_tools.analyses._csets": (os.path.join("corpus_tools", "analyses", "_csets.c"),
                                     "the numpy forms of near_duplicates' steps"),
}


def _build_ext(root: str, build_lib: str | None, module: str) -> list[str]:
    """Compile one extension with setuptools; returns the paths of the built files."""
    from setuptools import Distribution, Extension

    extensions = [Extension(module, [EXTENSIONS[module][0]], extra_compile_args=["-O3"] if os.name != "nt" else [])]
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with warnings.catch_warnings():
            # setuptools warns about its own `install` command, which this never runs
            warnings.simplefilter("ignore")
            dist = Distribution({"name": "corpus_tools", "ext_modules": extensions,
                                 "script_name": "hatch_build.py"})
            cmd = dist.get_command_obj("build_ext")
            cmd.inplace = build_lib is None
            if build_lib is not None:
                cmd.build_lib = build_lib
                cmd.build_temp = os.path.join(build_lib, "temp")
            cmd.ensure_finalized()
            cmd.run()
        return [os.path.join(root if build_lib is None else build_lib, p) for p in cmd.get_outputs()]
    finally:
        os.chdir(cwd)


class CustomBuildHook(BuildHookInterface):
    _build_lib: str | None = None

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return
        # an editable install imports from the source tree: compile next to the .c files
        build_lib = None if version == "editable" else tempfile.mkdtemp(prefix="corpus_tools_ext_")
        self._build_lib = build_lib
        outputs = []
        for module in EXTENSIONS:
            try:
                outputs += _build_ext(self.root, build_lib, module)
            except Exception as exc:  # no compiler, no headers: the pure-Python or numpy form serves
                warnings.warn(f"corpus_tools: the C extension {module} was not built ({exc}); "
                              f"{EXTENSIONS[module][1]} will be used (same results, slower).")
                print(f"corpus_tools: C extension {module} not built: {exc}", file=sys.stderr)
        if build_lib is None or not outputs:
            return
        for path in outputs:
            rel = os.path.relpath(path, build_lib)
            build_data["force_include"][path] = rel
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        # the wheel holds its copy of the extension now
        if self._build_lib is not None:
            shutil.rmtree(self._build_lib, ignore_errors=True)
