# Aftercare: `make demo` to try it, `make test` to check it. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DEBUG ?= 1

.PHONY: demo test lint typecheck pytest install browser clean messages bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/aftercare demo

lint: $(STAMP)
	$(BIN)/ruff check aftercare bench tests conftest.py
	$(BIN)/ruff format --check aftercare bench tests conftest.py

typecheck: $(STAMP)
	$(BIN)/mypy aftercare

# pytest exits 5 when it collected nothing: for us that means a broken run, never a pass.
pytest: $(STAMP)
	@$(BIN)/python -m pytest $(PYTEST_ARGS); code=$$?; \
	if [ $$code -eq 5 ]; then echo "pytest collected no tests: treating that as a failure" >&2; exit 1; fi; \
	exit $$code

test: lint typecheck pytest

# Browser tests drive Debian's chromium; this installs it where apt is available (CI, root).
browser:
	@command -v /usr/bin/chromium >/dev/null || \
	  (command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] && \
	   apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) || \
	  echo "chromium not installed: browser tests will be skipped (install Debian's chromium to run them)"

messages: $(STAMP)
	cd aftercare && ../$(BIN)/aftercare compilemessages --ignore=.venv

bench: $(STAMP)
	$(BIN)/python bench/seed.py
	$(BIN)/python bench/upsert.py

clean:
	rm -rf $(VENV) var build *.egg-info
