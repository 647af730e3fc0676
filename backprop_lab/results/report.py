"""The class report: what an instructor reads after grading, in any browser, without Jupyter.

``write_report(course_dir, out_dir)`` writes ``out_dir/index.html`` and the PNG charts it shows,
from what the grading loop left in the course folder:

* the gradebook at ``paths.Course.gradebook_url`` (``$BACKPROP_LAB_DB_URL``, e.g. PostgreSQL, else
  ``gradebook.db``): every part's score (``gradebook.scores``);
* ``autograded/``: the catalogued mistakes the checks named (``gradebook.diagnoses``);
* ``grading-log.jsonl``: one JSON object per graded submission, appended by ``autograde.autograde``
  (student, assignment, seconds, success, reason, notes, finished); the last line of each
  submission wins. Without it the report says so instead of guessing.

Three rooms: this module reads the course and counts (plain dataclasses and numbers, no HTML);
``report_charts`` draws the counts as PNGs; ``templates/report.html.j2`` lays out the page.

The page is one static file: inline CSS, no script, nothing fetched from the network. Student ids
and messages come from untrusted notebooks, so the template escapes every value it prints
(autoescape). The same inputs give the same page and the same PNGs (sorted tables, no clock, no
"Software" metadata).
"""
from __future__ import annotations

import html
import math
import os
import statistics
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from backprop_lab import paths
from backprop_lab.judging import mistakes
from backprop_lab.pipeline import autograde
from backprop_lab.results import gradebook, report_charts

GRADING_LOG = paths.GRADING_LOG
NO_LOG = "no grading log"
SLOWEST = 10               # rows of the slowest-submissions table
STUDENTS_SHOWN = 12        # student ids listed per mistake before "and N more"
FOLD = 160                 # characters: a longer reason, or one of several lines, is folded behind its last line

CHARTS = {"parts": "score-distribution.png", "checks": "pass-rates.png", "mistakes": "mistakes.png"}

GradingLog = tuple[dict[tuple[str, str], dict], int] | None  # autograde.read_grading_log's, None without a log


# --------------------------------------------------------------------------- reading the course

def part_order(course_dir: str | os.PathLike[str]) -> dict[tuple[str, str], int]:
    """{(assignment, grade_id): position} of the graded cells in release/, so tables follow the notebooks."""
    import nbformat

    order: dict[tuple[str, str], int] = {}
    for notebook in sorted(paths.Course(course_dir).release.glob("*/*.ipynb")):
        for cell in nbformat.read(notebook, as_version=4).cells:
            nbgrader = cell.metadata.get("nbgrader", {})
            if nbgrader.get("grade") and nbgrader.get("grade_id"):
                order.setdefault((notebook.parent.name, nbgrader["grade_id"]), len(order))
    return order


def gradebook_scores(db_url: str) -> gradebook.Scores:
    """Every part's score in the gradebook at db_url, as gradebook.scores gives them; none when db_url
    is a SQLite file that does not exist: opening it would create an empty gradebook.db, and a
    report must not change the course."""
    from sqlalchemy.engine import make_url

    database = make_url(db_url)
    if database.get_backend_name() == "sqlite" and not Path(database.database or "").is_file():
        return gradebook.Scores()
    return gradebook.scores(db_url=db_url)


def shown_url(db_url: str) -> str:
    """The gradebook's URL without its password, fit to print."""
    from sqlalchemy.engine import make_url

    return make_url(db_url).render_as_string(hide_password=True)


# --------------------------------------------------------------------------- what the tables count

@dataclass
class PartStats:
    """How a class did on one graded part (one test cell, one check)."""
    assignment: str
    part: str
    points: float
    submissions: int
    full: int
    partial: int
    zero: int
    mean: float

    @property
    def label(self) -> str:
        return f"{self.assignment}: {self.part}"

    @property
    def pass_rate(self) -> float:
        """A check passes when its part gets full marks."""
        return self.full / self.submissions if self.submissions else 0.0


def part_stats(table: gradebook.Table, order: Mapping[tuple[str, str], int]) -> list[PartStats]:
    """One PartStats per (assignment, grade id) in the gradebook, in notebook order."""
    scores = defaultdict(list)
    for (_, assignment), parts in table.items():
        for part, score in parts.items():
            scores[(assignment, part)].append(score)
    rows = []
    for (assignment, part), pairs in sorted(
            scores.items(), key=lambda item: (item[0][0], order.get(item[0], len(order)), item[0][1])):
        points = max(maximum for _, maximum in pairs)
        rows.append(PartStats(
            assignment, part, points, len(pairs),
            full=sum(score >= maximum for score, maximum in pairs),
            partial=sum(0 < score < maximum for score, maximum in pairs),
            zero=sum(score <= 0 < maximum for score, maximum in pairs),
            mean=statistics.fmean(score for score, _ in pairs)))
    return rows


@dataclass
class MistakeStats:
    """One catalogued mistake and who made it."""
    id: str
    students: list
    parts: list

    @property
    def title(self) -> str:
        return (mistakes.BY_ID[self.id].title if self.id in mistakes.BY_ID
                else "no catalogued mistake explains it: a candidate for the catalogue")

    @property
    def hint(self) -> str:
        return mistakes.BY_ID[self.id].hint if self.id in mistakes.BY_ID else ""


def mistake_stats(found: Mapping[tuple[str, str], Mapping[str, str]]) -> list[MistakeStats]:
    """Mistakes named by the checks, most students first; a student counts once per mistake."""
    students, parts = defaultdict(set), defaultdict(set)
    for (student, assignment), named in found.items():
        for part, mistake in named.items():
            students[mistake].add(student)
            parts[mistake].add(f"{assignment}: {part}")
    rows = [MistakeStats(mistake, sorted(students[mistake]), sorted(parts[mistake])) for mistake in students]
    return sorted(rows, key=lambda row: (-len(row.students), row.id))


@dataclass
class AssignmentStats:
    """How a class did on one assignment: totals from the gradebook, failures from the grading log."""
    assignment: str
    submissions: int
    points: float
    mean: float | None         # of the totals; None when nothing is graded
    median: float | None
    failed: int | None         # submissions whose last grading failed; None without a grading log


def assignment_stats(table: gradebook.Table, log: GradingLog) -> list[AssignmentStats]:
    """One AssignmentStats per assignment in the gradebook or the grading log, sorted by name."""
    table = gradebook.Scores(table)
    records = log[0] if log is not None else {}
    failed: defaultdict[str, int] = defaultdict(int)
    for (_, assignment), record in records.items():
        failed[assignment] += not record.get("success", False)
    rows = []
    for assignment in sorted({*table.assignments, *(a for _, a in records)}):
        submissions = table.of_assignment(assignment).values()
        scored = [parts.total for parts in submissions]
        rows.append(AssignmentStats(
            assignment, len(submissions), max((parts.max_score for parts in submissions), default=0),
            mean=statistics.fmean(scored) if scored else None,
            median=statistics.median(scored) if scored else None,
            failed=failed[assignment] if log is not None else None))
    return rows


@dataclass
class Grading:
    """The last grading of one submission, as the grading log records it."""
    student: str
    assignment: str
    seconds: float             # 0.0 when missing or not a finite number
    success: bool
    finished: object           # as logged (an ISO time), "" when missing
    reason: str                # why it failed, stripped; "" when none is recorded
    folded: str                # the line a long reason (a traceback) is folded behind; "" for a short one


@dataclass
class LogStats:
    """What the grading log says about the last grading of every submission."""
    gradings: list             # Grading, by (student, assignment)
    unreadable: int            # lines that could not be read
    seconds: float             # in all
    finished: str              # the latest finish time, "" when none is logged
    slowest: list              # the SLOWEST slowest gradings, slowest first
    failed: list               # the failed gradings, by (student, assignment)
    notes: list                # (student, assignment, note): what staging changed or skipped before grading


def _seconds(record):
    try:
        value = float(record.get("seconds") or 0.0)
    except (TypeError, ValueError):
        return 0.0
    return value if math.isfinite(value) else 0.0


def _folded(text):
    """The last line of text cut to FOLD characters (with "…"); "" when text is one line of at most FOLD."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) <= 1 and len(text) <= FOLD:
        return ""
    return lines[-1] if len(lines[-1]) <= FOLD else lines[-1][:FOLD] + "…"


def log_stats(log: GradingLog) -> LogStats | None:
    """LogStats of autograde.read_grading_log's (records, unreadable lines); None without a grading log."""
    if log is None:
        return None
    records, unreadable = log
    gradings, notes = [], []
    for (student, assignment), record in sorted(records.items()):
        reason = str(record.get("reason") or "").strip()
        gradings.append(Grading(student, assignment, _seconds(record), bool(record.get("success")),
                                record.get("finished") or "", reason, _folded(reason)))
        if isinstance(record.get("notes"), list):
            notes += [(student, assignment, note) for note in record["notes"]]
    return LogStats(
        gradings, unreadable, seconds=sum(_seconds(r) for r in records.values()),  # in log order, as floats add
        finished=max((str(g.finished) for g in gradings), default=""),
        slowest=sorted(gradings, key=lambda g: -g.seconds)[:SLOWEST],  # stable: ties stay by student, assignment
        failed=[g for g in gradings if not g.success], notes=notes)


# --------------------------------------------------------------------------- the page

def _escape(value):
    """autoescape with the standard library's quoting (&quot;, &#x27;), as the page always had.

    Jinja2 passes every printed value through this before autoescape, which leaves Markup (a
    macro's output) as it is: each value is escaped exactly once."""
    return value if hasattr(value, "__html__") else Markup(html.escape(str(value)))


def _template():
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("backprop_lab.results", "templates"), autoescape=True, finalize=_escape,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return environment.get_template("report.html.j2")


def write_report(course_dir: str | os.PathLike[str] = paths.COURSE_DIR,
                 out_dir: str | os.PathLike[str] | None = None) -> Path:
    """The class report: out_dir/index.html and its PNG charts (default: course_dir/reports). -> index.html

    Works on whatever the loop has produced so far: a missing gradebook, autograded/ or grading
    log leaves its sections saying so. Charts are drawn on Agg without pyplot.
    """
    course_dir = Path(course_dir)
    out_dir = Path(out_dir) if out_dir is not None else paths.Course(course_dir).reports
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in CHARTS.values():  # a chart that has nothing to show this time must not linger
        (out_dir / name).unlink(missing_ok=True)

    db_url = paths.Course(course_dir).gradebook_url()
    table = gradebook_scores(db_url)
    log = autograde.read_grading_log(course_dir)
    parts = part_stats(table, part_order(course_dir))
    checks = sorted(parts, key=lambda s: (s.pass_rate, s.assignment, s.part))  # worst first
    found = mistake_stats(gradebook.diagnoses(course_dir))

    charts = {}
    for key, rows, draw in (("parts", parts, report_charts.chart_parts),
                            ("checks", checks, report_charts.chart_pass_rates),
                            ("mistakes", found, report_charts.chart_mistakes)):
        if rows:
            width, height = draw(rows, out_dir / CHARTS[key])
            charts[key] = {"src": CHARTS[key], "width": width, "height": height}

    page = _template().render(
        course=str(course_dir.resolve()), gradebook=shown_url(db_url),
        students=len({student for student, _ in [*table, *(log[0] if log is not None else {})]}),
        submissions=len(table), assignments=assignment_stats(table, log), log=log_stats(log),
        parts=parts, checks=checks, mistakes=found, charts=charts,
        grading_log=GRADING_LOG, no_log=NO_LOG, students_shown=STUDENTS_SHOWN)
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
