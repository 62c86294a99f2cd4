# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := tandem.settings

.PHONY: run test check lint typecheck install browsers messages static migrate seed pytest pytest-postgres clean lock

install: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	@# WeasyPrint (the data export's printable summary) draws text with Debian's Pango and a font;
	@# gettext's msgfmt compiles the translations (make messages).
	@if dpkg -s libpangoft2-1.0-0 fonts-dejavu-core gettext >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core gettext >/dev/null; \
	else \
		echo "Needed: sudo apt-get install libpangoft2-1.0-0 fonts-dejavu-core gettext"; \
		exit 1; \
	fi
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check "uv==$(UV_VERSION)"
	$(VENV)/bin/uv pip install -q --python $(PY) --require-hashes -r requirements.lock
	$(VENV)/bin/uv pip install -q --python $(PY) --no-deps -e .
	touch $@

# Regenerate the lock file after changing dependencies in pyproject.toml.
lock: install
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock -q

# The compiled catalogues (.mo) are built here, never committed: the .po files are the source.
messages: install
	cd src/tandem && ../../$(PY) -m tandem.manage compilemessages -v 0

static: install messages
	$(PY) -m tandem.manage collectstatic --noinput -v 0

migrate: install
	$(PY) -m tandem.manage migrate --noinput -v 0
	$(PY) -m tandem.manage createcachetable

seed: migrate
	$(PY) -m tandem.manage seed_demo

run: static seed
	$(PY) -m tandem.manage serve --port $(PORT)

browsers:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "The browser tests need Chromium at /usr/bin/chromium."; \
		echo "Install it with: sudo apt-get install chromium   (then run make test again)"; \
		exit 1; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	# Test mode, so the test-only app's models are known to the type checker too.
	TANDEM_ENV=test $(VENV)/bin/mypy src

check: lint typecheck
	$(PY) -m tandem.manage makemigrations --check --dry-run -v 0

pytest: install static browsers
	bash scripts/pytest.sh $(PYTEST_ARGS)

test: check pytest

clean:
	rm -rf $(VENV) src/tandem/staticfiles_build .pytest_cache .mypy_cache .ruff_cache
