"""What students import: the helpers and the toy network the notebooks use.

This folder is the trust boundary. It is all that the student kit installs (the wheel
``backprop-lab-student``) and all of the course package that a grading sandbox can see. Nothing
here solves a graded part, and nothing here may import the rest of ``backprop_lab``: the oracle,
the checks and the grader are never on a student's machine. A test builds the kit and checks both.
"""
