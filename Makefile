# Gett Store Kiosk. Quick start: `make demo` (the app on its built-in simulator), `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")

.PHONY: help setup translations translations-update compile demo test lint typecheck check bench package installer-check workflow-check clean

help:
	@echo "make demo        start the kiosk on its built-in simulator"
	@echo "make test        run the whole test suite headless (lint, types, tests)"
	@echo "make check       lint + type check only"
	@echo "make bench       print the benchmarks"
	@echo "make package     build the pyinstaller bundle and installer"
	@echo "make installer-check  compile the Windows installer script (NSIS) on a placeholder bundle"
	@echo "make workflow-check   check the GitHub Actions workflows with actionlint"

$(VENV)/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 \
		|| $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --locked --quiet --compile-bytecode
	@touch $@

# This environment sets PYTHONDONTWRITEBYTECODE=1 and the project is installed editable, so
# nothing would ever be byte-compiled: every start would recompile kiosk (and uv's sync compiles
# only site-packages). compileall writes .pyc files regardless, so `make demo` and `make bench
# BENCH_ARGS=--venv=dev` start from bytecode (the bench's default venv and the frozen bundle are
# compiled when they are built).
compile: setup
	@$(BIN)/python -m compileall -q kiosk resources tests >/dev/null

setup: $(VENV)/.synced translations
	@.ci/system-deps.sh qt

# The words in other languages: resources/locale/<lang>/LC_MESSAGES/kiosk.po (in git) compiled to
# .mo (not in git) whenever the .po changes. resources/locale/GLOSSARY.md keeps key terms in line.
LOCALE := resources/locale
MO := $(patsubst %.po,%.mo,$(wildcard $(LOCALE)/*/LC_MESSAGES/kiosk.po))
translations: $(MO)
$(LOCALE)/%/LC_MESSAGES/kiosk.mo: $(LOCALE)/%/LC_MESSAGES/kiosk.po $(VENV)/.synced
	@$(BIN)/pybabel compile -D kiosk -l $* -i $< -o $@ 2>&1 | grep -v '^compiling catalog' || true

# After changing words in the code: extract them afresh and add the new ones to every .po (then
# translate the empty entries; the test suite fails until every language has every sentence).
translations-update: $(VENV)/.synced
	$(BIN)/pybabel extract -F $(LOCALE)/babel.cfg -o $(LOCALE)/kiosk.pot --no-location \
		--sort-output --project "Gett Store Kiosk" --copyright-holder Gett \
		--add-comments=TRANSLATORS: kiosk
	$(BIN)/pybabel update -D kiosk -i $(LOCALE)/kiosk.pot -d $(LOCALE) --no-fuzzy-matching \
		--ignore-obsolete --ignore-pot-creation-date

demo: compile
	@if [[ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" && "$$(uname)" == Linux && -z "$${QT_QPA_PLATFORM:-}" ]]; then \
		mkdir -p out; \
		echo "No display here: rendering the demo's main screen to out/demo.png instead."; \
		QT_QPA_PLATFORM=offscreen $(BIN)/kiosk --demo --screenshot out/demo.png; \
	else \
		$(BIN)/kiosk --demo; \
	fi

lint: setup
	$(BIN)/ruff check kiosk tests
	$(BIN)/ruff format --check kiosk tests
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

check: lint typecheck

test: setup check
	@.ci/system-deps.sh qt x11 keyring icu
	QT_QPA_PLATFORM=offscreen .ci/with-keyring.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: compile
	@.ci/system-deps.sh qt x11
	$(BIN)/python -m tests.bench $(BENCH_ARGS)

package: setup
	packaging/build.sh

installer-check: setup
	@.ci/system-deps.sh nsis
	packaging/windows/installer-check.sh

workflow-check: setup
	$(BIN)/actionlint -no-color .github/workflows/*.yml

clean:
	rm -rf $(VENV) build dist out .pytest_cache .mypy_cache .ruff_cache
