# Two commands are all the set-up a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_OUT ?= out/demo

.PHONY: demo test install clean benchmarks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Re-install only when the project definition changes (idempotent).
# torch is pinned to the CPU wheel before sentence-transformers can pull a multi-GB CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[dev,sbert]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/msc-nlp analyze corpora/sample/stories.csv --out $(DEMO_OUT)
	@echo "Report: $(DEMO_OUT)/report.html"

# tests/ and the notebooks (executed top to bottom by nbmake, so they never rot)
test: $(STAMP)
	$(BIN)/python -m pytest -q --nbmake

benchmarks: $(STAMP)
	$(BIN)/python -m pip install -q -e ".[bench]"
	$(BIN)/python benchmarks/langid.py

clean:
	rm -rf $(VENV) out .pytest_cache
