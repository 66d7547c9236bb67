# Everything bootstraps itself: a fresh clone needs only Python 3.11+, git and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=

.PHONY: chat test lint i18n diagrams bench clean

$(STAMP): pyproject.toml requirements.lock
	@echo "Setting up the Python environment in $(VENV) (once, about a minute; again only when the dependencies change)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/orderbot i18n compile
	touch $@

## chat: talk to the assistant in this terminal (SQLite file var/orderbot.db; ARGS="--market KZ ...")
chat: $(STAMP)
	$(BIN)/orderbot chat $(ARGS)

## test: the whole test suite (PostgreSQL tests run when ORDERBOT_TEST_POSTGRES_URL is set)
test: $(STAMP)
	$(BIN)/orderbot i18n compile
	$(BIN)/python -m pytest $(ARGS)

## lint: ruff, and the import contracts of docs/architecture.md (pyproject.toml [tool.importlinter])
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## i18n: refresh the catalogues from the code, then fill in the new entries in locales/
i18n: $(STAMP)
	$(BIN)/orderbot i18n update
	$(BIN)/orderbot i18n check || true

## diagrams: regenerate docs/flows/*.diagram.md from the state machines
diagrams: $(STAMP)
	$(BIN)/orderbot flows --out docs/flows

## bench: floor vs full stack (ARGS="--scale --db postgresql+asyncpg://...", docs/performance.md)
bench: $(STAMP)
	$(BIN)/python -m bench $(ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
