# The two quick-start commands are `make demo` and `make test`; both create .venv themselves.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench install clean messages messages-compile

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/lagniappe demo --serve

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .lagniappe

# Extract every translatable string into the five catalogues, then compile them (needs gettext).
messages: $(STAMP)
	mkdir -p src/lagniappe/locale && cd src/lagniappe && ../../$(BIN)/django-admin makemessages -l en -l id -l ja -l zh_Hans \
		-l zh_Hant --no-obsolete --no-location
	$(MAKE) messages-compile

messages-compile: $(STAMP)
	cd src/lagniappe && ../../$(BIN)/django-admin compilemessages
