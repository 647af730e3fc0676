"""The gradebook on a real PostgreSQL server that this test starts (Debian's `postgresql` package):
release, parallel grading by two workers, the grade table and the class report, all through
nbgrader's db_url."""
import dataclasses
import glob
import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

import pytest
from test_report import Page  # the report tests' parser: tables as the browser shows them

from backprop_lab import paths
from backprop_lab.authoring import build, submissions
from backprop_lab.pipeline import autograde, nbgrader_api
from backprop_lab.results import gradebook, report

pytestmark = pytest.mark.slow

ASSIGNMENT = "02_convolution"


def _as_postgres(command, **kwargs):
    """Run a PostgreSQL tool as the postgres user when we are root (the server refuses root)."""
    user = "postgres" if os.geteuid() == 0 else None
    return subprocess.run(command, check=True, capture_output=True, text=True, user=user, **kwargs)


@pytest.fixture(scope="module")
def postgres_url():
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not bins:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql; `make test` does it as root)")
    pytest.importorskip("psycopg")
    bindir = os.path.dirname(bins[-1])
    # Not under pytest's tmp folder: that is root-only, and the server runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="backprop-lab-postgres-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(sockets, "postgres")
    _as_postgres([f"{bindir}/initdb", "-D", str(data), "-U", "postgres", "--auth=trust"])
    port = "54329"
    _as_postgres([f"{bindir}/pg_ctl", "-D", str(data), "-w", "-l", str(folder / "server.log"), "-o",
                  f"-k {sockets} -p {port} -c listen_addresses=''", "start"])
    try:
        _as_postgres([f"{bindir}/createdb", "-h", str(sockets), "-p", port, "-U", "postgres", "course"])
        yield f"postgresql://postgres@/course?host={sockets}&port={port}"
    finally:
        _as_postgres([f"{bindir}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


def test_the_gradebook_can_live_in_postgresql(postgres_url, tmp_path, monkeypatch):
    """With BACKPROP_LAB_DB_URL pointing at PostgreSQL, do release, two grading workers, the
    grade table and the class report all use it (and no SQLite gradebook appears)?"""
    monkeypatch.setenv("BACKPROP_LAB_DB_URL", postgres_url)
    build.build_source(source_dir=tmp_path / "source")
    nbgrader_api.release(tmp_path)
    mix = [s for s in submissions.all_samples()
           if s.name in (submissions.SOLUTION, submissions.BLANK, "wrong-convolution-flipped-kernel", "correct-loops")]
    students = [dataclasses.replace(sample, name=f"pg-{i}-{sample.name}") for i, sample in enumerate(mix * 2)]
    submissions.write_submissions(students, tmp_path, assignments=[ASSIGNMENT])

    failures, _ = autograde.autograde(tmp_path, assignments_=[ASSIGNMENT], progress=False, workers=2)
    assert not failures, failures
    scores = gradebook.scores(tmp_path)
    expected = {s.name: 3.0 if "solution" in s.name or "correct" in s.name else 0.0 for s in students}
    assert {s.name: scores[(s.name, ASSIGNMENT)]["convolution"][0] for s in students} == expected

    # The report reads the same PostgreSQL gradebook, and its statistics follow the expected scores.
    index = report.write_report(tmp_path, tmp_path / "reports")
    assert report.gradebook_scores(paths.Course(tmp_path).gradebook_url()) == scores
    points, mean = max(expected.values()), statistics.fmean(expected.values())
    full, zero = sum(score == points for score in expected.values()), sum(score == 0 for score in expected.values())
    [part] = report.part_stats(scores, report.part_order(tmp_path))
    assert (part.assignment, part.part, part.points, part.submissions, part.full, part.partial, part.zero) == (
        ASSIGNMENT, "convolution", points, len(students), full, len(students) - full - zero, zero)
    assert part.mean == pytest.approx(mean)

    # ... and the written page shows them.
    page = Page(index.read_text(encoding="utf-8"))
    [summary] = page.table("Submissions and totals per assignment")
    assert (summary["assignment"], summary["graded submissions"], summary["points"], summary["mean total"],
            summary["failed to grade (last run)"]) == (ASSIGNMENT, str(len(students)), f"{points:g}", f"{mean:.2f}",
                                                       str(len(failures)))
    [row] = page.table("Scores per graded part")
    assert (row["part (grade id)"], row["submissions"], row["mean score"], row["full marks"], row["zero"]) == (
        "convolution", str(len(students)), f"{mean:.2f}", str(full), str(zero))
    assert not (tmp_path / "gradebook.db").exists()
