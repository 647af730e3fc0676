"""Grading every answer in a forked process of its own, then judging each mutant against its seed."""
import multiprocessing
import multiprocessing.connection
import time
import warnings
from dataclasses import dataclass, field
from typing import NamedTuple

from backprop_lab.authoring import submissions
from backprop_lab.reference import data
from backprop_lab.authoring.mutants.generate import Mutant, all_mutants
from backprop_lab.authoring.mutants.outcomes import grade, named_mistake, record_inputs, same
from backprop_lab.authoring.mutants.parts import BY_CELL, CLASSIC, PARTS, graded_parts, reference_answers
from backprop_lab.authoring.mutants.rewrites import rewrites

EQUIVALENT = 1e-9   # relative difference under which two outputs are the same (rounding)
PREDICTED = 1e-6    # relative difference under which an output is a mistake's prediction
TIMEOUT = 30.0      # seconds a mutant may take, its checks included


# Running each in a process of its own.

class Task(NamedTuple):
    cells: dict
    parts: tuple


def _child(task, send, answers, inputs, dataset):
    try:
        if dataset is not None:  # the parent's copy, not the file read again by every check that needs it
            data.load_dataset = lambda path=None: dataset
        warnings.simplefilter("ignore")  # the mutants' NaNs would fill the terminal with RuntimeWarnings
        send.send(("done", grade(task.cells, task.parts, answers, inputs, dataset)))
    except BaseException as error:  # a mutant that breaks the harness itself
        send.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        send.close()


def run_isolated(tasks, answers, inputs, dataset=None, workers=2, timeout=TIMEOUT):
    """Grade each task in a forked process of its own, `workers` at a time, each killed after `timeout`
    seconds. Yields (index, ("done", (outcomes, failures)) | ("error", text) | ("timeout", None))."""
    import threadpoolctl
    context = multiprocessing.get_context("fork")
    waiting, running = list(enumerate(tasks)), {}
    with threadpoolctl.threadpool_limits(1):  # one BLAS thread per mutant, inherited by every fork
        yield from _schedule(context, waiting, running, (answers, inputs, dataset), workers, timeout)


def _schedule(context, waiting, running, shared, workers, timeout):
    while waiting or running:
        while waiting and len(running) < workers:
            index, task = waiting.pop(0)
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(task, send, *shared), daemon=True)
            process.start()
            send.close()
            running[receive] = (index, process, time.monotonic() + timeout)
        deadline = min(d for _, _, d in running.values())
        for receive in multiprocessing.connection.wait(list(running), max(0.0, deadline - time.monotonic())):
            index, process, _ = running.pop(receive)
            try:
                result = receive.recv()
            except EOFError:
                result = ("error", f"the process ended with exit code {process.exitcode}")
            receive.close()
            process.join()
            yield index, result
        for receive, (index, process, deadline) in list(running.items()):
            if time.monotonic() > deadline:
                process.kill()
                process.join()
                receive.close()
                del running[receive]
                yield index, ("timeout", None)



# Judging each mutant.

@dataclass
class Verdict:
    mutant: Mutant
    changed: bool = False
    lost: bool = False
    named: dict = field(default_factory=dict)      # graded part -> mistake id
    wrongly_named: list = field(default_factory=list)
    failures: dict = field(default_factory=dict)
    note: str = ""                                 # "timeout" or the harness's error


@dataclass
class Report:
    verdicts: list
    rewrites: list      # (name, failures: part -> message) for every correct rewrite


def run(workers=2, timeout=TIMEOUT, answers=None, mutants=None):
    """Generate the mutants and rewrites, grade them all, and judge each. -> Report"""
    answers = answers or reference_answers()
    dataset = data.load_dataset()
    inputs = record_inputs(answers)
    mutants = all_mutants(answers) if mutants is None else mutants
    samples = [s for s in submissions.all_samples() if s.diagnosis and graded_parts(s.cells)]
    seeds = [(part.cell, seed, {part.cell: cells[part.cell]}) for part in PARTS
             for seed, cells in (("reference", answers), ("classic", CLASSIC))]
    correct = rewrites(answers)
    tasks = ([Task(cells, BY_CELL[cell].graded) for cell, _, cells in seeds]
             + [Task(s.cells, graded_parts(s.cells)) for s in samples]
             + [Task(cells, graded_parts(cells)) for _, cells in correct]
             + [Task({m.cell: m.source}, BY_CELL[m.cell].graded) for m in mutants])
    finished = dict(run_isolated(tasks, answers, inputs, dataset, workers, timeout))
    results = [finished[index] for index in range(len(tasks))]
    seed_results, results = results[:len(seeds)], results[len(seeds):]
    sample_results, results = results[:len(samples)], results[len(samples):]
    rewrite_results, mutant_results = results[:len(correct)], results[len(correct):]

    seed_outcomes = {(cell, seed): _outcomes_of(result, f"the {seed} {cell}")
                     for (cell, seed, _), result in zip(seeds, seed_results)}
    predictions = {}  # mistake id -> [{graded part: outcomes}], from its implementations
    for sample, result in zip(samples, sample_results):
        predictions.setdefault(sample.diagnosis, []).append(_outcomes_of(result, f"samples/{sample.name}.py"))
    for mutant, (status, value) in zip(mutants, mutant_results):
        for mistake_id in mutant.declares if status == "done" else ():
            predictions.setdefault(mistake_id, []).append(value[0])
    kept = [(name, value[1] if status == "done" else {"all": value or "timed out"})
            for (name, _), (status, value) in zip(correct, rewrite_results)]
    verdicts = [judge(mutant, result, seed_outcomes[(mutant.cell, mutant.seed)], predictions)
                for mutant, result in zip(mutants, mutant_results)]
    return Report(verdicts, kept)


def _outcomes_of(result, what):
    """The outcomes of an answer the judge relies on; one that did not finish is the harness's fault."""
    status, value = result
    if status != "done":
        raise RuntimeError(f"{what} did not finish its checks ({status}: {value})")
    return value[0]


def judge(mutant, result, seed_outcomes, predictions):
    status, value = result
    verdict = Verdict(mutant)
    if status != "done":  # a mutant that hangs or kills its process loses every point its parts give
        verdict.changed = verdict.lost = True
        verdict.note = "timeout" if status == "timeout" else value
        return verdict
    outcomes, failures = value
    verdict.failures = failures
    verdict.changed = any(not same(outcomes[g], seed_outcomes[g], EQUIVALENT) for g in outcomes)
    verdict.lost = any(message is not None for message in failures.values())
    verdict.named = {g: named_mistake(m) for g, m in failures.items() if named_mistake(m)}
    verdict.wrongly_named = sorted({mistake_id for graded, mistake_id in verdict.named.items()
                                    if not _explains(mistake_id, graded, outcomes[graded], predictions)})
    return verdict


def _explains(mistake_id, graded, outcomes, predictions):
    """Does the named mistake explain these outcomes of the graded part (the package docstring's rule)?"""
    if mistake_id == "modifies-input":
        return any(outcome.modified for outcome in outcomes)
    return any(graded in prediction and same(outcomes, prediction[graded], PREDICTED, modified_counts=False)
               for prediction in predictions.get(mistake_id, []))
