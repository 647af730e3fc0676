"""nbgrader's execute step, replaced: the student's cells run in a sandboxed kernel, the hidden
checks run here in the grader.

For each test cell the grader takes the instructor's version from the gradebook (never the
student's copy), runs its visible part in the kernel (later cells may use what it defines), and
decides the cell's score by running the hidden checks itself on the student's functions through
`kernel.KernelFunction`. The cell then shows the visible tests and the verdict: no hidden source,
no reference values, no traceback into hidden code. Nothing the student's code does in the
kernel can change which checks run or how their results are judged.

A cell that times out, or a kernel that dies, costs that cell: the kernel is restarted, the
cells before it are run again, and grading goes on (at most MAX_RESTARTS times per notebook).
"""
import ast
import inspect
import re
from dataclasses import dataclass

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Integer

from backprop_lab.judging import checks
from backprop_lab.judging.answers import KernelFault, StudentError
from backprop_lab.sandbox.kernel import GradingKernel, fault_output
from backprop_lab.sandbox.bubblewrap import check_available

HIDDEN_TESTS = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n(.*?)^[ \t]*### END HIDDEN TESTS[ \t]*\n?",
                          re.MULTILINE | re.DOTALL)
HIDDEN_NOTE = "# Hidden tests: run by the grader, outside this notebook."
MAX_RESTARTS = 3
VERDICT_KEY = "backprop_lab"  # a graded cell's metadata entry for its Verdict.facts()


class AuthoringError(ValueError):
    """A hidden test block the grader cannot run as a trusted check."""


@dataclass(frozen=True)
class CheckCall:
    """One hidden check: checks.<function>(<student names>..., <literal keywords>)."""
    function: str
    names: tuple
    keywords: tuple  # ((name, value), ...)


@dataclass(frozen=True)
class TrustedTest:
    grade_id: str
    visible: str
    calls: tuple
    points: float = 0.0


def parse_hidden_tests(grade_id, source, points=0.0):
    """The instructor's test cell -> TrustedTest. Hidden blocks may hold only imports of the
    course's checks and calls checks.check_*(student_name, ..., keyword=literal)."""
    hidden = "".join(HIDDEN_TESTS.findall(source))
    visible = HIDDEN_TESTS.sub("", source).rstrip()
    calls = []
    for statement in ast.parse(hidden).body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            continue
        call = statement.value if isinstance(statement, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and isinstance(call.func.value, ast.Name) and call.func.value.id == "checks"
                and call.func.attr.startswith("check_") and hasattr(checks, call.func.attr)
                and all(isinstance(arg, ast.Name) for arg in call.args)):
            raise AuthoringError(f"test cell {grade_id}: hidden tests may only call checks.check_*(name, ..., "
                                 f"keyword=literal); cannot run {ast.unparse(statement)!r}")
        keywords = tuple((k.arg, ast.literal_eval(k.value)) for k in call.keywords)
        calls.append(CheckCall(call.func.attr, tuple(arg.id for arg in call.args), keywords))
    if not calls:
        raise AuthoringError(f"test cell {grade_id} has no hidden checks.check_*(...) call to grade it by")
    return TrustedTest(grade_id, visible, tuple(calls), float(points))


def trusted_tests(db_url, notebook_id, assignment_id):
    """{grade_id: TrustedTest} for the autograded test cells, from the instructor's source in the gradebook."""
    from nbgrader.api import Gradebook
    with Gradebook(db_url) as gradebook:
        notebook = gradebook.find_notebook(notebook_id, assignment_id)
        solutions = {cell.name for cell in notebook.solution_cells}
        return {cell.name: parse_hidden_tests(cell.name, gradebook.find_source_cell(
                    cell.name, notebook_id, assignment_id).source, cell.max_score)
                for cell in notebook.grade_cells if cell.name not in solutions and cell.cell_type == "code"}


def _passed(note=None):
    text = "Passed: every check of this part." + (f" {note}" if note else "")
    return nbformat.v4.new_output("stream", name="stdout", text=text + "\n")


def _failed(message):
    return nbformat.v4.new_output("error", ename="CheckFailed", evalue=message, traceback=[f"Check failed: {message}"])


def defined_names(source):
    """The names a cell binds at its top level (def, class, import, assignment, for, with), "*" for a
    star import; an empty set when it does not parse."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
        tree = ast.parse(TransformerManager().transform_cell(source))  # magics become plain calls
    except Exception:  # SyntaxError and whatever a broken cell makes the transformer raise
        return set()
    names = set()

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(child.name)  # its body is another scope
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                names.update((alias.asname or alias.name).split(".")[0] for alias in child.names)
            elif isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                names.add(child.id)
            elif not isinstance(child, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                visit(child)
    visit(tree)
    return names


def where_defined(name, above, below):
    """"later", "above" or "nowhere": where the notebook's cells bind name (None if a star import may)."""
    if name in below:
        return "later"
    if name in above:
        return "above"
    return None if "*" in above | below else "nowhere"


@dataclass(frozen=True)
class Verdict:
    failure: str = None  # what the student reads when the part fails; None when it passes
    note: str = None     # what a pass adds (e.g. that it was judged on a re-run)
    mistake: str = None  # the catalogued mistake the failure names (mistakes.py), as data
    where: str = None    # where an unnamed failure's error is largest (e.g. "the Theta2 weights")

    def facts(self):
        """What the class report counts, as the autograded cell's metadata: no prose parsed back."""
        return {"passed": self.failure is None, "mistake": self.mistake, "where": self.where}


def _failure_verdict(failure):
    """An AssertionError from a check -> Verdict, with the facts its checks.Finding message carries."""
    message = failure.args[0] if failure.args else ""
    return Verdict(str(failure), mistake=getattr(message, "mistake", None), where=getattr(message, "where", None))


def _rerun_for(call, kernel, cells_above):
    """For a check that takes rerun: a function that runs the last cell above binding the check's
    first name again with trusted functions bound in the kernel, and returns that name's value."""
    if "rerun" not in inspect.signature(getattr(checks, call.function)).parameters or not call.names:
        return {}
    result = call.names[0]
    sources = [source for names, source in cells_above if result in names]
    if not sources:
        return {}
    return {"rerun": lambda trusted, known=(): kernel.rerun(sources[-1], trusted, result, known)}


def _resolve_result(kernel, name):
    """A re-runnable check's result: its value, or checks.Unavailable when the cell that binds it
    failed (the check may still judge the cell by running it again)."""
    try:
        return kernel.resolve(name)
    except StudentError as error:
        return checks.Unavailable(name, str(error))


def judge(test, kernel, above=frozenset(), below=frozenset(), cells_above=()):
    """Run the test's hidden checks here against the student's kernel. -> Verdict

    above, below: the names the notebook's cells before and after the test cell define, to say
    where a name a graded call missed is defined. cells_above: (names, source) of each code cell
    before the test cell, for a check that runs the student's cell again (the training)."""
    notes = []
    for call in test.calls:
        rerun = _rerun_for(call, kernel, cells_above)
        try:
            arguments = [_resolve_result(kernel, name) if rerun and index == 0 else kernel.resolve(name)
                         for index, name in enumerate(call.names)]
        except StudentError as error:
            return Verdict(f"{', '.join(call.names)}: {error}")
        except KernelFault as fault:
            return Verdict(f"the notebook's kernel stopped: {fault}")
        try:
            note = getattr(checks, call.function)(*arguments, **dict(call.keywords), **rerun)
        except checks.MissingName as failure:
            return Verdict(failure.message(where_defined(failure.missing, above, below)),
                           where=f"{failure.function_name} raises NameError")
        except AssertionError as failure:
            return _failure_verdict(failure)
        except KernelFault as fault:
            return Verdict(f"the notebook's kernel stopped: {fault}")
        except StudentError as error:
            return Verdict(str(error))
        except Exception as error:  # a value of the wrong kind (e.g. a string where an array belongs)
            return Verdict(f"{', '.join(call.names)} could not be checked: {type(error).__name__}: {error}")
        if isinstance(note, str):
            notes.append(note)
    return Verdict(note=" ".join(notes) or None)


class TrustedExecute(NbGraderPreprocessor):
    """Autograde's execute step with sandboxed kernels and checks run by the grader."""

    sandbox = Bool(True, help="Run each submission's kernel in the bubblewrap sandbox.").tag(config=True)
    timeout = Integer(120, help="Seconds one cell (or one check's call) may run.").tag(config=True)

    def preprocess(self, nb, resources):
        if self.sandbox:  # also when nbgrader's own command runs this step: no sandbox, no grading
            check_available()
        # One BLAS thread for the checks too: the kernel and the grader take turns, and graders run
        # side by side; threads that outnumber the cores slow a re-run of the training 2-3 times.
        from threadpoolctl import threadpool_limits
        with threadpool_limits(limits=1, user_api="blas"):
            return self._grade(nb, resources)

    def _grade(self, nb, resources):
        info = resources["nbgrader"]
        tests = trusted_tests(info["db_url"], info["notebook"], info["assignment"])
        workdir = resources.get("metadata", {}).get("path") or "."
        code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
        kernel, stopped, restarts, history = None, None, 0, []
        try:
            kernel = GradingKernel(workdir, sandboxed=self.sandbox, timeout=self.timeout)
        except KernelFault as fault:
            stopped = f"Not run: {fault}."
        judged = set()
        bindings = [defined_names(tests[grade_id].visible if grade_id in tests else cell.source)  # what runs
                    for grade_id, cell in ((cell.metadata.get("nbgrader", {}).get("grade_id"), cell)
                                           for cell in code_cells)]
        for index, cell in enumerate(code_cells):
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            test = tests.get(grade_id) if grade_id not in judged else None
            if grade_id in judged:  # a copy of a test cell: plain code, graded nowhere
                del cell.metadata["nbgrader"]
            source = test.visible if test else cell.source
            if test:
                judged.add(grade_id)
                cell.metadata["nbgrader"].update(grade=True, solution=False, points=test.points)
                cell.source = f"{test.visible}\n{HIDDEN_NOTE}" if test.visible else HIDDEN_NOTE
            if stopped:
                cell.outputs = [_failed(stopped) if test else fault_output(stopped)]
                continue
            try:
                run = kernel.run_cell(source) if source.strip() else None
                history.append(source)
            except KernelFault as fault:
                run = None
                cell.outputs = [fault_output(f"This cell was stopped: {fault}. Cells after it ran in a new kernel.")]
                kernel, stopped, restarts = self._recover(kernel, history, restarts)
                if test:
                    cell.outputs = [_failed(f"The cell was stopped: {fault}.")]
                    continue
            if test:
                verdict = judge(test, kernel, set().union(*bindings[:index]), set().union(*bindings[index + 1:]),
                                [(bindings[j], code_cells[j].source) for j in range(index)])
                cell.outputs = [_passed(verdict.note) if verdict.failure is None else _failed(verdict.failure)]
                cell.metadata[VERDICT_KEY] = verdict.facts()
                if not kernel.alive:
                    kernel, stopped, restarts = self._recover(kernel, history, restarts)
            elif run is not None:
                cell.outputs = run.outputs
        if kernel is not None:
            kernel.shutdown()
        return nb, resources

    def _recover(self, kernel, history, restarts):
        """A new kernel with the cells that ran before. -> (kernel, reason to stop or None, restarts)"""
        restarts += 1
        if restarts > MAX_RESTARTS:
            kernel.shutdown()
            return kernel, f"Not run: the kernel had to be restarted more than {MAX_RESTARTS} times", restarts
        try:
            kernel.restart()
            for source in history:
                kernel.run_cell(source)
        except KernelFault as fault:
            kernel.shutdown()
            return kernel, f"Not run: the kernel stopped again while re-running the cells before ({fault})", restarts
        return kernel, None, restarts
