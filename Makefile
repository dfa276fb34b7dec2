# Two commands for a fresh machine: `make demo` and `make test`. Both install what is missing
# (a project-local .venv from uv.lock) and reuse it on the next run.
PYTHON ?= python3
UV := .tools/bin/uv
VENV := .venv

.PHONY: install demo test lint clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==0.13.9

$(VENV)/.installed: $(UV) uv.lock pyproject.toml
	@echo "Installing the locked environment into $(VENV) (first run takes a minute or two)..."
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/kolpipe demo

test: install
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check plugins dags tests

clean:
	rm -rf var .venv .tools
