"""The demo's scratch course, demo/: the sample students it grades, the steps it runs there, and
the folder itself, checked to be the demo's and rebuilt on every run (cli.step_demo runs it)."""
import shutil
import time

from backprop_lab import paths

# The sample submissions the demo grades: full marks, zero, and three realistic mistakes.
DEMO_STUDENTS = ["instructor-solution", "blank-release",
                 "wrong-gradient-forgot-one-over-m", "wrong-cost-regularised-biases", "wrong-convolution-flipped-kernel"]
# The demo's own course folder, inside the course folder (gitignored): rebuilt on every run, so
# the course's submitted/, gradebook and grades are never the demo's. The marker, written first,
# says a folder is the demo's and may be wiped.
DEMO_DIR = "demo"
DEMO_MARKER = ".backprop-lab-demo"
# The steps the demo runs there, each as `python -m backprop_lab STEP` with demo/ as the course
# directory; without the first three nothing after them can run.
DEMO_STEPS = ["source", "release", "submissions", "autograde", "feedback", "grades", "report"]
DEMO_PREREQUISITES = {"source", "release", "submissions"}


def timed(name, run):
    """run() under a `== name ==` heading, followed by its time. -> what run returned"""
    started = time.perf_counter()
    print(f"\n== {name} ==", flush=True)  # flushed: a step run as a subprocess prints straight to our stdout
    result = run()
    print(f"({name}: {time.perf_counter() - started:.1f} s)", flush=True)
    return result


def demo_folder_problem(demo):
    """Why the folder demo/ is not the demo's own, so that it must not be wiped; None when it is
    the demo's (its marker, and only sample students in submitted/), empty or absent."""
    from backprop_lab.authoring import submissions
    if not demo.exists() and not demo.is_symlink():
        return None
    if demo.is_symlink() or not demo.is_dir():
        return f"{demo} is a link or not a folder"
    if not any(demo.iterdir()):
        return None
    marker = demo / DEMO_MARKER
    if marker.is_symlink() or not marker.is_file():
        return f"{demo} is not the demo's folder (it has no {DEMO_MARKER})"
    submitted = paths.Course(demo).submitted
    for folder in sorted(submitted.iterdir()) if submitted.is_dir() and not submitted.is_symlink() else []:
        if folder.is_symlink() or not folder.is_dir() or submissions.foreign_files(folder):
            return f"{folder} is not a sample student the demo wrote"
    return None


def fresh_demo_course(demo):
    """Wipe demo/ (check demo_folder_problem first) and build a course there: the marker, copies of
    notebooks/, samples/, nbgrader_config.py, and of the built data/ and images/."""
    if demo.exists():
        shutil.rmtree(demo)
    demo.mkdir()
    (demo / DEMO_MARKER).write_text("This folder is `make demo`'s scratch course: the next demo deletes and "
                                    "rebuilds it. Keep nothing of yours here.\n")
    for source, target in [(paths.NOTEBOOKS, paths.Course(demo).notebooks), (paths.COURSE_DIR / "samples", demo / "samples"),
                           (paths.DATA, demo / "data"), (paths.IMAGES, demo / "images")]:
        shutil.copytree(source, target)
    shutil.copy(paths.COURSE_DIR / "nbgrader_config.py", demo)
