"""The class report: what an instructor reads after grading, in any browser, without Jupyter.

``write_report(course_dir, out_dir)`` writes ``out_dir/index.html`` and the PNG charts it shows,
from what the grading loop left in the course folder:

* the gradebook at ``grading.gradebook_url`` (``$BACKPROP_LAB_DB_URL``, e.g. PostgreSQL, else
  ``gradebook.db``): every part's score (``grading.scores``);
* ``autograded/``: the catalogued mistakes the checks named (``grading.diagnoses``);
* ``grading-log.jsonl``: one JSON object per graded submission, appended by ``grading.autograde``
  (student, assignment, seconds, success, reason, notes, finished); the last line of each
  submission wins. Without it the report says so instead of guessing.

The page is one static file: inline CSS, no script, nothing fetched from the network. Student ids
and messages come from untrusted notebooks, so every text is escaped. The same inputs give the
same page and the same PNGs (sorted tables, no clock, no "Software" metadata).
"""
import contextlib
import html
import json
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from backprop_lab import grading, mistakes, paths

GRADING_LOG = grading.GRADING_LOG
NO_LOG = "no grading log"
DPI = 100
CHART_WIDTH = 9.5          # inches: 950 px, the width of the page's content, so charts are not scaled
SLOWEST = 10               # rows of the slowest-submissions table
STUDENTS_SHOWN = 12        # student ids listed per mistake before "and N more"

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
FULL, PARTIAL, ZERO = "#009E73", "#E69F00", "#D55E00"
BAR = "#0072B2"

CHARTS = {"parts": "score-distribution.png", "checks": "pass-rates.png", "mistakes": "mistakes.png"}


# --------------------------------------------------------------------------- reading the course

def part_order(course_dir):
    """{(assignment, grade_id): position} of the graded cells in release/, so tables follow the notebooks."""
    import nbformat

    order = {}
    for notebook in sorted(Path(course_dir).glob("release/*/*.ipynb")):
        for cell in nbformat.read(notebook, as_version=4).cells:
            nbgrader = cell.metadata.get("nbgrader", {})
            if nbgrader.get("grade") and nbgrader.get("grade_id"):
                order.setdefault((notebook.parent.name, nbgrader["grade_id"]), len(order))
    return order


def gradebook_scores(db_url):
    """Every part's score in the gradebook at db_url, as grading.scores gives them; {} when db_url
    is a SQLite file that does not exist: opening it would create an empty gradebook.db, and a
    report must not change the course."""
    from sqlalchemy.engine import make_url

    database = make_url(db_url)
    if database.get_backend_name() == "sqlite" and not Path(database.database or "").is_file():
        return {}
    return grading.scores(db_url=db_url)


def shown_url(db_url):
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
    def label(self):
        return f"{self.assignment}: {self.part}"

    @property
    def pass_rate(self):
        """A check passes when its part gets full marks."""
        return self.full / self.submissions if self.submissions else 0.0


def part_stats(table, order):
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
    def title(self):
        return (mistakes.BY_ID[self.id].title if self.id in mistakes.BY_ID
                else "no catalogued mistake explains it: a candidate for the catalogue")

    @property
    def hint(self):
        return mistakes.BY_ID[self.id].hint if self.id in mistakes.BY_ID else ""


def mistake_stats(found):
    """Mistakes named by the checks, most students first; a student counts once per mistake."""
    students, parts = defaultdict(set), defaultdict(set)
    for (student, assignment), named in found.items():
        for part, mistake in named.items():
            students[mistake].add(student)
            parts[mistake].add(f"{assignment}: {part}")
    rows = [MistakeStats(mistake, sorted(students[mistake]), sorted(parts[mistake])) for mistake in students]
    return sorted(rows, key=lambda row: (-len(row.students), row.id))


# --------------------------------------------------------------------------- charts

def _figure(height):
    """A white Agg figure CHART_WIDTH wide, made without pyplot so the caller's backend is untouched."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(CHART_WIDTH, height), facecolor="white", layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure, path):
    figure.savefig(path, dpi=DPI, facecolor="white", metadata={"Software": None})
    return round(CHART_WIDTH * DPI), round(figure.get_figheight() * DPI)


def _bar_height(rows):
    return 1.0 + 0.38 * len(rows)


@contextlib.contextmanager
def _chart_style():
    """matplotlib's defaults whatever the user's matplotlibrc says, so every machine draws the same PNGs."""
    import matplotlib
    import matplotlib.style

    with matplotlib.style.context("default"), matplotlib.rc_context(
            {"font.family": "DejaVu Sans", "font.size": 10, "axes.spines.top": False, "axes.spines.right": False}):
        yield


def chart_parts(rows, path):
    """Stacked bars: how many submissions got full, partial and zero marks on each part. -> (w, h) px"""
    with _chart_style():
        figure = _figure(_bar_height(rows) + 0.4)
        axes = figure.add_subplot()
        labels = [row.label for row in rows][::-1]
        left = [0] * len(rows)
        for name, colour, counts in (("full marks", FULL, [row.full for row in rows]),
                                     ("partial", PARTIAL, [row.partial for row in rows]),
                                     ("zero", ZERO, [row.zero for row in rows])):
            counts = counts[::-1]
            bars = axes.barh(labels, counts, left=left, color=colour, label=name, height=0.7)
            axes.bar_label(bars, labels=[str(c) if c else "" for c in counts], label_type="center",
                           color="white", fontweight="bold")
            left = [a + b for a, b in zip(left, counts)]
        axes.set_xlabel("submissions")
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False)
        return _save(figure, path)


def chart_pass_rates(rows, path):
    """Horizontal bars of each check's pass rate, worst at the top. -> (w, h) px"""
    with _chart_style():
        figure = _figure(_bar_height(rows))
        axes = figure.add_subplot()
        shown = rows[::-1]
        bars = axes.barh([row.label for row in shown], [100 * row.pass_rate for row in shown], color=BAR, height=0.7)
        axes.bar_label(bars, labels=[f"{row.pass_rate:.0%} ({row.full}/{row.submissions})" for row in shown],
                       padding=3)
        axes.set_xlim(0, 118)
        axes.set_xticks(range(0, 101, 20))
        axes.set_xlabel("submissions with full marks (%)")
        return _save(figure, path)


def chart_mistakes(rows, path):
    """Horizontal bars of how many students made each mistake, most common at the top. -> (w, h) px"""
    with _chart_style():
        figure = _figure(_bar_height(rows))
        axes = figure.add_subplot()
        shown = rows[::-1]
        bars = axes.barh([row.id for row in shown], [len(row.students) for row in shown], color=ZERO, height=0.7)
        axes.bar_label(bars, padding=3)
        axes.set_xlim(0, max(len(row.students) for row in rows) * 1.15)
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.set_xlabel("students")
        return _save(figure, path)


# --------------------------------------------------------------------------- HTML

class Html(str):
    """Text that is already HTML: the one kind of cell _table does not escape."""


def _escape(value):
    return value if isinstance(value, Html) else html.escape(str(value))


def _number(value):
    return f"{value:g}"


NUMERIC = ' class="num"'


def _table(caption, headers, rows, numeric=()):
    """A <table> with a caption and a header row; columns whose index is in numeric align right."""
    head = "".join(f'<th scope="col"{NUMERIC if i in numeric else ""}>{_escape(h)}</th>'
                   for i, h in enumerate(headers))
    body = "\n".join("<tr>" + "".join(f'<td{NUMERIC if i in numeric else ""}>{_escape(cell)}</td>'
                                      for i, cell in enumerate(row)) + "</tr>" for row in rows)
    return (f"<table>\n<caption>{_escape(caption)}</caption>\n<thead><tr>{head}</tr></thead>\n"
            f"<tbody>\n{body}\n</tbody>\n</table>")


def _image(name, size, alt):
    width, height = size
    return f'<img src="{html.escape(name)}" width="{width}" height="{height}" alt="{html.escape(alt)}">'


def _note(text):
    return f'<p class="note">{_escape(text)}</p>'


def _long_text(text, limit=160):
    """A short message as is; a long one (a traceback) folded behind its last line."""
    text = str(text or "").strip()
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return Html('<span class="muted">(no reason recorded)</span>')
    if len(lines) == 1 and len(text) <= limit:
        return text
    last = lines[-1].strip()
    summary = last if len(last) <= limit else last[:limit] + "…"
    return Html(f"<details><summary>{html.escape(summary)}</summary><pre>{html.escape(text)}</pre></details>")


def _who(students):
    shown = ", ".join(students[:STUDENTS_SHOWN])
    more = len(students) - STUDENTS_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


CSS = """
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #222; background: #fff;
       margin: 0; line-height: 1.45; }
main { max-width: 950px; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 2px solid #ddd; padding-bottom: 0.2rem; }
p.lead, .muted { color: #555; }
p.note { background: #fff6e0; border-left: 4px solid #E69F00; padding: 0.5rem 0.8rem; }
nav ol { columns: 2; }
table { border-collapse: collapse; margin: 1rem 0 1.5rem; width: 100%; font-size: 0.92rem; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.4rem; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fafafa; }
img { display: block; max-width: 100%; height: auto; margin: 1rem 0; }
pre { white-space: pre-wrap; word-break: break-word; font-size: 0.82rem; background: #f6f6f6;
      padding: 0.5rem; max-height: 20rem; overflow: auto; }
summary { cursor: pointer; }
code { font-size: 0.9em; }
td code { white-space: nowrap; }
"""


def _summary_section(table, log, course_dir, db_url):
    out = ['<section id="summary">', "<h2>1. Summary</h2>"]
    failed = defaultdict(int)
    for (_, assignment), record in (log[0] if log else {}).items():
        failed[assignment] += not record.get("success", False)
    students = {student for student, _ in table} | {student for student, _ in (log[0] if log else {})}
    assignments = sorted({a for _, a in table} | {a for _, a in (log[0] if log else {})})
    out.append(f"<p>{len(students)} students, {len(table)} graded submissions "
               f"in <code>{html.escape(str(Path(course_dir).resolve()))}</code>; scores from the gradebook "
               f"<code>{html.escape(shown_url(db_url))}</code>.</p>")
    if not table and not log:
        out.append(_note("Nothing graded yet: no gradebook entries and no grading log."))
    rows = []
    for assignment in assignments:
        totals = [(sum(s for s, _ in parts.values()), sum(m for _, m in parts.values()))
                  for (_, a), parts in sorted(table.items()) if a == assignment]
        points = max((maximum for _, maximum in totals), default=0)
        scored = [total for total, _ in totals]
        rows.append([assignment, len(totals), _number(points),
                     f"{statistics.fmean(scored):.2f}" if scored else "–",
                     _number(statistics.median(scored)) if scored else "–",
                     failed[assignment] if log else NO_LOG])
    if rows:
        out.append(_table("Submissions and totals per assignment (totals from the gradebook, as in grades.csv)",
                          ["assignment", "graded submissions", "points", "mean total", "median total",
                           "failed to grade (last run)"], rows, numeric={1, 2, 3, 4, 5}))
    if not log:
        out.append(_note(f"No grading log ({GRADING_LOG} is not in the course folder): "
                         "how many submissions failed to grade is not known."))
    out.append("</section>")
    return out


def _parts_section(stats, out_dir):
    out = ['<section id="distribution">', "<h2>2. Score distribution per graded part</h2>"]
    if not stats:
        out += [_note("No graded parts in the gradebook."), "</section>"]
        return out
    size = chart_parts(stats, out_dir / CHARTS["parts"])
    out.append(_image(CHARTS["parts"], size, "Stacked bar chart: for each graded part, the number of submissions "
                                             "with full marks, partial marks and zero."))
    out.append(_table("Scores per graded part, in notebook order",
                      ["assignment", "part (grade id)", "points", "submissions", "mean score",
                       "full marks", "partial", "zero"],
                      [[s.assignment, s.part, _number(s.points), s.submissions, f"{s.mean:.2f}",
                        s.full, s.partial, s.zero] for s in stats], numeric={2, 3, 4, 5, 6, 7}))
    out.append("</section>")
    return out


def _checks_section(stats, out_dir):
    out = ['<section id="checks">', "<h2>3. Pass rate of every check, worst first</h2>",
           "<p>Each graded part is one test cell, one check; it passes when the part gets full marks.</p>"]
    if not stats:
        out += [_note("No checks graded yet."), "</section>"]
        return out
    worst_first = sorted(stats, key=lambda s: (s.pass_rate, s.assignment, s.part))
    size = chart_pass_rates(worst_first, out_dir / CHARTS["checks"])
    out.append(_image(CHARTS["checks"], size, "Bar chart of the pass rate of every check, worst at the top."))
    out.append(_table("Pass rate per check, worst first",
                      ["assignment", "check (grade id)", "points", "passed", "submissions", "pass rate"],
                      [[s.assignment, s.part, _number(s.points), s.full, s.submissions, f"{s.pass_rate:.0%}"]
                       for s in worst_first], numeric={2, 3, 4, 5}))
    out.append("</section>")
    return out


def _mistakes_section(found_mistakes, out_dir):
    out = ['<section id="mistakes">', "<h2>4. Most common mistakes</h2>",
           "<p>Mistakes from the catalogue (<code>backprop_lab/mistakes.py</code>) that the checks named in the "
           "autograded notebooks, as each student's feedback says, and the failures no catalogued mistake "
           "explains (<em>unrecognised</em>), grouped by where their error is largest: what the catalogue is "
           "missing. A student counts once per row.</p>"]
    if not found_mistakes:
        out += [_note("No failed part in autograded/."), "</section>"]
        return out
    size = chart_mistakes(found_mistakes, out_dir / CHARTS["mistakes"])
    out.append(_image(CHARTS["mistakes"], size, "Bar chart of the number of students who made each catalogued "
                                                "mistake, most common at the top."))
    out.append(_table("Catalogued mistakes, most students first",
                      ["students", "mistake", "hint", "parts", "who"],
                      [[len(m.students), Html(f"{html.escape(m.title)}<br><code>{html.escape(m.id)}</code>"), m.hint,
                        ", ".join(m.parts), _who(m.students)] for m in found_mistakes], numeric={0}))
    out.append("</section>")
    return out


def _log_section(log):
    out = ['<section id="grading">', "<h2>5. Slowest submissions and submissions that failed to grade</h2>"]
    if log is None:
        out += [_note(f"No grading log ({GRADING_LOG} is not in the course folder): grading times, failures "
                      "and their reasons are not known. It is written by the course's autograde step."),
                "</section>"]
        return out
    records, unreadable = log
    if unreadable:
        out.append(_note(f"{unreadable} line(s) of {GRADING_LOG} could not be read and were skipped."))
    if not records:
        out += [_note(f"The grading log {GRADING_LOG} has no records."), "</section>"]
        return out

    def seconds(record):
        try:
            value = float(record.get("seconds") or 0.0)
        except (TypeError, ValueError):
            return 0.0
        return value if math.isfinite(value) else 0.0

    total = sum(seconds(r) for r in records.values())
    finished = max((str(r.get("finished") or "") for r in records.values()), default="")
    out.append(f"<p>{len(records)} submissions in the log (the last grading of each), {total:.1f} s of grading "
               f"in all{', the last finished at ' + html.escape(finished) if finished else ''}.</p>")
    slowest = sorted(records.items(), key=lambda item: (-seconds(item[1]), item[0]))[:SLOWEST]
    out.append(_table(f"The {len(slowest)} slowest submissions (last grading of each)",
                      ["student", "assignment", "seconds", "result", "finished"],
                      [[student, assignment, f"{seconds(r):.1f}", "graded" if r.get("success") else "FAILED",
                        r.get("finished") or ""] for (student, assignment), r in slowest], numeric={2}))
    failed = sorted(key for key, record in records.items() if not record.get("success", False))
    if failed:
        out.append(_table(f"Submissions that failed to grade ({len(failed)}), and why",
                          ["student", "assignment", "why", "seconds", "finished"],
                          [[student, assignment, _long_text(records[(student, assignment)].get("reason")),
                            f"{seconds(records[(student, assignment)]):.1f}",
                            records[(student, assignment)].get("finished") or ""]
                           for student, assignment in failed], numeric={3}))
    else:
        out.append("<p>Every submission in the log was graded.</p>")
    notes = [(student, assignment, note) for (student, assignment), record in sorted(records.items())
             if isinstance(record.get("notes"), list) for note in record["notes"]]
    if notes:
        out.append(_table("What staging changed or skipped before grading",
                          ["student", "assignment", "note"], notes))
    out.append("</section>")
    return out


def write_report(course_dir=paths.COURSE_DIR, out_dir=None):
    """The class report: out_dir/index.html and its PNG charts (default: course_dir/reports). -> index.html

    Works on whatever the loop has produced so far: a missing gradebook, autograded/ or grading
    log leaves its sections saying so. Charts are drawn on Agg without pyplot.
    """
    course_dir = Path(course_dir)
    out_dir = Path(out_dir) if out_dir is not None else course_dir / "reports"
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in CHARTS.values():  # a chart that has nothing to show this time must not linger
        (out_dir / name).unlink(missing_ok=True)

    db_url = grading.gradebook_url(course_dir)
    table = gradebook_scores(db_url)
    log = grading.read_grading_log(course_dir)
    stats = part_stats(table, part_order(course_dir))
    found = mistake_stats(grading.diagnoses(course_dir))

    sections = [
        *_summary_section(table, log, course_dir, db_url),
        *_parts_section(stats, out_dir),
        *_checks_section(stats, out_dir),
        *_mistakes_section(found, out_dir),
        *_log_section(log),
    ]
    page = "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Backprop Lab: class report</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<h1>Backprop Lab: class report</h1>",
        '<p class="lead">From the gradebook, the autograded notebooks and the grading log. '
        "Rebuild it with <code>python -m backprop_lab report</code> after grading.</p>",
        '<nav><ol><li><a href="#summary">Summary</a></li><li><a href="#distribution">Score distribution</a></li>'
        '<li><a href="#checks">Pass rate of every check</a></li><li><a href="#mistakes">Most common mistakes</a>'
        '</li><li><a href="#grading">Slowest and failed submissions</a></li></ol></nav>',
        *sections,
        "</main>",
        "</body>",
        "</html>",
        "",
    ])
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
