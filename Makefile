# The two commands a newcomer needs: `make run` and `make test`. See README.md.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: run test lint format serve clean chromium audit bench

# Reinstall only when a requirements file changes (stamp files record the last install).
$(VENV)/.runtime: requirements.txt requirements-postgres.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-postgres.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt requirements-s3.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: export DJANGO_DEBUG := 1
run: $(VENV)/.runtime
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/ — staff sign in at http://127.0.0.1:$(PORT)/admin/ (Ctrl-C stops)."
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# Tests run with production settings (DEBUG off) and the few test-only changes in
# tests/settings.py (pyproject.toml points pytest at it), whatever the shell's environment says.
test: $(VENV)/.dev node_modules/.installed chromium
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

# axe-core, the Nu HTML Checker and Lighthouse, from package-lock.json. --ignore-scripts:
# vnu-jar's install script would try to download Java; it runs on the system's java instead.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "The page checks need Node.js and npm: sudo apt-get install -y nodejs npm" >&2; exit 1; }
	@command -v java >/dev/null 2>&1 || { echo "The Nu HTML Checker needs Java: sudo apt-get install -y default-jre-headless" >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# $(call debian_package,COMMAND,WHAT FOR): install Debian's package COMMAND when the command is
# missing and we can (as root with apt-get); otherwise stop and say how.
define debian_package
	@command -v $(1) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's $(1) for $(2)…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1); \
	  else \
	    echo "Missing Debian's $(1), needed for $(2). Run: sudo apt-get install -y $(1)" >&2; exit 1; \
	  fi; }
endef

# Browser tests drive Debian's chromium.
chromium:
	$(call debian_package,chromium,the browser tests)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Like production: DEBUG off, collected static files served by whitenoise, gunicorn with two
# workers. Plain http on 127.0.0.1, so the redirect to HTTPS is off. A local secret is kept in
# .secret-key unless DJANGO_SECRET_KEY is set.
serve: export DJANGO_DEBUG := 0
serve: export DJANGO_SECURE_SSL_REDIRECT ?= 0
serve: $(VENV)/.runtime .secret-key
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$(cat .secret-key)}" sh -c '\
	  $(MANAGE) collectstatic --noinput --verbosity 0 && \
	  $(MANAGE) migrate --noinput && \
	  echo "Serving on http://127.0.0.1:$(PORT)/ (DEBUG off)" && \
	  exec $(BIN)/gunicorn practice.wsgi --workers 2 --bind 127.0.0.1:$(PORT) --access-logfile -'

.secret-key:
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

# Removes what the commands above generate; keeps db.sqlite3, media/ and backups/ (real data).
clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache .coverage htmlcov test-artifacts audit
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Every kind of visitor page, served like `make serve` (with demo content, in a throwaway
# database), through axe-core, the Nu HTML Checker and Lighthouse, with screenshots in audit/.
# Narrow it with e.g. AUDIT_ARGS="--pages home,search --only axe,nu" (see tools/audit.py).
audit: $(VENV)/.dev node_modules/.installed chromium
	$(BIN)/python tools/audit.py $(AUDIT_ARGS)

# Load test with Debian's wrk, served like `make serve` on bench/bench-<N>.sqlite3, beside a stock
# Wagtail page (installed from PyPI once into bench/); see tools/bench.py. ARTICLES=20000 sets N
# (2000 by default). Then the Markdown renderer on the slowest text we know of (tools/markdown_stress.py).
bench: $(VENV)/.dev
	$(call debian_package,wrk,the benchmark)
	$(BIN)/python tools/bench.py $(if $(ARTICLES),--articles $(ARTICLES)) $(BENCH_ARGS)
	$(BIN)/python tools/markdown_stress.py
