"""The grading pipeline, step by step: nbgrader set up and the release, staging, autograde and feedback."""
