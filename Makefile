# Two commands for a fresh machine: `make run` and `make test` (`make test-fast`: the quick tier).
SHELL  := /bin/bash
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# pip shows what it collects and downloads (a bar per download in a terminal). justext asks for
# lxml[html_clean], an extra the lxml installed here does not declare (pyproject.toml requires
# lxml_html_clean itself): pip's warning about it asks nothing of anyone, so that line is left out.
PIP    := $(BIN)/python -m pip install --disable-pip-version-check -c constraints.txt
NO_EXTRA_WARNING := 2> >(grep -v "does not provide the extra 'html_clean'" >&2)
HOST   ?= 127.0.0.1
PORT   ?= 7860
DATA   ?= $(or $(ASSISTANT_DATA_DIR),data)

# llama.cpp's server for the real-LLM tests is compiled here. Left out: the vision library (mtmd,
# unused) and CPU-specific code (-march=native compiles Intel AMX kernels that crash where the
# kernel does not grant AMX, and a wheel pip caches must run on other CPUs): AVX2 is used.
LLAMA_CMAKE_ARGS ?= -DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF

.PHONY: run test test-fast setup setup-test llm-server chromium postgres lint index clean

run: setup index  ## set up, index samples/, serve the UI on http://127.0.0.1:7860
	$(BIN)/assistant --data-dir "$(DATA)" serve --host $(HOST) --port $(PORT)

test: setup-test llm-server chromium postgres  ## set up with test extras, then run every test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

test-fast: setup-test  ## the pure and unit tests: no browser, nothing slow (a few minutes)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not slow and not browser"

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test

# The samples go into a new data dir only: an article the user deleted stays deleted.
index: setup
	@if [ -e "$(DATA)/articles.db" ]; then \
	  echo "$(DATA) holds an index: samples/ not added again ('assistant index add samples/' would)."; \
	else \
	  $(BIN)/assistant --data-dir "$(DATA)" index add samples/; \
	fi

$(BIN)/python:
	@echo "Creating the virtualenv $(VENV)…"
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	@echo "Installing the assistant and its dependencies (CPU torch, sentence-transformers, Chroma,"
	@echo "Gradio, ONNX Runtime) into $(VENV): about 2 minutes the first time, seconds after…"
	$(PIP) -e . $(NO_EXTRA_WARNING)
	@echo "Installed."
	@touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	@echo "Installing the assistant with its test tools (pytest, Playwright, ruff, the LLM clients)"
	@echo "into $(VENV): about 2-3 minutes the first time, seconds after…"
	$(PIP) -e '.[test]' $(NO_EXTRA_WARNING)
	@echo "Installed."
	@touch $@ $(VENV)/.installed

# Optional: when llama-cpp-python cannot be built (no compiler or CMake), the tests marked
# llm_server are skipped, saying so, and the next `make test` tries again.
llm-server: $(VENV)/.installed-llm-server

$(VENV)/.installed-llm-server: pyproject.toml constraints.txt | $(VENV)/.installed-test
	@echo "Building llama-cpp-python (llama.cpp's OpenAI-compatible server) for the real-LLM tests:"
	@echo "up to 25 minutes on 2 cores the first time (pip keeps the wheel), seconds after…"
	@if CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) -e '.[test,llm-server]'; then \
	  echo "Installed."; touch $@; \
	else \
	  echo "llama-cpp-python could not be built: the llm_server tests will be skipped." >&2; \
	fi

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The UI tests need Debian's chromium: run 'sudo apt-get install chromium', then 'make test' again." >&2; \
	    exit 1; \
	  fi; }

# The PostgreSQL catalog tests start their own throwaway cluster (initdb/pg_ctl in a temp dir, on
# a free port): they only need Debian's server binaries. Without them those tests are skipped.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's postgresql for the shared-catalog tests…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else \
	    echo "No PostgreSQL server binaries: the PostgreSQL tests will be skipped ('sudo apt-get install postgresql' to run them)." >&2; \
	  fi; }

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
