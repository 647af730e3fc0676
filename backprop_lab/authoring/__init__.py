"""Building the course: notebooks, figures, samples, the student kit, the mutants, the architecture page."""
