"""Backprop Lab: tooling for the backpropagation course (data, figures, builds, grading)."""
