# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: demo test bench install clean app

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(STAMP)

$(STAMP_DEV): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP_DEV)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/contactsim run scenarios/baseline.toml --out out/baseline
	@for s in retail_phone retail_social retail_reputation; do \
	  if [ -f scenarios/$$s.toml ]; then $(VENV)/bin/contactsim run scenarios/$$s.toml --out out/$$s || exit 1; fi; \
	done

test: $(STAMP_DEV)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -q -n auto --dist loadscope --no-loadscope-reorder

# the teaching app (docs/app.md): installs the [app] extra, then serves the lessons on localhost:8501
app: $(STAMP)
	$(PY) -m pip install --quiet -e '.[app]'
	$(VENV)/bin/contactsim app

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) experiments/bench.py

clean:
	rm -rf $(VENV) out .pytest_cache
