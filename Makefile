# clientdesk — two commands: `make demo` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PYTEST_WORKERS ?= 2
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Machines here may set PYTHONDONTWRITEBYTECODE: without cached bytecode every test worker and
# server process compiles the app and its libraries again (21-23 s an import of the app, 6-8 s
# with it). Python still reads the bytecode that BYTECODE writes: the app's, and the libraries'
# once after each sync that changed uv.lock (a stamp per kind of setup; a file that does not
# compile is left to fail where it is imported), their own test suites left out (3,273 of
# 12,400 files, never imported here). uv's UV_COMPILE_BYTECODE compiled those too: 20 s on
# two cores after a new clone's sync, 14 s without them.
SITE_PACKAGES = $$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
define BYTECODE
{ stamp=$(VENV)/.bytecode-$(1); lock="$$(sha256sum uv.lock)"; \
  [ "$$(cat $$stamp 2>/dev/null)" = "$$lock" ] || { \
    $(BIN)/python -m compileall -qq -j 0 -x '/tests/' $(SITE_PACKAGES); \
    echo "$$lock" > $$stamp; }; }
$(BIN)/python -m compileall -q clientdesk
endef

.PHONY: help demo test test-postgres lint typecheck suite setup setup-dev assets browser pdf-libs office bench clean

help:
	@echo "make demo   set everything up, load the demo book and serve http://127.0.0.1:8000"
	@echo "make test   set up with dev dependencies, lint, type-check and run the whole suite"

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed

setup: $(UV) assets
	$(UV) sync --frozen --no-dev --quiet
	$(call BYTECODE,app)

setup-dev: $(UV) assets
	$(UV) sync --frozen --quiet
	$(call BYTECODE,dev)

# The demo serves on loopback for one person trying it: sign-in is the published password alone
# unless CLIENTDESK_MFA_REQUIRED=true is given (then each demo user's authenticator key is
# printed). `clientdesk serve` keeps two-factor sign-in on and refuses it off on an open address.
demo: setup pdf-libs
	CLIENTDESK_MFA_REQUIRED=$${CLIENTDESK_MFA_REQUIRED:-false} $(BIN)/clientdesk demo

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy keeps its cache for the user, not the checkout: a new clone on a machine that has
# type-checked before re-checks only what changed (~3 s instead of ~50 s on one core). The cache
# is safe to share: mypy re-reads a module whose contents' hash differs from its cache entry,
# whatever the path or the file times (measured: a second clone with the first clone's cache,
# 3.2 s). MYPY_CACHE_DIR=.mypy_cache keeps it in the checkout.
MYPY_CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/clientdesk/mypy

typecheck: setup-dev
	$(BIN)/mypy --cache-dir "$(MYPY_CACHE_DIR)" clientdesk conftest.py

# One `apt-get update` for the three system packages below, not one each (5-15 s apiece on a
# fresh machine): skipped when this machine ran it for us in the last hour.
APT_STAMP := /tmp/.clientdesk-apt-update
APT_UPDATE := { [ -n "$$(find $(APT_STAMP) -mmin -60 2>/dev/null)" ] || { apt-get update -qq && touch $(APT_STAMP); }; }

# Debian's chromium drives the browser tests (Playwright uses it; it downloads no browser).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then $(APT_UPDATE) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "browser tests need Debian's chromium: sudo apt-get install chromium"; fi; }

# LibreOffice (headless, no GUI) draws the report decks in a test, as a sponsor's office suite
# would: the deck must open and every slide draw, not only read back through python-pptx.
office:
	@command -v soffice >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then $(APT_UPDATE) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-impress-nogui >/dev/null; \
	  else echo "the deck rendering test needs LibreOffice: sudo apt-get install libreoffice-impress-nogui"; fi; }

# Debian's pango (and through fontconfig, the DejaVu fonts) for WeasyPrint's report PDFs, and
# HarfBuzz's subsetter, which WeasyPrint embeds fonts with (it warns it will require it).
pdf-libs:
	@{ ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' && ldconfig -p | grep -q 'libharfbuzz-subset.so.0'; } || { \
	  if [ "$$(id -u)" = 0 ]; then $(APT_UPDATE) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null; \
	  else echo "report PDFs need Debian's pango: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"; fi; }

# --dist loadgroup keeps the Spark tests on one worker and the browser tests on one worker;
# --no-loadscope-reorder keeps the order pytest-django gives (database tests, then transactional
# ones, then the rest): xdist otherwise runs the biggest groups first, and the browser tests'
# transactional flush would empty the rows the data migrations seed before the tests that read them.
#
# The type check runs beside the suite, not before it: with no cache (a new machine) mypy spends
# ~50 s on one core while the other would wait; beside the suite the two cores stay busy.
# Either failing fails `make test`.
test: lint browser pdf-libs office
	@$(MAKE) --no-print-directory -j2 typecheck suite

# The public X12 samples live beside the checkout (../shared/data/x12), not in it: when they are
# there, the run asks for them (their tests fail rather than skip if they cannot be read);
# CLIENTDESK_X12_SAMPLES=/path points the tests at them anywhere (clientdesk/lake/tests/x12samples.py).
X12_SAMPLES := $(abspath ../shared/data/x12)
X12_ENV = $(if $(wildcard $(X12_SAMPLES)/pyx12/MANIFEST.csv),CLIENTDESK_X12_SAMPLES=$${CLIENTDESK_X12_SAMPLES:-$(X12_SAMPLES)} CLIENTDESK_REQUIRE_X12_SAMPLES=true)

# pytest caches each test module as it rewrote its asserts (__pycache__/*-pytest-*.pyc) only
# where Python may write bytecode: a machine that sets PYTHONDONTWRITEBYTECODE would have every
# worker rewrite every test module on every run (~8 CPU s a worker), so the suite lets it write.
suite: setup-dev
	PYTHONDONTWRITEBYTECODE= $(X12_ENV) $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder

# The same suite against PostgreSQL (DATABASE_URL must point at a server that answers).
test-postgres: setup-dev
	@test -n "$$DATABASE_URL" || { echo "set DATABASE_URL=postgres://…"; exit 2; }
	$(BIN)/python -m clientdesk.web.dbcheck
	PYTHONDONTWRITEBYTECODE= $(X12_ENV) $(BIN)/pytest -n $(PYTEST_WORKERS) -m "not spark and not browser"

bench: setup-dev
	for script in bench/*.py; do $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) $(TOOLS) node_modules var
