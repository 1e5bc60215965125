# Two commands do all the set-up:  `make report`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
REPORT ?= reports/default

export MPLBACKEND := Agg
export PYTHONHASHSEED := 0

# Real corpora beside the checkout (../shared/corpora) are used when present.
SHARED_CORPORA := $(abspath ../shared/corpora)
ifneq ($(wildcard $(SHARED_CORPORA)/README.md),)
export CORPUS_TOOLS_DATA ?= $(SHARED_CORPORA)
endif

.PHONY: report test install bench clean

$(VENV)/.installed: pyproject.toml hatch_build.py corpus_tools/text/_ctokenize.c corpus_tools/analyses/_csets.c
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(PY) -m pip install --quiet -e ".[test,bench]"
	touch $@

install: $(VENV)/.installed

report: $(VENV)/.installed
	$(VENV)/bin/corpus-tools report -o $(REPORT)

test: $(VENV)/.installed-test
	$(PY) -m pytest -n 2 --dist loadfile

bench: $(VENV)/.installed-bench
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) reports .pytest_cache
