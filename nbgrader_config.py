"""nbgrader configuration of the course: the course directory is the folder of this file."""
import os

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "backprop-lab"
# 03_cnn_peek is released but has nothing to grade; data and images stay in their own folders.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# Cells tagged instructor-only (the answers to "Think about it") stay in source/, never reach release/.
from nbgrader.converters import GenerateAssignment  # noqa: E402

from backprop_lab.authoring.instructor_only import RemoveInstructorOnly  # noqa: E402

c.GenerateAssignment.preprocessors = [RemoveInstructorOnly, *GenerateAssignment.class_traits()["preprocessors"].default()]

# What a student sees where a solution was.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 40

# Autograding runs every submission's kernel in the bubblewrap sandbox and decides each test
# cell's score with the course's hidden checks in the grader process (backprop_lab/sandbox/executor.py),
# whatever kernel the submitted notebook names. `--unsafe-no-sandbox`
# (backprop_lab/pipeline/autograde.py) turns the sandbox off, never the trusted checks.
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.converters import Autograde  # noqa: E402
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern,  # noqa: E402
                                    LimitOutput, SaveAutoGrades)

from backprop_lab.sandbox.executor import TrustedExecute  # noqa: E402
from backprop_lab.pipeline.repairs import NormaliseGradedCells, RestoreTestCells  # noqa: E402

# Graded cells a student changed, duplicated or deleted are put back as the release has them
# (backprop_lab/pipeline/repairs.py), first of all. nbgrader's DeduplicateIds would keep the last
# copy of a duplicated cell, not the first, and leave the others with empty nbgrader metadata,
# which CheckCellMetadata takes for an old format, stopping the whole `nbgrader autograde` run;
# OverwriteCells does not put a deleted test cell back. The repairs read only the submission and
# release/, nothing the other preprocessors make. `make autograde` and `nbgrader autograde` both run them.
c.Autograde.sanitize_preprocessors = [NormaliseGradedCells, RestoreTestCells,
                                      *Autograde.class_traits()["sanitize_preprocessors"].default()]

c.Autograde.autograde_preprocessors = [TrustedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                       SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
c.TrustedExecute.timeout = 120
c.TrustedExecute.sandbox = True

# `nbgrader collect` from the exchange also records when each submission arrived, from the
# exchange's own record: the time grading trusts (backprop_lab/pipeline/exchange.py, docs/jupyterhub.md).
c.ExchangeFactory.collect = "backprop_lab.pipeline.exchange.TrustedTimeCollect"
