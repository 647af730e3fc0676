# The instructor loop, one target per pipeline step. `make demo` runs it all; `make test` tests it.
# The build steps are file rules: a step runs only when a file it reads is newer than what it wrote
# last, or when one of its outputs is missing. A step that writes many files records its run in a
# stamp, .make/STEP (not in images/: the student kit copies every file there; and not GNU make's
# grouped targets, `&:`, which `make -n` does not follow to what depends on them).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
RUN := $(BIN)/python -m backprop_lab
STAMPS := .make

.PHONY: setup sandbox browser postgres data figures source release student-kit submissions autograde feedback grades report demo test test-fast lint architecture bench clean FORCE

# What each step writes. backprop_lab/paths.py names the data files, and
# backprop_lab.authoring.figures.FIGURES the images: tests/test_makefile.py checks both lists.
DATASET := data/dataMNISTNeuralNetwork.npz
TRAINED := data/500IterationsTrainedThetasLambdas0_1_10_100.npz
IMAGES := $(addprefix images/,chain_rule.png example_network.png toy_forward.png toy_deltas.png \
            regularised_gradient.png square.png edge_filters.png convolution.gif)
NOTEBOOKS := $(sort $(wildcard notebooks/*.py))
ASSIGNMENTS := $(NOTEBOOKS:notebooks/%.py=%)
SOURCE_NOTEBOOKS := $(foreach name,$(ASSIGNMENTS),source/$(name)/$(name).ipynb)
RELEASE_NOTEBOOKS := $(foreach name,$(ASSIGNMENTS),release/$(name)/$(name).ipynb)
KIT := dist/backprop-lab-student-kit.zip

# The code each step runs: an edit anywhere else in backprop_lab/ rebuilds nothing. (The source step
# also asks backprop_lab.sandbox whether the hidden tests parse; that decides nothing it writes.)
DATA_CODE := backprop_lab/reference/data.py backprop_lab/reference/network.py
FIGURE_CODE := $(sort $(shell find backprop_lab/authoring/figures* backprop_lab/reference -name '*.py')) backprop_lab/student/toy.py
SOURCE_CODE := backprop_lab/authoring/build.py backprop_lab/authoring/instructor_only.py
RELEASE_CODE := nbgrader_config.py backprop_lab/pipeline/nbgrader_api.py backprop_lab/authoring/instructor_only.py
KIT_CODE := backprop_lab/authoring/kit.py $(sort $(shell find backprop_lab/student -name '*.py'))

# FORCE if one of the files $(1) is missing: a deleted output is made again, whatever the stamp says.
missing = $(if $(filter-out $(wildcard $(1)),$(1)),FORCE)

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

# In every rule below the environment is order-only (after `|`): it must exist, but reinstalling it
# rebuilds nothing.
# One run writes both data files, the trained parameters last. --force: the command keeps trained
# parameters that exist, and here they are out of date (training takes a minute or two).
$(TRAINED): $(DATA_CODE) $(call missing,$(DATASET)) | $(INSTALLED)
	$(RUN) data --force

$(STAMPS)/figures: $(FIGURE_CODE) $(call missing,$(IMAGES)) | $(INSTALLED)
	$(RUN) figures
	@mkdir -p $(@D) && touch $@

$(STAMPS)/source: $(NOTEBOOKS) $(STAMPS)/figures $(SOURCE_CODE) $(call missing,$(SOURCE_NOTEBOOKS)) | $(INSTALLED)
	$(RUN) source
	@mkdir -p $(@D) && touch $@

# release/ is committed, source/ and .make/ are not: on a fresh clone release/ is generated again
# from the source/ just built, byte for byte the same when it was in sync (git status shows nothing).
$(STAMPS)/release: $(STAMPS)/source $(RELEASE_CODE) $(call missing,$(RELEASE_NOTEBOOKS)) | $(INSTALLED)
	$(RUN) release
	@mkdir -p $(@D) && touch $@

# The zip is written last, after dist/student/.
$(KIT): $(TRAINED) $(STAMPS)/figures $(STAMPS)/release $(KIT_CODE) requirements-student.txt requirements-cnn.txt \
        $(call missing,dist/student/README.md) | $(INSTALLED)
	$(RUN) student-kit

FORCE:

data: $(TRAINED)              ## data/*.npz: the digits and the trained parameters
figures: $(STAMPS)/figures    ## images/*: every diagram and picture the notebooks show
source: $(STAMPS)/source      ## source/: nbgrader instructor notebooks from notebooks/*.py
release: $(STAMPS)/release    ## release/: student notebooks (nbgrader generate_assignment)
student-kit: $(KIT)           ## dist/student/ and its zip: what students download (notebooks, data, helper wheel)

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

lint: $(INSTALLED)           ## ruff (pyflakes, pycodestyle) and mypy (the hints of judging/, pipeline/, results/): pyproject.toml
	$(BIN)/ruff check backprop_lab tests bench
	$(BIN)/mypy

architecture: $(INSTALLED)   ## docs/architecture.md: rooms, import arrows, cycles and sizes, measured from the source
	$(BIN)/python -m backprop_lab.authoring.architecture

bench: data                  ## benchmarks, written into bench/README.md
	$(BIN)/python bench/run_all.py

clean:                       ## remove the builds (never submitted/, the gradebook, grades or anything a class made)
	rm -rf source/*/ dist demo .grading data/*.npz images/*.png images/*.gif $(STAMPS)
