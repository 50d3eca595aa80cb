# Two commands on a fresh machine:  make serve  |  make test
# Both create .venv and install the pinned dependencies themselves.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# mkdocs-material >= 9.7 prints an end-of-life banner on every run.
export NO_MKDOCS_2_WARNING := 1

.PHONY: install serve build test unit docs figures bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(STAMP)

## serve the site at http://127.0.0.1:8000 (Korean at /, English at /en/)
serve: $(STAMP)
	PHYSDL_SITE_URL=http://127.0.0.1:8000/ $(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

## build the site into site/; any mkdocs warning fails the build
build: $(STAMP)
	$(BIN)/mkdocs build --strict

## regenerate every figure into docs/figures/
figures: $(STAMP)
	$(BIN)/python hooks/figures.py --force

## every check: unit tests, every snippet on every page, parity, strict build,
## links and anchors, the browser tests (all on the site/ just built)
test: build
	PHYSDL_SITE_DIR=site $(BIN)/python -m pytest --durations=10 -rs

## only the package's unit tests and the site checks (no browser)
unit: $(STAMP)
	$(BIN)/python -m pytest tests -m "not browser"

## only the snippets of the pages (e.g. make docs PAGES=docs/physics/hopfield.ko.md)
docs: $(STAMP)
	$(BIN)/python -m pytest $(or $(PAGES),docs)

## time the heavy kernels against naive/sklearn versions, the snippet suite and the build
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf site docs/figures .pytest_cache
