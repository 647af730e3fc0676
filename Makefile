# The instructor loop, one target per pipeline step. `make demo` runs it all; `make test` tests it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
RUN := $(BIN)/python -m backprop_lab

.PHONY: setup sandbox data figures source release submissions autograde feedback grades demo test bench clean

$(INSTALLED): requirements.txt requirements-cnn.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt -r requirements-cnn.txt
	touch $@

setup: $(INSTALLED) sandbox         ## create .venv and install everything pinned (and the sandbox)

sandbox:                     ## bubblewrap, the grading sandbox (Debian package; needs root)
	@if command -v bwrap >/dev/null; then echo "sandbox: $$(bwrap --version) is installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get install -y -q bubblewrap || { apt-get update -q && apt-get install -y -q bubblewrap; }; \
	else echo "sandbox: bubblewrap is missing and grading will refuse to run without it."; \
	  echo "sandbox: install it with: sudo apt-get install bubblewrap"; fi

data: $(INSTALLED)           ## data/*.npz: the digits and the trained parameters
	$(RUN) data

figures: $(INSTALLED)        ## images/*: every diagram and picture the notebooks show
	$(RUN) figures

source: figures              ## source/: nbgrader instructor notebooks from notebooks/*.py
	$(RUN) source

release: source              ## release/: student notebooks (nbgrader generate_assignment)
	$(RUN) release

submissions: release         ## submitted/: the sample submissions
	$(RUN) submissions

autograde: data sandbox             ## autograded/: nbgrader autograde every submission
	$(RUN) autograde

feedback:                    ## feedback/: HTML feedback for every student
	$(RUN) feedback

grades:                      ## print the grade table, write grades.csv
	$(RUN) grades

demo: $(INSTALLED) sandbox          ## the whole loop: build, release, grade the samples, report
	$(RUN) demo

test: data figures sandbox          ## the test suite
	$(BIN)/python -m pytest -n 2 --dist loadgroup

bench: data                  ## benchmarks, written into bench/README.md
	$(BIN)/python bench/run_all.py

clean:                       ## remove everything the loop builds (keeps .venv and release/)
	rm -rf source/*/ submitted .grading autograded/*/ feedback gradebook.db grades.csv data/*.npz images/*.png images/*.gif
