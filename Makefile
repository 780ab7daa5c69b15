# The two commands: `make run` and `make test`. Everything installs into .venv.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
PORT    ?= 8000
export PORT  # settings read it: links made without a request (certificates, e-mails) use this port
PYTHON  ?= python3
TEST_WORKERS ?= 2

.PHONY: install system-deps run test test-fast lint bench bench-quick clean

# axe-core for the accessibility checks in tests/e2e (npm, pinned in tests/e2e/package-lock.json);
# npm writes node_modules/.package-lock.json, so a changed lock file reinstalls.
E2E_NODE := tests/e2e/node_modules/.package-lock.json

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# Debian packages (Chromium for browser tests, Noto fonts for certificates, poppler);
# installed only when missing and only where we may (root or passwordless sudo).
system-deps:
	@bash .ci/system-deps.sh

run: install system-deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_demo
	$(PY) manage.py demo_activity
	@echo "Serving on http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

$(E2E_NODE): tests/e2e/package.json tests/e2e/package-lock.json
	npm ci --prefix tests/e2e --no-audit --no-fund
	touch $@

# ruff (lint and format, configured in pyproject.toml) and import-linter (the one-way app layers).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

test: install system-deps $(E2E_NODE) lint
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not serial" --durations=15  # a process per core; a file stays on one
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -m serial --durations=15  # tests that commit (and so empty) their process's database, after the others

test-fast: install
	$(PY) -m pytest -m "not e2e"

# CI runs every benchmark in quick mode after the tests (tiny sizes, a few seconds each), so none can rot.
bench-quick:
	BENCH_QUICK=1 $(MAKE) --no-print-directory bench

bench: install
	@for script in bench/*.py; do case $$script in bench/make_data.py|bench/_*) continue;; esac; echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) staticfiles .test-media .pytest_cache tests/e2e/node_modules
