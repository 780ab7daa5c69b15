# The two commands: `make run` and `make test`. Everything installs into .venv.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
PORT    ?= 8000
PYTHON  ?= python3

.PHONY: install system-deps run test test-fast bench clean

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
	@echo "Serving on http://127.0.0.1:$(PORT)/  (Ctrl-C to stop)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install system-deps
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

test-fast: install
	$(PY) -m pytest -m "not e2e"

bench: install
	@for script in bench/*.py; do case $$script in bench/make_data.py|bench/_*) continue;; esac; echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) staticfiles .test-media .pytest_cache
