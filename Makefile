# Two set-up commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PHONE_LIB := web/static/vendor/jssip.js
# Every package of the platform, bottom layer first (pyproject's import contracts).
PACKAGES := kernel store customers reports queueing outbound workforce complaints telephony qa web config

.PHONY: install messages demo serve test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,build]'
	touch $(STAMP)

# The browser phone's SIP library (JsSIP from npm, bundled; Node.js from the virtualenv).
$(PHONE_LIB): $(STAMP) scripts/phone-lib/package-lock.json scripts/phone-lib/build.mjs
	$(BIN)/python scripts/build_phone_lib.py

# The message catalogs compiled (.po -> .mo, and JSON for the pages' JavaScript).
MESSAGES_BUILT := web/static/i18n/.built
$(MESSAGES_BUILT): $(STAMP) $(wildcard web/locales/*/LC_MESSAGES/messages.po) scripts/build_messages.py
	$(BIN)/python scripts/build_messages.py
	touch $@

install: $(STAMP) $(PHONE_LIB) $(MESSAGES_BUILT)

LOCALES := zh_CN en
# Extract every marked string (Python, templates, JavaScript) and update the catalogs; translate
# the new entries in web/locales/*/LC_MESSAGES/messages.po, then `make install` compiles them.
messages: $(STAMP)
	$(BIN)/python -m web.i18n.extraction
	for l in $(LOCALES); do [ -f web/locales/$$l/LC_MESSAGES/messages.po ] || \
		$(BIN)/pybabel init -i web/locales/messages.pot -d web/locales -l $$l; done
	$(BIN)/pybabel update -i web/locales/messages.pot -d web/locales --no-fuzzy-matching --ignore-obsolete

demo: install
	exec $(BIN)/callcenter demo

test: install
	bash scripts/test-prereqs.sh
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy $(PACKAGES)

bench: install
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache tests/artifacts web/static/vendor web/static/i18n scripts/phone-lib/node_modules
