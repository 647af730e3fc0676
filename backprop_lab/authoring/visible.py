"""What a student sees before submitting: each sample's answers pasted into the release notebook,
run top to bottom in a fresh kernel with the visible tests only (the student kit's check command).

`python -m backprop_lab visible` runs every sample and writes the table into the README between
its markers; tests/test_visible.py holds the course to its target: every catalogued cost, sigma',
gradient and convolution mistake shows the student an error before submitting (but those listed
in HIDDEN_ONLY, with the reason), and no correct answer shows one.
"""
import os
import re
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from backprop_lab import paths
from backprop_lab.authoring import submissions
from backprop_lab.sandbox import bubblewrap

# Parts whose mistakes the visible tests must show (training and the plot are judged on what only
# the hidden checks can compare: the optimiser's path, the figure against the trained weights).
TARGET_PARTS = {"cost_unregularised", "cost_regularised", "sigmoid_gradient", "gradient", "gradient_regularised",
                "convolution"}
# Samples of those parts that only the hidden checks can see, and why.
HIDDEN_ONLY = {}
# Why a mistake in a part outside the target can stay unseen before submitting.
OUTSIDE_TARGET = {
    "hidden_weights_plot": "The plot's visible test checks the figure's layout (one 28 × 28 image per hidden unit); "
                           "whether each image holds its unit's weights, without the bias and not transposed, only "
                           "the hidden check can compare without showing the answer.",
    "trained_network": "The training's visible test checks fmin_cg's output (stop reason, iterations, lambda) and "
                       "part 7 the accuracy; the hidden check also compares the reported cost with lambda = 1 and, "
                       "when the cost or the gradient is wrong, runs the training cell again with trusted ones.",
}
README_MARKERS = ("<!-- visible-tests:start -->", "<!-- visible-tests:end -->")


@dataclass
class Seen:
    """What one sample's student sees when running the release notebooks before submitting."""
    sample: str
    failed_tests: list = field(default_factory=list)  # grade ids of the visible tests that fail
    errors: list = field(default_factory=list)        # other cells that raised, 'cell N: Error: message'

    @property
    def sees_an_error(self):
        return bool(self.failed_tests or self.errors)


def _assignments_of(sample, source_notebooks):
    """The assignments whose answer cells the sample fills (all graded ones for the solution and the blank)."""
    graded = {name: {cell.metadata["nbgrader"]["grade_id"] for cell in notebook.cells
                     if cell.metadata.get("nbgrader", {}).get("solution")}
              for name, notebook in source_notebooks.items()}
    graded = {name: ids for name, ids in graded.items() if ids}
    if not sample.cells:
        return sorted(graded)
    return sorted(name for name, ids in graded.items() if ids & set(sample.cells))


def see(sample_path):
    """Run the release notebooks that a sample answers, as its student would. -> Seen"""
    from backprop_lab.student.check import check_notebook

    # The kernels check_notebook starts find the course's data, and take one BLAS thread as the
    # grader's do: samples are seen side by side, and BLAS threads beyond the cores slow all of them.
    for name, value in bubblewrap.kernel_variables().items():
        os.environ.setdefault(name, value)
    sample = submissions.read_sample(sample_path) if sample_path != submissions.SOLUTION else \
        submissions.Sample(submissions.SOLUTION)
    sources = {path.parent.name: nbformat.read(path, as_version=4) for path in sorted(paths.SOURCE.glob("*/*.ipynb"))}
    seen = Seen(sample.name)
    with tempfile.TemporaryDirectory(prefix="backprop-lab-visible-") as scratch:
        for assignment in _assignments_of(sample, sources):
            release = nbformat.read(paths.RELEASE / assignment / f"{assignment}.ipynb", as_version=4)
            notebook_path = Path(scratch, assignment, f"{assignment}.ipynb")
            notebook_path.parent.mkdir()
            nbformat.write(submissions.build_submission(sample, release, sources[assignment]), notebook_path)
            tests, problems = check_notebook(notebook_path)
            seen.failed_tests += [test.grade_id for test in tests if not test.passed]
            seen.errors += [f"{assignment} {problem}" for problem in problems]
    return seen


def see_all(workers=2):
    """Every sample in samples/ and the instructor's solution. -> [Seen], in the samples' order"""
    names = [submissions.SOLUTION] + [str(path) for path in sorted(submissions.SAMPLES.glob("*.py"))]
    with ProcessPoolExecutor(workers) as pool:
        return list(pool.map(see, names))


def _short(error, limit=90):
    text = re.sub(r"\s+", " ", error)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _verdict(seen, expected):
    """'yes' or 'no', in bold where it is not what the course wants."""
    word = "yes" if seen else "no"
    return word if seen == expected else f"**{word}**"


def table(seen_all):
    """Markdown: per sample, the parts it should lose and what the student sees before submitting."""
    samples = {sample.name: sample for sample in submissions.all_samples()}
    rows = ["| sample | loses (hidden checks) | visible tests that fail | other cells with an error | sees an error |",
            "|---|---|---|---|---|"]
    for seen in seen_all:
        sample = samples[seen.sample]
        rows.append(f"| `{seen.sample}` | {', '.join(sorted(sample.loses)) or '–'} | "
                    f"{', '.join(seen.failed_tests) or '–'} | {'; '.join(_short(e) for e in seen.errors[:2]) or '–'} | "
                    f"{_verdict(seen.sees_an_error, expected=bool(sample.loses))} |")
    wrong = [s for s in seen_all if samples[s.sample].loses]
    shown = sum(s.sees_an_error for s in wrong)
    correct = [s for s in seen_all if not samples[s.sample].loses and not samples[s.sample].blank]
    rows.append("")
    rows.append(f"{shown} of {len(wrong)} wrong samples show the student an error before submitting; "
                f"{sum(s.sees_an_error for s in correct)} of {len(correct)} correct ones do.")
    unseen = [s.sample for s in wrong if not s.sees_an_error]
    if unseen:
        parts = sorted({part for s in wrong if not s.sees_an_error for part in samples[s.sample].loses})
        rows.append(f"Not seen before submitting: {', '.join(f'`{name}`' for name in unseen)}. "
                    + " ".join(OUTSIDE_TARGET.get(part, f"({part}: no reason recorded)") for part in parts))
    return "\n".join(rows)


def write_readme(text, readme=paths.COURSE_DIR / "README.md"):
    """Replace the table between the README's markers."""
    content = readme.read_text()
    start, end = README_MARKERS
    before, _, rest = content.partition(start)
    _, _, after = rest.partition(end)
    if not rest:
        raise ValueError(f"{readme} has no {start} marker")
    readme.write_text(f"{before}{start}\n{text}\n{end}{after}")
    return readme
