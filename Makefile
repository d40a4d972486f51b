# Recurrent Architectures course — every set-up step lives here.
#   make lab    create/refresh .venv from the lock, install course_utils, start JupyterLab
#   make test   same set-up, then lint + unit tests + doctests + nbval over every notebook + browser tests,
#               then every notebook again at another seed with perturbed floats (claims must still hold)
#   make claims every notebook and assignment master for seeds 0-4 x {default, perturbed} -> docs/claims.md
#   make compat the notebooks' claims under the oldest and newest supported TensorFlow/Keras
SHELL := /bin/bash
# requirements/lock.txt is resolved for these Pythons (tools/lock.py checks each); any other stops at once.
SUPPORTED_PYTHONS := 3.11 3.12 3.13
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.course-installed
JOBS ?= 2
LAB_ARGS ?=
# Jupyter refuses to run as root (containers, CI) unless told; it is harmless for everyone else.
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root,)
# Quiet TensorFlow in every command that can start it.
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
export PYTHONHASHSEED := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# The second notebook pass of `make test`: another seed, oneDNN on, other thread counts (see tools/claims.py).
PERTURBED_ENV := COURSE_SEED=3 TF_ENABLE_ONEDNN_OPTS=1 COURSE_TF_THREADS=1 COURSE_BLAS_THREADS=2
PERTURBED_CLAIMS := $(CURDIR)/.claims-perturbed.jsonl

# A JupyterLab 3 extension that jupyterlab-rise still pulls in; JupyterLab 4 typesets maths itself, and the old
# one only logs an unsatisfied-version warning on every page. Disabled in .venv (and by postBuild on Binder).
OLD_MATHJAX := @jupyterlab/mathjax3-extension

.PHONY: help install lab test lint format execute lock readme slides bench release grade mutation clean claims compat

help:
	@grep -E '^#   make' Makefile | sed 's/^#   //'

# The stamp is newer than the lock and pyproject.toml once they are installed: a second run takes seconds.
$(STAMP): requirements/lock.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) tools/check_python.py $(SUPPORTED_PYTHONS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements/lock.txt
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	$(BIN)/jupyter labextension disable --level=sys_prefix $(OLD_MATHJAX) >/dev/null
	@touch $@

install: $(STAMP)  ## set up .venv only

lab: $(STAMP)  ## JupyterLab on the landing notebook
	$(BIN)/jupyter lab notebooks/00_welcome.ipynb $(ROOT_ARGS) $(LAB_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check course_utils tests tools notebooks slides/src
	$(BIN)/ruff format --check course_utils tests tools

format: $(STAMP)
	$(BIN)/ruff check --fix course_utils tests tools notebooks
	$(BIN)/ruff format course_utils tests tools

test: $(STAMP) lint
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope $(PYTEST_ARGS)
	@echo "make test: every lecture notebook again at seed 3, oneDNN on, 1 TensorFlow / 2 BLAS threads"
	@rm -f $(PERTURBED_CLAIMS)
	$(PERTURBED_ENV) COURSE_CLAIMS_FILE=$(PERTURBED_CLAIMS) $(BIN)/python -m pytest -n $(JOBS) --dist loadscope -p no:cacheprovider notebooks/
	$(BIN)/python tools/claims.py --verify $(PERTURBED_CLAIMS)

claims: $(STAMP)  ## every empirical claim over seeds 0-4 x {default, perturbed} -> docs/claims.{json,md} (~30 min)
	$(BIN)/python tools/claims.py $(if $(NB),--only $(NB) --merge,)

compat: $(STAMP)  ## the claims under other TensorFlow/Keras versions (builds cached venvs; downloads TensorFlow once)
	$(BIN)/python tools/compat.py

execute: $(STAMP)  ## re-run every notebook and store its outputs (NB="01 02" for some)
	$(BIN)/python tools/nbtools.py execute $(NB)

lock:  ## re-resolve requirements/direct.in into requirements/lock.txt and environment.yml (needs the registry)
	$(PYTHON) tools/lock.py

clean:
	rm -rf $(VENV) build dist slides/_build site/_build slides/node_modules .pytest_cache .ruff_cache .hypothesis

readme: $(STAMP)  ## regenerate the README's badges and notebook list
	$(BIN)/python tools/readme.py

slides: $(STAMP)  ## build the offline reveal.js decks into slides/_build/ (npm installs reveal.js and MathJax)
	$(BIN)/python tools/slides.py $(DECK)

#   make site   the course website into site/_build/html (stored outputs, offline; SITE_ARGS=--fast)
.PHONY: site
site: $(STAMP)  ## Sphinx + myst-nb: lectures, student editions, notation, slides, benchmarks, claims
	$(BIN)/python tools/site.py $(SITE_ARGS)

bench: $(STAMP)  ## execute every notebook in a fresh kernel, measure, rewrite BENCHMARKS.md
	$(BIN)/python tools/bench.py

release: $(STAMP)  ## student editions + autograders into dist/ (ID=a1_rnn_bptt for one)
	$(BIN)/python -m course_utils.grading release $(ID)

grade: $(STAMP)  ## make grade ID=a1_rnn_bptt SUBMISSIONS=path/to/folder [CSV=grades.csv]
	$(BIN)/python -m course_utils.grading grade $(ID) $(SUBMISSIONS) --csv $(or $(CSV),grades-$(ID).csv)

mutation: $(STAMP)  ## mutation-test the autograders (minutes per assignment)
	$(BIN)/python tools/mutation.py $(ID)
