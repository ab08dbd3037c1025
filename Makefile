# Urgent: `make run` sets up and serves the platform; `make test` sets up and runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NPM ?= npm
AXE := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: install run test lint typecheck pytest lock messages clean lighthouse mutation
# Branch coverage of the package, printed after the tests (files fully covered are left out).
COVERAGE ?= --cov=urgent --cov-branch --cov-report=term:skip-covered

install: $(BIN)/.installed

$(BIN)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Urgent needs Python 3.11 or newer; this python3 is " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

run: install
	$(BIN)/urgent migrate --noinput
	$(BIN)/urgent demo
	$(BIN)/urgent serve

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v $(NPM) >/dev/null 2>&1; then \
		$(NPM) ci --prefix tests/browser --no-audit --no-fund --silent; \
	else \
		echo "npm not found: the accessibility check in the browser tests will be skipped"; \
	fi

test: install $(AXE) lint typecheck pytest

# Lighthouse scores of the public pages, phone and desktop (minutes; not part of `make test`).
lighthouse: install $(AXE)
	$(BIN)/python tests/browser/lighthouse.py --min 95

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck:
	$(BIN)/mypy .

pytest:
	$(BIN)/urgent makemigrations --check --dry-run --verbosity 0
	$(BIN)/pytest $(COVERAGE) $(PYTEST_ARGS)

# Mutation testing of the protective modules ([tool.mutmut] in pyproject.toml); not part
# of `make test`: it takes minutes. The score per module: `$(BIN)/mutmut results`.
# One module at a time: the process that forks each mutant's test run has run only that
# module's tests before, so no other module's tests leave state behind that the forks inherit.
mutation: install
	rm -rf mutants && mkdir mutants
	for module in $$($(BIN)/python -m tests.safety.mutation_score --modules); do \
		$(BIN)/mutmut run "$$module.*" > mutants/$$module.log 2>&1 \
			|| { tail -40 mutants/$$module.log; exit 1; }; \
	done
	$(BIN)/python -m tests.safety.mutation_score

lock:
	$(BIN)/python -m pip install --quiet uv
	@# Start from the current pins so that only what pyproject.toml changed moves.
	grep -v '^#' requirements.lock > requirements.lock.new
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes \
		--no-header --quiet -o requirements.lock.new
	{ echo "# Exact versions (with hashes) of every dependency, for Python 3.11+."; \
	  echo "# Regenerate after changing pyproject.toml: make lock"; \
	  cat requirements.lock.new; } > requirements.lock && rm requirements.lock.new

messages: install
	cd urgent && ../$(BIN)/urgent makemessages -l fr -l es --no-obsolete && ../$(BIN)/urgent compilemessages

clean:
	rm -rf $(VENV) tests/browser/node_modules mutants
