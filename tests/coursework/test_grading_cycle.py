"""The whole coursework cycle, with students as separate Unix users, through nbgrader's exchange.

instructor: release_assignment -> students (own uids, own homes): fetch_assignment, answer, submit
-> instructor: collect, zip_collect (an LMS download of a notebook saved in the browser edition),
`grade.py --feedback`, release_feedback,
export -> students: fetch_feedback. Lesson 00 (it has probes). The users are created by the test
and removed after it; it needs root, useradd and bubblewrap (CI has them) and skips elsewhere.
"""

import csv
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat
import pytest

from course import COURSEWORK, SOURCE, grade_id, release, without_story_runs

sys.path.insert(0, str(COURSEWORK))
import sandbox  # noqa: E402

LESSON = "00_learning_loop"
def max_points(lesson):
    """The lesson's full marks: the points of its autograded cells in the source."""
    nb = nbformat.read(SOURCE / lesson / f"{lesson}.ipynb", as_version=4)
    return sum(float(cell.metadata["nbgrader"].get("points", 0)) for cell in nb.cells
               if cell.metadata.get("nbgrader", {}).get("grade"))


STUDENTS = {"nlada": "solutions", "nlbo": "unanswered"}      # through the exchange
ZIPPED = "nlcy"                                               # through an LMS download
# What a learner of the browser edition (lite/) downloads: lesson 00 as JupyterLite saved it after
# Run All (Pyodide kernel metadata, the browser install cell run, outputs). nlcy answers in it.
BROWSER_SAVED = Path(__file__).parents[1] / "fixtures" / "browser_saved_00_learning_loop.ipynb"

reason = sandbox.sandbox_status() or ("" if shutil.which("useradd") else "useradd is not installed")
pytestmark = pytest.mark.skipif(bool(reason), reason=reason or "")


def closed_ancestor(path):
    """The first folder above path that other users cannot enter (e.g. /root), or None."""
    parts = os.path.realpath(path).split(os.sep)
    for end in range(2, len(parts)):
        folder = os.sep.join(parts[:end])
        if not os.stat(folder).st_mode & 0o001:
            return folder
    return None


def as_user(user, args, cwd):
    """Run args as the Unix user (its uid, gid, home). When the interpreter sits in a folder
    other users cannot enter (pyenv under /root), bubblewrap shows them just the interpreter."""
    entry = pwd.getpwnam(user)
    command = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups",
               *args]
    closed = closed_ancestor(sys.prefix)
    if closed:
        top = os.path.join(closed, os.path.relpath(os.path.realpath(sys.prefix), closed).split(os.sep)[0])
        command = [sandbox.BWRAP, "--dev-bind", "/", "/", "--tmpfs", closed,
                   "--ro-bind", top, top, "--"] + command
    env = {"PATH": "/usr/bin:/bin", "HOME": entry.pw_dir, "USER": user, "LANG": "C.UTF-8"}
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{user}: {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result


def nbgrader_as(user, args, exchange, cwd):
    return as_user(user, [sys.executable, "-m", "nbgrader", *args, f"--Exchange.root={exchange}",
                          "--CourseDirectory.course_id=nnlearn"], cwd)


def instructor(args, course, exchange):
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args, f"--Exchange.root={exchange}"],
                            cwd=course, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"nbgrader {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result


def course_command(args, course, exchange):
    """python exchange.py ARGS from the course folder (collect, release_feedback)."""
    result = subprocess.run([sys.executable, str(COURSEWORK / "exchange.py"), *args, "--exchange", exchange],
                            cwd=course, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"exchange.py {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result


def answered(path):
    """Write the source's solutions into a fetched notebook (what a good student does)."""
    source = nbformat.read(SOURCE / LESSON / f"{LESSON}.ipynb", as_version=4)
    answers = {grade_id(c): c.source for c in source.cells if grade_id(c).startswith("ex_")}
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    # A notebook saved from an earlier release (the browser fixture) lacks exercises added since:
    # the good student writes those too, after the cell that comes before them in the source.
    present = {grade_id(c) for c in nb.cells}
    previous = None
    for cell in source.cells:
        if grade_id(cell).startswith("ex_") and grade_id(cell) not in present:
            at = next((i + 1 for i, c in enumerate(nb.cells) if previous and grade_id(c) == previous), len(nb.cells))
            added = nbformat.v4.new_code_cell(cell.source, metadata=cell.metadata)
            nb.cells.insert(at, added)
        previous = grade_id(cell) if grade_id(cell) in present or grade_id(cell).startswith("ex_") else previous
    return nb


@pytest.fixture
def users():
    made = list(STUDENTS)
    for user in made:
        subprocess.run(["userdel", "-r", user], capture_output=True)
        subprocess.run(["useradd", "-m", "-s", "/bin/sh", user], check=True, capture_output=True)
    yield made
    for user in made:
        subprocess.run(["userdel", "-r", user], capture_output=True)


def test_release_fetch_submit_collect_grade_feedback_export_with_separate_users(tmp_path, users):
    (tmp_path / "src").mkdir()
    shutil.copytree(SOURCE / LESSON, tmp_path / "src" / LESSON)
    without_story_runs(tmp_path / "src" / LESSON / f"{LESSON}.ipynb")
    course = tmp_path / "course"
    release.build(str(tmp_path / "src"), workdir=str(course))       # generate_assignment
    os.chmod(course, 0o700)                                          # the instructor's alone
    exchange = tempfile.mkdtemp(prefix="nnlearn-exchange-")
    os.chmod(exchange, 0o777)
    try:
        instructor(["release_assignment", LESSON], course, exchange)
        for user, kind in STUDENTS.items():
            home = pwd.getpwnam(user).pw_dir
            nbgrader_as(user, ["fetch_assignment", LESSON], exchange, home)
            path = os.path.join(home, LESSON, f"{LESSON}.ipynb")
            assert os.stat(path).st_uid == pwd.getpwnam(user).pw_uid       # fetched as that user
            if kind == "solutions":
                entry = pwd.getpwnam(user)                        # the student writes it
                subprocess.run(["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}",
                                "--init-groups", "tee", path], input=nbformat.writes(answered(path)),
                               text=True, capture_output=True, check=True)
            nbgrader_as(user, ["submit", LESSON], exchange, home)
        course_command(["collect", LESSON], course, exchange)    # checks the inbound folder first
        # an LMS download of one more student, who worked in the browser edition: zip_collect with
        # nbgrader's default file names
        archive = course / "downloaded" / LESSON / "archive"
        archive.mkdir(parents=True)
        with zipfile.ZipFile(archive / "lms.zip", "w") as zipped:
            zipped.writestr(f"{LESSON}_{ZIPPED}_attempt_2026-12-01-10-00-00_{LESSON}.ipynb",
                            nbformat.writes(answered(BROWSER_SAVED)))
        instructor(["zip_collect", LESSON, "--force"], course, exchange)
        for student in [*STUDENTS, ZIPPED]:
            assert (course / "submitted" / student / LESSON / f"{LESSON}.ipynb").exists(), student

        result = subprocess.run([sys.executable, str(COURSEWORK / "grade.py"), LESSON, "--root", str(course),
                                 "--feedback", "--workers", "1"], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        full = max_points(LESSON)
        assert f"{LESSON}  nlada: {full:g}/{full:g}" in result.stdout, result.stdout
        assert f"{LESSON}  nlbo: 0/{full:g}" in result.stdout, result.stdout
        assert f"{LESSON}  {ZIPPED}: {full:g}/{full:g}" in result.stdout, result.stdout

        released = course_command(["release_feedback", LESSON], course, exchange)
        assert f"{ZIPPED}: no exchange submission" in released.stdout   # its feedback goes through the LMS
        for user, kind in STUDENTS.items():
            home = pwd.getpwnam(user).pw_dir
            nbgrader_as(user, ["fetch_feedback", LESSON], exchange, home)
            found = [os.path.join(folder, name) for folder, _, names in os.walk(os.path.join(home, LESSON, "feedback"))
                     for name in names if name.endswith(".html")]
            assert found, f"{user} got no feedback"
            text = open(found[0]).read()
            word = "passed" if kind == "solutions" else "failed"
            assert f"Hidden tests of `sgd_update` {word}" in text, user
            assert str(course) not in text

        instructor(["export"], course, exchange)
        rows = {row["student_id"]: float(row["score"]) for row in csv.DictReader(open(course / "grades.csv"))
                if row["assignment"] == LESSON}
        assert rows == {"nlada": float(full), "nlbo": 0.0, ZIPPED: float(full)}, rows
    finally:
        shutil.rmtree(exchange, ignore_errors=True)
