# Every target sets itself up on a fresh machine: the virtualenv is created on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

CHROMIUM := /usr/bin/chromium

.PHONY: install test lint demo eval bench clean browser

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check extractor tests benchmarks

# The end-to-end test drives Debian's chromium; without it (no root, no apt) that test is skipped, not failed.
browser:
	@test -x $(CHROMIUM) || { echo "installing chromium for the browser test..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/tmp/extractor-chromium.log 2>&1 \
	  || echo "chromium could not be installed (see /tmp/extractor-chromium.log): the browser test will be skipped"; }

test: lint browser
	$(BIN)/python -m pytest -q

demo: $(STAMP)
	$(BIN)/extractor demo --db db/demo.db

eval: $(STAMP)
	$(BIN)/extractor parse ../shared/eval/dev/*.txt > /tmp/extractor-dev.jsonl
	$(BIN)/python ../shared/eval/score.py ../shared/eval/dev/gold.jsonl /tmp/extractor-dev.jsonl

bench: $(STAMP)
	$(BIN)/python benchmarks/parse_speed.py
	$(BIN)/python benchmarks/extract_speed.py
	$(BIN)/python benchmarks/crawl_speed.py
	$(BIN)/python benchmarks/compare_speed.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
