"""Generated mutants of the answers, graded in-process by the hidden checks (backprop_lab/authoring/mutants/):
does every wrong one lose points, is every mistake the checks name really that mistake, does every
correct rewrite keep full marks, and does the README say what the run computes?"""
import numpy as np
import pytest

from backprop_lab import paths
from backprop_lab.authoring.mutants import readme
from backprop_lab.authoring.mutants.generate import Mutant
from backprop_lab.authoring.mutants.outcomes import Outcome, record_inputs
from backprop_lab.authoring.mutants.parts import PARTS, reference_answers
from backprop_lab.authoring.mutants.run import Task, judge, run, run_isolated

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


@pytest.fixture(scope="module")
def report():
    return run(workers=2)


def test_there_are_mutants_of_every_graded_answer(report):
    """At least 200 mutants, and at least 20 of each answer (cost, sigma', both gradients, plot, convolution)?"""
    rows = readme.figures(report)
    assert rows["all"]["mutants"] >= 200
    assert all(rows[part.label]["mutants"] >= 20 for part in PARTS), rows


def test_every_mutant_that_changes_the_outputs_loses_points(report):
    """Kill rate 100 %: no mutant whose outputs differ from its answer's passes every check."""
    survivors = [(v.mutant.cell, v.mutant.where) for v in readme.survivors(report)]
    assert not survivors
    assert readme.figures(report)["all"]["changed"] >= 200


def test_no_mutant_is_named_a_mistake_that_does_not_explain_it(report):
    """0 false names: every mistake a check names predicts the mutant's outputs on every input."""
    assert not [(v.mutant.cell, v.mutant.where, v.wrongly_named) for v in readme.false_names(report)]


def test_each_catalogue_form_is_named_as_itself(report):
    """Is every edit that makes a catalogued mistake named by that mistake (and no other) by a check?"""
    declared = [v for v in report.verdicts if v.mutant.declares]
    assert declared
    for verdict in declared:
        assert set(verdict.named.values()) & verdict.mutant.declares, (verdict.mutant.where, verdict.named)
        assert set(verdict.named.values()) <= verdict.mutant.declares | {"modifies-input"}, verdict.mutant.where


def test_correct_rewrites_keep_full_marks(report):
    """Do the correct samples, the classic answers and every generated rewrite pass every check?"""
    assert len(report.rewrites) >= 20
    assert not {name: failures for name, failures in report.rewrites if any(failures.values())}


def test_the_readme_shows_what_the_run_computes(report):
    """Is the README's mutants table the one this run computes? (python -m backprop_lab mutants)"""
    start, end = readme.README_MARKERS
    readme_text = (paths.COURSE_DIR / "README.md").read_text()
    assert readme_text.split(start)[1].split(end)[0].strip() == readme.table(report).strip(), \
        "the README's mutants table is out of date: python -m backprop_lab mutants"


def test_a_mutant_that_never_ends_is_stopped_at_its_timeout():
    """Is a mutant that loops forever killed after its timeout, while the others still finish?"""
    answers = reference_answers()
    inputs = record_inputs(answers)
    tasks = [Task({"convolve2d": "def convolve2d(image, kernel):\n    while True:\n        pass\n"},
                  ("convolution",)),
             Task({}, ("convolution",))]
    results = dict(run_isolated(tasks, answers, inputs, workers=2, timeout=3))
    assert results[0] == ("timeout", None)
    status, (_, failures) = results[1]
    assert status == "done" and failures == {"convolution": None}


def _value(number):
    return [Outcome("value", (np.array(number),))]


def test_a_name_is_wrong_when_the_mistake_does_not_predict_the_outputs():
    """Given the outputs a named mistake predicts, is the name right for a mutant with those outputs
    and wrong for one with others? Is modifies-input right only when an argument changed?"""
    mutant = Mutant("nnCostFunction", "reference", "constant", "line 1: 2 -> 1", "")
    named = {"cost_regularised": "Likely mistake (cost-lambda-over-m): ..."}
    predictions = {"cost-lambda-over-m": [{"cost_regularised": _value(2.0)}]}
    seed = {"cost_regularised": _value(1.0)}
    right = judge(mutant, ("done", ({"cost_regularised": _value(2.0)}, named)), seed, predictions)
    wrong = judge(mutant, ("done", ({"cost_regularised": _value(2.5)}, named)), seed, predictions)
    assert right.changed and right.lost and not right.wrongly_named
    assert wrong.wrongly_named == ["cost-lambda-over-m"]
    modified = [Outcome("value", (np.array(1.0),), modified=True)]
    said = {"cost_regularised": "Likely mistake (modifies-input): ..."}
    assert not judge(mutant, ("done", ({"cost_regularised": modified}, said)), seed, {}).wrongly_named
    assert judge(mutant, ("done", ({"cost_regularised": _value(1.5)}, said)), seed, {}).wrongly_named
