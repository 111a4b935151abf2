# Entry points (see README): `make demo`, `make test` (fast selection, < 3 min) and `make test-all`
# (every test, what CI runs). Everything else is plumbing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := build/demo
BENCH_VENV := .venv-bench

.PHONY: install demo test test-all lint bench bench-venv clean messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	@echo "installing anon and its dependencies into $(VENV) (pandas, pyarrow, presidio, spaCy and its French model: a few minutes the first time)"
	$(BIN)/python -m pip install --progress-bar on --upgrade pip
	$(BIN)/python -m pip install --progress-bar on -e '.[dev,dask]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@mkdir -p $(DEMO)
	@test -s $(DEMO)/demo.key || $(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $(DEMO)/demo.key
	$(BIN)/anon generate --rows 10204 --seed 2021 -o $(DEMO)/caf_extract.csv --force
	$(BIN)/anon scan $(DEMO)/caf_extract.csv --write-policy $(DEMO)/policy.yaml --force
	$(BIN)/anon sanitize $(DEMO)/caf_extract.csv --profile training --policy $(DEMO)/policy.yaml \
		--key-file $(DEMO)/demo.key -o $(DEMO)/caf_training.csv --force
	@echo
	@echo "Fictitious extract : $(DEMO)/caf_extract.csv"
	@echo "Proposed policy    : $(DEMO)/policy.yaml"
	@echo "Training-safe copy : $(DEMO)/caf_training.csv"
	@echo "Manifest           : $(DEMO)/caf_training.csv.manifest.json"
	@echo "Risk report        : $(DEMO)/caf_training.csv.risk.html (and .risk.json)"

# the fast selection: every test but those marked slow (tests/conftest.py SLOW_FILES)
test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

test-all: $(STAMP)
	$(BIN)/python -m pytest -q

# the French catalog after a message changed: extract, merge, compile (then translate the new entries)
messages: $(STAMP)
	$(BIN)/python -m anonymizer.i18n_catalog

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/run.py

clean:
	rm -rf build .pytest_cache

# Benchmarks run in their own venv so that peers (pycanon, anjana, presidio-structured) never enter the runtime.
$(BENCH_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install -q -e '.[dev,bench]'
	touch $@

bench-venv: $(BENCH_VENV)/.installed
