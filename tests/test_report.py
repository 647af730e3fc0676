"""The class report: right numbers from a known class, escaped untrusted text, and a page that a
real browser (headless Chromium) renders with every chart loaded.

The known class is written straight into a copy of the test course's gradebook with nbgrader's
Gradebook API, with autograded notebooks that name catalogued mistakes the way the checks do and
a grading log written here, so these tests need no grading. One slow test grades two real
submissions and reports on them.
"""
import html
import json
import os
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser

import nbformat
import numpy as np
import pytest
from PIL import Image

from backprop_lab.authoring import submissions
from backprop_lab.judging import mistakes
from backprop_lab.sandbox import executor
from backprop_lab.pipeline import autograde
from backprop_lab.results import report

HOSTILE = '<img src=x onerror="alert(1)">&amp;'   # a student id is whatever the student's folder is called
SCRIPT = '<script>alert("reason")</script>'

# student -> assignment -> {grade_id: score}; parts left out get full marks.
CLASS = {
    "ada": {"01_backprop": {}, "02_convolution": {}},
    "bob": {"01_backprop": {"gradient": 0, "gradient_regularised": 0}, "02_convolution": {}},
    "cy": {"01_backprop": {"cost_regularised": 1}, "02_convolution": {"convolution": 0}},
    HOSTILE: {"02_convolution": {"convolution": 0}},
}
# What the checks named in each autograded notebook: student -> assignment -> {grade_id: mistake}.
NAMED = {
    "bob": {"01_backprop": {"gradient": "gradient-forgot-one-over-m",
                            "gradient_regularised": "gradient-forgot-one-over-m"}},
    "cy": {"02_convolution": {"convolution": "convolution-flipped-kernel"}},
    HOSTILE: {"02_convolution": {"convolution": "convolution-flipped-kernel"}},
}
TRACEBACK = f"Traceback (most recent call last):\n  File \"kernel.py\", line 3\nRuntimeError: {SCRIPT}"
LOG = [
    {"student": "ada", "assignment": "01_backprop", "seconds": 12.5, "success": True},
    {"student": "ada", "assignment": "02_convolution", "seconds": 2.0, "success": True},
    {"student": "bob", "assignment": "01_backprop", "seconds": 30.25, "success": True,
     "notes": ["bob/01_backprop: restored deleted test cells gradient"]},
    {"student": "bob", "assignment": "02_convolution", "seconds": 2.1, "success": True},
    {"student": "cy", "assignment": "01_backprop", "seconds": 3.0, "success": False, "reason": "kernel died"},
    {"student": "cy", "assignment": "01_backprop", "seconds": 14.0, "success": True},  # regraded: the last wins
    {"student": "cy", "assignment": "02_convolution", "seconds": 2.2, "success": True},
    {"student": HOSTILE, "assignment": "02_convolution", "seconds": 121.5, "success": False, "reason": TRACEBACK},
]


class Page(HTMLParser):
    """What a browser would show of a page: its tables (caption -> rows of cell texts, header row
    first), its <img> elements' attributes, and how many of each element it has."""

    def __init__(self, text):
        super().__init__()
        self.tables, self.images, self.elements = {}, [], Counter()
        self._caption = self._rows = self._cell = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.elements[tag] += 1
        if tag == "table":
            self._rows = []
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.images.append(dict(attrs))
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if tag == "caption":
            self._caption = "".join(self._caption).strip()
        elif tag in ("td", "th"):
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self.tables[self._caption] = self._rows

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif isinstance(self._caption, list):
            self._caption.append(data)

    def table(self, caption_start):
        """Rows of the one table whose caption starts so, as {header: cell} dicts."""
        [rows] = [rows for caption, rows in self.tables.items() if caption.startswith(caption_start)]
        return [dict(zip(rows[0], row)) for row in rows[1:]]


def fresh_course(course, root):
    """A copy of the test course (source/, release/, gradebook.db) with no student in its gradebook."""
    from nbgrader.api import Gradebook

    for folder in ("source", "release"):
        shutil.copytree(course / folder, root / folder)
    shutil.copy(course / "gradebook.db", root / "gradebook.db")
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for student in [s.id for s in gradebook.students]:
            gradebook.remove_student(student)
    return root


def enrol(root, scores):
    """Submissions in the gradebook with the given scores (full marks where none is given)."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for student, assignments in scores.items():
            gradebook.add_student(student)
            for assignment, parts in assignments.items():
                gradebook.add_submission(assignment, student)
                for notebook in gradebook.find_assignment(assignment).notebooks:
                    for cell in notebook.grade_cells:
                        grade = gradebook.find_grade(cell.name, notebook.name, assignment, student)
                        grade.auto_score = parts.get(cell.name, cell.max_score)
        gradebook.db.commit()


def write_autograded(root, named):
    """autograded/STUDENT/ASSIGNMENT/ASSIGNMENT.ipynb whose test cells failed naming these mistakes, with
    the facts the grader records in each graded cell's metadata (executor.Verdict.facts)."""
    for student, assignments in named.items():
        for assignment, parts in assignments.items():
            notebook = nbformat.v4.new_notebook()
            for part, mistake in parts.items():
                cell = nbformat.v4.new_code_cell("checks.check_something(...)")
                cell.metadata["nbgrader"] = {"grade": True, "grade_id": part, "points": 1, "solution": False}
                cell.outputs = [nbformat.v4.new_output("error", ename="CheckFailed", traceback=[],
                                                       evalue=f"wrong answer.\n{mistakes.message(mistake)}")]
                cell.metadata[executor.VERDICT_KEY] = {"passed": False, "mistake": mistake, "where": None}
                notebook.cells.append(cell)
            path = root / "autograded" / student / assignment / f"{assignment}.ipynb"
            path.parent.mkdir(parents=True)
            nbformat.write(notebook, path)


def write_log(root, records, extra_lines=()):
    lines = [json.dumps({"reason": "", "notes": [], "finished": f"2025-01-01T10:{i:02d}:00", **record})
             for i, record in enumerate(records)]
    (root / report.GRADING_LOG).write_text("\n".join([*lines, *extra_lines]) + "\n")


@pytest.fixture(scope="module")
def known_class(course, tmp_path_factory):
    """A course folder holding the known CLASS, NAMED and LOG, and one log line cut short."""
    root = fresh_course(course, tmp_path_factory.mktemp("known-class"))
    enrol(root, CLASS)
    write_autograded(root, NAMED)
    write_log(root, LOG, extra_lines=['{"student": "dan", "assign'])
    return root


@pytest.fixture(scope="module")
def written(known_class, tmp_path_factory):
    """The report of the known class: (its folder, the parsed page)."""
    out_dir = tmp_path_factory.mktemp("report")
    index = report.write_report(known_class, out_dir)
    assert index == out_dir / "index.html"
    return out_dir, Page(index.read_text(encoding="utf-8"))


def test_summary_counts_students_totals_and_failures(written):
    """Does the summary give each assignment's graded submissions, mean and median total, and how
    many failed to grade at their last run (a regraded failure is not counted)?"""
    _, page = written
    rows = {row["assignment"]: row for row in page.table("Submissions and totals per assignment")}
    assert rows["01_backprop"] == {"assignment": "01_backprop", "graded submissions": "3", "points": "16",
                                   "mean total": "13.33", "median total": "15", "failed to grade (last run)": "0"}
    assert rows["02_convolution"] == {"assignment": "02_convolution", "graded submissions": "4", "points": "3",
                                      "mean total": "1.50", "median total": "1.5", "failed to grade (last run)": "1"}


def test_score_distribution_follows_the_notebooks(written):
    """Does the distribution table list every graded part in notebook order with its full, partial
    and zero counts?"""
    _, page = written
    rows = page.table("Scores per graded part")
    assert [(r["assignment"], r["part (grade id)"]) for r in rows] == [
        ("01_backprop", part) for part in ("cost_unregularised", "cost_regularised", "sigmoid_gradient", "gradient",
                                           "gradient_regularised", "trained_network", "hidden_weights_plot")
    ] + [("02_convolution", "convolution")]
    by_part = {r["part (grade id)"]: r for r in rows}
    assert (by_part["cost_regularised"]["full marks"], by_part["cost_regularised"]["partial"],
            by_part["cost_regularised"]["zero"], by_part["cost_regularised"]["mean score"]) == ("2", "1", "0", "1.67")
    assert (by_part["convolution"]["full marks"], by_part["convolution"]["zero"]) == ("2", "2")


def test_pass_rates_are_sorted_worst_first(written):
    """Is every check listed with its pass rate, the worst first?"""
    _, page = written
    rows = page.table("Pass rate per check")
    assert [(r["check (grade id)"], r["passed"], r["submissions"], r["pass rate"]) for r in rows[:4]] == [
        ("convolution", "2", "4", "50%"), ("cost_regularised", "2", "3", "67%"),  # ties: by assignment, part
        ("gradient", "2", "3", "67%"), ("gradient_regularised", "2", "3", "67%")]
    assert len(rows) == 8 and {r["pass rate"] for r in rows[4:]} == {"100%"}


def test_mistakes_are_counted_per_student_with_the_catalogue_hint(written):
    """Does each named mistake count its students once, with its title and hint from the catalogue?"""
    _, page = written
    rows = page.table("Catalogued mistakes")
    flipped, summed = mistakes.BY_ID["convolution-flipped-kernel"], mistakes.BY_ID["gradient-forgot-one-over-m"]
    assert [(r["mistake"], r["students"]) for r in rows] == [(f"{flipped.title} {flipped.id}", "2"),
                                                            (f"{summed.title} {summed.id}", "1")]
    assert rows[0]["hint"] == " ".join(flipped.hint.split())
    assert rows[0]["who"] == f"cy, {HOSTILE}" or rows[0]["who"] == f"{HOSTILE}, cy"
    assert rows[1]["parts"] == "01_backprop: gradient, 01_backprop: gradient_regularised"


def test_slowest_and_failed_submissions_come_from_the_last_log_record(written):
    """Are the slowest submissions listed slowest first, the failures with their reason, the staging
    notes shown, and a log line cut short reported rather than fatal?"""
    out_dir, page = written
    slowest = page.table("The 7 slowest submissions")
    assert [(r["student"], r["assignment"], r["seconds"]) for r in slowest[:3]] == [
        (HOSTILE, "02_convolution", "121.5"), ("bob", "01_backprop", "30.2"), ("cy", "01_backprop", "14.0")]
    assert slowest[0]["result"] == "FAILED" and slowest[2]["result"] == "graded"
    [failed] = page.table("Submissions that failed to grade (1)")
    assert failed["student"] == HOSTILE and SCRIPT in failed["why"]
    [note] = page.table("What staging changed")
    assert note["note"] == "bob/01_backprop: restored deleted test cells gradient"
    assert "1 line(s) of grading-log.jsonl could not be read" in (out_dir / "index.html").read_text()


def test_untrusted_text_is_escaped(written):
    """Do student ids and failure reasons stay text: no element of theirs in the page?"""
    out_dir, page = written
    text = (out_dir / "index.html").read_text()
    assert html.escape(HOSTILE) in text and html.escape(SCRIPT) in text
    assert "<script" not in text and "<img src=x" not in text
    assert page.elements["script"] == 0
    assert {image["src"] for image in page.images} == set(report.CHARTS.values())  # no <img src=x>


EVE = 'eve<script>alert("id")&amp;'               # no "/": a student id is a folder name
INVENTED = '<script>alert("mistake")</script> & co'  # a mistake id no catalogue holds, as an edited notebook might name


def test_script_and_ampersand_are_escaped_exactly_once(course, tmp_path):
    """Do a student id and a mistake id holding <script> and & reach the page escaped exactly once:
    shown as typed (not escaped means an element, twice means "&amp;lt;" on screen)?"""
    root = fresh_course(course, tmp_path / "course")
    enrol(root, {EVE: {"02_convolution": {"convolution": 0}}})
    write_autograded(root, {EVE: {"02_convolution": {"convolution": "convolution-flipped-kernel"}}})
    path = root / "autograded" / EVE / "02_convolution" / "02_convolution.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[0].metadata[executor.VERDICT_KEY]["mistake"] = INVENTED
    nbformat.write(notebook, path)
    write_log(root, [{"student": EVE, "assignment": "02_convolution", "seconds": 1.0, "success": False,
                      "reason": f"{INVENTED}\n{INVENTED}", "notes": [INVENTED]}])
    text = report.write_report(root, tmp_path / "out").read_text()

    page = Page(text)
    [mistake] = page.table("Catalogued mistakes")
    assert mistake["who"] == EVE and mistake["mistake"].endswith(f" {INVENTED}")  # title<br><code>id</code>
    assert page.table("The 1 slowest")[0]["student"] == EVE
    [failed] = page.table("Submissions that failed to grade (1)")
    assert (failed["student"], failed["why"]) == (EVE, f"{INVENTED}{INVENTED} {INVENTED}")  # <summary>, <pre>
    assert page.table("What staging changed")[0]["note"] == INVENTED
    for value in (EVE, INVENTED):
        assert html.escape(value) in text and html.escape(html.escape(value)) not in text
    assert "<script" not in text and "&amp;lt;" not in text and page.elements["script"] == 0


def test_page_is_self_contained_with_captioned_tables_and_charts(written):
    """Does the page load nothing from the network, give every table a caption and header row, and
    every chart alt text, a size and a valid PNG of that size?"""
    out_dir, page = written
    text = (out_dir / "index.html").read_text()
    assert "http://" not in text and "https://" not in text and "<link" not in text
    assert page.elements["table"] == len(page.tables) == page.elements["caption"] == 7
    assert all(rows[0] and len(rows) > 1 for rows in page.tables.values())
    assert len(page.images) == 3
    for image in page.images:
        assert len(image["alt"]) > 20
        with Image.open(out_dir / image["src"]) as png:
            png.verify()
        with Image.open(out_dir / image["src"]) as png:
            assert png.format == "PNG" and png.size == (int(image["width"]), int(image["height"]))


def test_same_inputs_give_the_same_report(known_class, written, tmp_path):
    """Is the report byte-for-byte the same when written again from the same course?"""
    out_dir, _ = written
    report.write_report(known_class, tmp_path)
    for name in ["index.html", *report.CHARTS.values()]:
        assert (tmp_path / name).read_bytes() == (out_dir / name).read_bytes(), name


def test_without_a_grading_log_the_report_says_so(course, tmp_path):
    """Without grading-log.jsonl, do the summary and the grading section say "no grading log"
    instead of failing?"""
    root = fresh_course(course, tmp_path / "course")
    enrol(root, {"ada": {"02_convolution": {}}})
    page = Page(report.write_report(root, tmp_path / "out").read_text())
    [row] = page.table("Submissions and totals per assignment")
    assert row["failed to grade (last run)"] == report.NO_LOG
    assert not any(caption.startswith(("The ", "Submissions that failed")) for caption in page.tables)
    text = (tmp_path / "out" / "index.html").read_text()
    assert text.count("No grading log (grading-log.jsonl is not in the course folder)") == 2
    assert "No failed part in autograded/." in text


def test_an_ungraded_course_gets_a_report_and_keeps_no_stale_chart(tmp_path):
    """Before anything is graded, is a page still written, without charts (even old ones), and
    without creating a gradebook?"""
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / report.CHARTS["mistakes"]).write_bytes(b"an old chart")
    page = Page(report.write_report(tmp_path, out_dir).read_text())
    assert not page.images and not list(out_dir.glob("*.png"))
    assert not (tmp_path / "gradebook.db").exists()


# --------------------------------------------------------------------------- in a real browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
WIDTH = 1200
PROBE = """<script>
addEventListener("load", () => {
  const images = [...document.images].map(image => {
    const box = image.getBoundingClientRect();
    return {src: image.getAttribute("src"), complete: image.complete, naturalWidth: image.naturalWidth,
            naturalHeight: image.naturalHeight, box: [box.left, box.top, box.width, box.height]};
  });
  const probe = document.createElement("pre");
  probe.id = "probe";
  probe.textContent = JSON.stringify({images, height: document.documentElement.scrollHeight});
  document.body.append(probe);
});
</script>"""


def chromium(profile, *arguments):
    """Run headless Chromium (a throw-away profile, so parallel runs do not share one). -> stdout"""
    command = [CHROMIUM, "--headless", "--disable-gpu", "--hide-scrollbars", f"--user-data-dir={profile}",
               *(["--no-sandbox"] if os.geteuid() == 0 else []), *arguments]  # Chromium's sandbox refuses root
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (Debian: apt-get install chromium)")
def test_report_renders_in_chromium_with_every_chart_loaded(written, tmp_path):
    """Does a real browser render the tables and paint every chart, pixel for pixel, where the page puts it?

    1. --dump-dom of the report as written: the DOM Chromium built has the seven captioned tables and
       the three <img> elements, and no element from untrusted text.
    2. The report has no script, so a copy of it with a probe script added (probe.html, next to it
       so relative paths resolve the same) asks the browser, once the page has loaded, whether each
       image decoded (complete, naturalWidth), at which size, and where it sits on the page.
    3. A screenshot of the report itself, as tall as the page: at each image's box the pixels are
       those of its PNG file, so the browser really painted it (a missing file shows a broken-image
       icon and alt text instead), and the page is not blank.
    """
    out_dir, written_page = written
    dom = Page(chromium(tmp_path / "profile-dom", "--dump-dom", (out_dir / "index.html").as_uri()))
    assert dom.tables == written_page.tables and len(dom.tables) == 7
    assert [image["src"] for image in dom.images] == list(report.CHARTS.values())
    assert dom.elements["script"] == 0 and all(image.get("alt") for image in dom.images)

    probe_page = out_dir / "probe.html"
    probe_page.write_text((out_dir / "index.html").read_text().replace("</body>", PROBE + "\n</body>"))
    try:
        probed = chromium(tmp_path / "profile-probe", f"--window-size={WIDTH},2000", "--virtual-time-budget=2000",
                          "--dump-dom", probe_page.as_uri())
    finally:
        probe_page.unlink()
    [found] = [block for block in probed.split('<pre id="probe">')[1:]]
    probe = json.loads(html.unescape(found.split("</pre>")[0]))
    assert len(probe["images"]) == 3
    for image in probe["images"]:
        with Image.open(out_dir / image["src"]) as png:
            size = png.size
        assert image["complete"] and (image["naturalWidth"], image["naturalHeight"]) == size, image

    height = min(int(probe["height"]), 16000)
    shot = tmp_path / "shot.png"
    chromium(tmp_path / "profile-shot", f"--window-size={WIDTH},{height}", f"--screenshot={shot}",
             (out_dir / "index.html").as_uri())
    with Image.open(shot) as picture:
        screen = np.asarray(picture.convert("RGB"), dtype=float)
        colours = picture.convert("RGB").getcolors(maxcolors=1 << 24)
    assert screen.shape[1] == WIDTH and screen.shape[0] >= probe["images"][-1]["box"][1]
    assert len(colours) > 50, "the screenshot is blank"
    for image in probe["images"]:
        left, top, width, height = (round(value) for value in image["box"])
        painted = screen[top:top + height, left:left + width]
        with Image.open(out_dir / image["src"]) as png:
            expected = np.asarray(png.convert("RGB").resize((width, height)), dtype=float)
        assert painted.shape == expected.shape, image
        assert np.abs(painted - expected).mean() < 3, f"{image['src']} is not painted where the page puts it"


# --------------------------------------------------------------------------- on a real grading run

@pytest.mark.slow
def test_report_of_a_real_grading_run(course, tmp_path):
    """Graded for real, do the solution and the flipped kernel give a 50 % convolution pass rate and
    the mistake the checks named, with its catalogue hint?"""
    root = fresh_course(course, tmp_path / "course")
    students = [submissions.Sample(submissions.SOLUTION),
                next(s for s in submissions.all_samples() if s.name == "wrong-convolution-flipped-kernel")]
    submissions.write_submissions(students, root, assignments=["02_convolution"])
    failures, _ = autograde.autograde(root, students=[s.name for s in students], assignments_=["02_convolution"],
                                      progress=False)
    assert not failures

    page = Page(report.write_report(root, tmp_path / "out").read_text())
    [check] = page.table("Pass rate per check")
    assert (check["check (grade id)"], check["pass rate"]) == ("convolution", "50%")
    [mistake] = page.table("Catalogued mistakes")
    assert mistake["mistake"].endswith(" convolution-flipped-kernel")
    assert mistake["who"] == "wrong-convolution-flipped-kernel"
    assert mistake["hint"] == " ".join(mistakes.BY_ID["convolution-flipped-kernel"].hint.split())
    if (root / report.GRADING_LOG).exists():  # once autograde.autograde writes its log
        assert {r["student"] for r in page.table("The 2 slowest")} == {s.name for s in students}
    else:
        assert "No grading log" in (tmp_path / "out" / "index.html").read_text()
