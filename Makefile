# gaap-opener: `make run` and `make test` work from a fresh clone with only Python 3 and make.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# handler/ is the function's code root (as /var/user on SCF); fakegaap is imported from the repo root.
export PYTHONPATH := $(CURDIR)/handler:$(CURDIR)
EVENT ?= events/timer.json

.PHONY: all venv run test test-py310 bench lint typecheck package deploy rollback clean
LAYER_PYTHON ?= 3.10

all: test

$(STAMP): layers/requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

## run: invoke the function on $(EVENT) against the embedded fake GAAP and print the result
run: $(STAMP)
	$(PY) -m gaap_opener invoke --event $(EVENT) --emulator

## test: lint, type-check and run the whole suite
test: $(STAMP) lint typecheck
	$(PY) -m pytest -q

## test-py310: the suite on Python 3.10, SCF's runtime (PYTHON310=path/to/python3.10)
PYTHON310 ?= python3.10
test-py310:
	$(MAKE) test PYTHON=$(PYTHON310) VENV=.venv310

lint: $(STAMP)
	$(PY) -m ruff check handler fakegaap tests deploy layers bench

typecheck: $(STAMP)
	$(PY) -m mypy --strict handler deploy layers/build.py

## bench: cold start, memory and per-call cost beside the bare SDK (table + bench/results.json)
bench: $(STAMP)
	$(PY) bench/run.py

## package: dist/function.zip (handler/) and dist/layer.zip (dependencies for SCF's Python $(LAYER_PYTHON))
package: $(STAMP)
	$(PY) layers/build.py --python-version $(LAYER_PYTHON) --dist dist

## deploy: make SCF match template.yaml and freshly built packages (DRY_RUN=1: print the plan only; REGION=ap-guangzhou)
deploy: package
	$(PY) -m deploy $(if $(REGION),--region $(REGION)) $(if $(DRY_RUN),--dry-run) $(DEPLOY_ARGS)

## rollback: point the live alias (every trigger, the function URL) at VERSION: make rollback VERSION=3 [DRY_RUN=1]
rollback: $(STAMP)
	@test -n "$(VERSION)" || { echo "usage: make rollback VERSION=<published version>"; exit 2; }
	$(PY) -m deploy --rollback $(VERSION) $(if $(REGION),--region $(REGION)) $(if $(DRY_RUN),--dry-run)

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache .hypothesis
