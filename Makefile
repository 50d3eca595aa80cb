# Two commands on a fresh machine:  make serve  |  make test
# Both create .venv and install what they need themselves. `make help` lists
# every target.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8000
# PyPI's torch wheel for Linux is the CUDA build (gigabytes); PyTorch's CPU
# index has the same version as a CPU wheel. macOS and Windows get CPU wheels
# from PyPI. `make TORCH_INDEX=` installs torch from PyPI only.
ifeq ($(shell uname -s),Linux)
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
endif
# mkdocs-material >= 9.7 prints an end-of-life banner on every run.
export NO_MKDOCS_2_WARNING := 1

.DEFAULT_GOAL := help
.PHONY: help check-python install serve build test unit docs figures bench audit oldest clean distclean

help: ## list the targets
	@echo "physdl-docs: make <target>"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'

check-python: ## check that Python 3.11 or newer is there
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "physdl-docs needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo missing)." >&2; \
	  echo "Install Python 3.11 (e.g. 'pyenv install 3.11', 'brew install python@3.11' or your" >&2; \
	  echo "distribution's python3.11 package), then run make again, or: make PYTHON=/path/to/python3.11" >&2; \
	  exit 1; }

# The stamp is written last: an interrupted or failed install leaves no
# stamp, and the broken .venv is removed so the next run starts clean.
$(STAMP): pyproject.toml constraints.txt | check-python
	@rm -f $@
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
	  echo "removing $(VENV): it was made with an older Python"; rm -rf $(VENV); fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --retries 1 --no-deps \
	  -c constraints.txt $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) torch \
	  || { rm -rf $(VENV); echo "installing torch failed; .venv removed" >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]' \
	  || { rm -rf $(VENV); echo "installing the dependencies failed; .venv removed" >&2; exit 1; }
	touch $@

install: $(STAMP) ## create .venv with the pinned dependencies (constraints.txt)

# Quick mode: `make serve LANG=ko` (or LANG=en) builds one language and
# rebuilds only the page you edit (--dirtyreload); that language is then
# served at /. Only the values ko and en count: the LANG of your locale
# (en_US.UTF-8, C.UTF-8, ...) leaves the full two-language serve.
SERVE_LANG := $(filter ko en,$(LANG))
serve: $(STAMP) ## serve the site at http://127.0.0.1:8000 (PORT=...); LANG=ko or en: one language, fast reloads
	PHYSDL_SITE_URL=http://127.0.0.1:$(PORT)/ $(if $(SERVE_LANG),PHYSDL_ONLY_LANG=$(SERVE_LANG)) \
	  LANG=C.UTF-8 $(BIN)/mkdocs serve --dev-addr 127.0.0.1:$(PORT) $(if $(SERVE_LANG),--dirtyreload)

build: $(STAMP) ## build the site into site/; any mkdocs warning fails the build
	$(BIN)/mkdocs build --strict

figures: $(STAMP) ## redraw every figure into docs/figures/
	$(BIN)/python hooks/figures.py --force

# tests/package installs the built wheel into a fresh venv, torch from the
# same index as above.
test: build ## every check: strict build, unit tests, every snippet, notebooks, the wheel, links, browser
	PHYSDL_SITE_DIR=site PHYSDL_TORCH_INDEX=$(TORCH_INDEX) $(BIN)/python -m pytest --durations=10 -rs

unit: $(STAMP) ## the package's unit tests and docstring examples only (fast, no site)
	$(BIN)/python -m pytest tests/unit tests/package physdl_docs -q -m "not wheel"

docs: $(STAMP) ## the snippets of the pages, e.g. make docs PAGES=docs/physics/hopfield.ko.md
	$(BIN)/python -m pytest $(or $(PAGES),docs)

# Lighthouse (npm, pinned; needs Node 18+) goes into .audit/node_modules,
# never globally; it drives Debian's chromium. Not part of `make test`.
LIGHTHOUSE := lighthouse@12.2.3
audit: $(STAMP) ## Lighthouse scores (mobile, gzip) of 3 lessons in ko and en; needs node and chromium
	@test -f .audit/node_modules/lighthouse/cli/index.js || { mkdir -p .audit && \
	  npm install --prefix .audit --no-save --no-audit --no-fund --loglevel=error $(LIGHTHOUSE); }
	$(BIN)/python tests/browser/audit.py

oldest: $(STAMP) ## unit tests with the oldest numpy/scipy/scikit-learn pyproject.toml allows (a throwaway venv, ~5 min)
	PHYSDL_TORCH_INDEX=$(TORCH_INDEX) $(BIN)/python tests/package/oldest.py

bench: $(STAMP) ## time the heavy kernels against naive/sklearn versions, the snippets, the build
	$(BIN)/python benchmarks/bench.py

clean: ## remove the built site, the figures and the generated pages (keeps .venv)
	rm -rf site docs/figures docs/reference/api .pytest_cache
	rm -f docs/reference/glossary.*.md docs/reference/bibliography.*.md

distclean: clean ## also remove .venv
	rm -rf $(VENV)
