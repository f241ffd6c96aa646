# Partner Portal. `make run` to try it, `make test` to test it (the command CI runs).
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000

.PHONY: setup run test serve bench lint clean

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt bench/requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

# The benchmark's own packages (bench/requirements.txt: the django-two-factor-auth peer).
$(VENV)/.bench: requirements.txt bench/requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r bench/requirements.txt
	@touch $@ $(VENV)/.runtime

setup: $(VENV)/.runtime
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo

run: setup
	@echo ""
	@echo "Partner Portal is starting at http://localhost:$(PORT)/ (localhost, not 127.0.0.1: security keys need a host name)"
	@echo "Demo accounts (password: portal-demo-2fa):"
	@echo "  admin@acme.example    firm admin, Acme IT (two-factor ON)"
	@echo "  tech@acme.example     tech, Acme IT; nophone@acme.example has no phone on file"
	@echo "  admin@globex.example  firm admin, Globex MSP (two-factor off)"
	@echo "  tech@globex.example   tech, Globex MSP"
	@echo "  user@contoso.example  end user, Contoso Dental (two-factor ON)"
	@echo "  user@fabrikam.example end user, Fabrikam Law (two-factor off)"
	@echo "The simulated phone (texts and OneTouch requests): http://localhost:$(PORT)/dev/phone/"
	@echo ""
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://localhost:$(PORT)} $(PY) manage.py runserver 127.0.0.1:$(PORT)

# What `check --deploy` sees in production: DEBUG off, a long key, a real host, texts through
# Twilio, a VAPID key for the phone app's pushes. Placeholder values of the right shape; the check contacts no database, cache or API.
DEPLOY_ENV := DEBUG=0 \
  SECRET_KEY=make-test-deploy-check-only-0123456789abcdefghijklmnopqrstuvwxyz \
  ALLOWED_HOSTS=portal.example PUBLIC_BASE_URL=https://portal.example SIMULATED_PHONE=0 \
  SMS_BACKEND=twofactor.sms.twilio_messaging.SmsBackend \
  TWILIO_ACCOUNT_SID=AC00000000000000000000000000000000 \
  TWILIO_AUTH_TOKEN=00000000000000000000000000000000 TWILIO_MESSAGING_FROM=+14155550123 \
  FIELD_ENCRYPTION_KEY=bWFrZS10ZXN0LWRlcGxveS1jaGVjay1vbmx5LWtleSE= \
  VAPID_PRIVATE_KEY=wYR6KSIj0a97dg0OthvrXgNvGxUwv8zqXqWMf_UUCPk \
  VAPID_SUBJECT=mailto:security@portal.example

# Lint, import contracts (pyproject.toml), no missing migration, a clean deploy check, then the
# suite on TEST_WORKERS parallel workers (pytest-xdist; how they share it: tests/parallel.py).
TEST_WORKERS ?= 2

test: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	env $(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) -m pytest -n $(TEST_WORKERS)

# Production: DEBUG=0 unless set; needs SECRET_KEY and ALLOWED_HOSTS (docs/serving.md). One
# gunicorn master, uvicorn workers: held polls on their event loops, pages on their threads.
serve: export DEBUG ?= 0
serve: $(VENV)/.runtime
	$(PY) manage.py check --deploy --fail-level WARNING
	$(PY) manage.py collectstatic --no-input -v 0
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py createcachetable
	$(VENV)/bin/gunicorn -c portal/gunicorn.conf.py

# The load benchmark (bench/README.md); QUICK=1 for a smoke run. Installs wrk from Debian.
bench: $(VENV)/.bench
	@command -v wrk >/dev/null 2>&1 || { echo "== installing wrk (Debian's package)"; \
	  apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	$(PY) -m bench $(if $(QUICK),--quick,) $(BENCH_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-* .pytest_cache
