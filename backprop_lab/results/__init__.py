"""What grading left, read back: the gradebook, the grade exports, the class report."""
