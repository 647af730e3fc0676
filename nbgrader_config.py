"""nbgrader configuration of the course: the course directory is the folder of this file."""
import os

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "backprop-lab"
# 03_cnn_peek is released but has nothing to grade; data and images stay in their own folders.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# What a student sees where a solution was.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Grading: a notebook that runs longer than this per cell is stopped there, not left hanging.
c.Execute.timeout = 120
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 40
