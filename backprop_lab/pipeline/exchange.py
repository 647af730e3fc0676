"""nbgrader's exchange, collected with the grader's own record of when each submission arrived.

`nbgrader submit` puts a copy of the student's folder in the exchange as
inbound/STUDENT+ASSIGNMENT+TIMESTAMP+RANDOM/ with a timestamp.txt inside, and `nbgrader collect`
copies the newest by that TIMESTAMP into submitted/STUDENT/ASSIGNMENT/. The student's own process
wrote both times, and the student owns that folder: they say whatever the student wants. What the
student cannot set back is the inode change time (ctime) of what they put there, so the collect
here records the newest ctime in the folder (submission_times.tree_ctime), and grading uses that
(docs/jupyterhub.md).
"""
import logging
import os
from pathlib import Path

from nbgrader.exchange.default import ExchangeCollect

from backprop_lab import paths
from backprop_lab.pipeline import submission_times

SOURCE = "the newest change time (ctime) of its folder in the exchange's inbound/"


class TrustedTimeCollect(ExchangeCollect):
    """nbgrader's collect, which also records each collected submission's time in the exchange
    (submission-times.jsonl). Plain `nbgrader collect` uses it with
    c.ExchangeFactory.collect = "backprop_lab.pipeline.exchange.TrustedTimeCollect" in nbgrader_config.py."""

    def do_copy(self, src: str, dest: str, log: logging.Logger | None = None) -> None:
        before = submission_times.tree_ctime(src)
        super().do_copy(src, dest, log)
        changed = submission_times.tree_ctime(src)  # changed while being copied: the later time counts
        student = os.path.basename(src).rsplit("+", 3)[0]  # as nbgrader's _path_to_record reads it
        submission_times.record(self.coursedir.root, student, self.coursedir.assignment_id, time=max(before, changed),
                                source=SOURCE, origin=os.path.basename(src))


def collect(assignment: str, course_dir: str | os.PathLike[str] = paths.COURSE_DIR,
            exchange_root: str | os.PathLike[str] | None = None, update: bool = False) -> dict[str, bool | str]:
    """nbgrader collect of one assignment from the exchange into submitted/, recording trusted times.

    exchange_root: the exchange folder, instead of nbgrader_config.py's Exchange.root.
    update: replace a collected submission by a newer one (nbgrader deletes the older copy);
    by default a submission already in submitted/ is left as it is.
    -> nbgrader's result: {"success", "log", "error"}
    """
    from nbgrader.utils import capture_log, temp_attrs

    from backprop_lab.pipeline import nbgrader_api

    api = nbgrader_api.nbgrader_api(Path(course_dir))
    with temp_attrs(api.coursedir, assignment_id=assignment):
        app = TrustedTimeCollect(coursedir=api.coursedir, authenticator=api.authenticator, parent=api)
        if exchange_root is not None:
            app.root = str(exchange_root)
        app.update = update
        return capture_log(app)
