# rehab_eval: the two commands (`make demo`, `make test`) and a few more targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SEED ?= 7
RAW := data/raw
PROCESSED := data/processed
REPORTS := reports
NOTEBOOKS := src/rehab_eval/reports/notebooks  # the report notebooks ship inside the package

.PHONY: demo test bench lab lint venv clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/rehab-eval demo --seed $(SEED) --raw $(RAW) --processed $(PROCESSED) --reports $(REPORTS)

test: $(STAMP)
	$(PY) -m pytest -q -n 2 --dist loadfile

# make bench (quick, a few minutes) or make bench ARGS=--full (scales 40, 160, 640: long)
bench: $(STAMP)
	$(PY) benchmarks/run_all.py $(ARGS)

lab: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,lab]'
	$(VENV)/bin/jupyter lab $(NOTEBOOKS)/

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks

clean:
	rm -rf $(PROCESSED) data/.processed.versions data/.processed.lock $(REPORTS)/* $(RAW)/* data/truth.json data/demo.key
	@touch $(RAW)/.gitkeep $(REPORTS)/.gitkeep
