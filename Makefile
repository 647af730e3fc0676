# The instructor loop, one target per pipeline step. `make demo` runs it all; `make test` tests it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
RUN := $(BIN)/python -m backprop_lab

.PHONY: setup sandbox browser postgres data figures source release student-kit submissions autograde feedback grades report demo test test-fast lint architecture bench clean

$(INSTALLED): requirements.txt requirements-student.txt requirements-cnn.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt -r requirements-cnn.txt
	touch $@

setup: $(INSTALLED) sandbox browser postgres  ## create .venv, install everything pinned (and the sandbox, Chromium, PostgreSQL)

sandbox:                     ## bubblewrap, the grading sandbox (Debian package; needs root)
	@if command -v bwrap >/dev/null; then echo "sandbox: $$(bwrap --version) is installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get install -y -q bubblewrap || { apt-get update -q && apt-get install -y -q bubblewrap; }; \
	else echo "sandbox: bubblewrap is missing and grading will refuse to run without it."; \
	  echo "sandbox: install it with: sudo apt-get install bubblewrap"; fi

browser:                     ## headless Chromium, for the class report's browser test (Debian package; needs root)
	@if command -v chromium >/dev/null; then echo "browser: $$(chromium --version 2>/dev/null) is installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; }; \
	else echo "browser: chromium is missing; the report's browser test will be skipped."; \
	  echo "browser: install it with: sudo apt-get install chromium"; fi

postgres:                    ## PostgreSQL, for the test of a PostgreSQL gradebook (Debian package; needs root)
	@if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then echo "postgres: $$(ls -d /usr/lib/postgresql/*/) is installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get install -y -q postgresql || { apt-get update -q && apt-get install -y -q postgresql; }; \
	else echo "postgres: PostgreSQL is missing; the PostgreSQL gradebook test will be skipped."; fi

data: $(INSTALLED)           ## data/*.npz: the digits and the trained parameters
	$(RUN) data

figures: $(INSTALLED)        ## images/*: every diagram and picture the notebooks show
	$(RUN) figures

source: figures              ## source/: nbgrader instructor notebooks from notebooks/*.py
	$(RUN) source

release: source              ## release/: student notebooks (nbgrader generate_assignment)
	$(RUN) release

student-kit: data release     ## dist/student/ and its zip: what students download (notebooks, data, helper wheel)
	$(RUN) student-kit

submissions: release         ## submitted/: the sample submissions
	$(RUN) submissions

autograde: data sandbox             ## autograded/: nbgrader autograde every submission
	$(RUN) autograde

feedback:                    ## feedback/: HTML feedback for every student
	$(RUN) feedback

grades:                      ## print the grades and the most common mistakes, write the grade CSVs
	$(RUN) grades

report:                      ## reports/index.html: the class report (open it in a browser)
	$(RUN) report

demo: $(INSTALLED) sandbox          ## the whole loop on the samples in demo/, a scratch course: demo/reports/index.html, demo/grades.csv, demo/feedback/
	$(RUN) demo

test: data figures source sandbox browser postgres lint  ## lint, then the test suite (source/: the instructor notebooks the kit and visible tests read)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-fast: data figures source sandbox  ## the inner loop, under 2 minutes: no nbgrader run; every check, diagnosis and mutant in-process
	$(BIN)/python -m pytest -n 2 -m "not slow and not cnn"

lint: $(INSTALLED)           ## ruff: the lint rules pyproject.toml sets (pyflakes, pycodestyle)
	$(BIN)/ruff check backprop_lab tests bench

architecture: $(INSTALLED)   ## docs/architecture.md: rooms, import arrows, cycles and sizes, measured from the source
	$(BIN)/python -m backprop_lab.authoring.architecture

bench: data                  ## benchmarks, written into bench/README.md
	$(BIN)/python bench/run_all.py

clean:                       ## remove the builds (never submitted/, the gradebook, grades or anything a class made)
	rm -rf source/*/ dist demo .grading data/*.npz images/*.png images/*.gif
