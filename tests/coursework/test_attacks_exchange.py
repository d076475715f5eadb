"""Attacks through the course folder and nbgrader's exchange (issue 25), with students as Unix users.

The course folder must be the instructor's alone; what students put in the exchange's inbound
folder is copied into a root-only stage and checked there before `nbgrader collect` (running as root)
copies it from the stage: a symlink to the answer key, a FIFO, a folder named for another student are
moved aside, a file swapped for a link after the check is never read, everyone else is collected,
and submitted/ becomes private. Needs root and useradd; skips elsewhere.
"""

import os
import pwd
import shutil
import stat
import subprocess
import sys

import pytest

from course import COURSEWORK, SOURCE, load

exchange = load("nnlearn_exchange", COURSEWORK / "exchange.py")
LESSON = "00_learning_loop"
USERS = ("nlxada", "nlxeve")
pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("useradd"), reason="needs root and useradd")


@pytest.fixture(scope="module")
def users():
    for user in USERS:
        subprocess.run(["userdel", "-r", user], capture_output=True)
        subprocess.run(["useradd", "-m", "-s", "/bin/sh", user], check=True, capture_output=True)
    yield {user: pwd.getpwnam(user).pw_uid for user in USERS}
    for user in USERS:
        subprocess.run(["userdel", "-r", user], capture_output=True)


def test_a_course_folder_others_can_enter_or_inside_the_repository_is_refused(tmp_path):
    course = tmp_path / "course"
    course.mkdir(mode=0o755)
    os.chmod(course, 0o755)
    assert any("chmod 700" in p for p in exchange.course_problems(str(course)))
    os.chmod(course, 0o700)
    assert exchange.course_problems(str(course)) == []
    open_parent = tmp_path / "open"
    open_parent.mkdir()
    os.chmod(open_parent, 0o777)
    (open_parent / "course").mkdir(mode=0o700)
    assert any("writable by other accounts" in p for p in exchange.course_problems(str(open_parent / "course")))
    assert any("inside the repository" in p for p in exchange.course_problems(str(COURSEWORK)))
    grader = load("nnlearn_grade_refuses", COURSEWORK / "grade.py")
    with pytest.raises(SystemExit, match="not safe"):
        grader.main([LESSON, "--root", str(open_parent / "course")])


def entry(inbound, name, owner, content=None, link=None, fifo=False):
    folder = inbound / name
    folder.mkdir()
    (folder / "timestamp.txt").write_text(name.split("+")[2])
    path = folder / f"{LESSON}.ipynb"
    if link:
        os.symlink(link, path)
    elif fifo:
        os.mkfifo(path)
    else:
        path.write_text(content)
    for item in (folder, folder / "timestamp.txt", path):
        os.chown(item, owner, owner, follow_symlinks=False)


def test_collect_moves_aside_links_fifos_and_impersonation_and_makes_submissions_private(tmp_path, users):
    course = tmp_path / "course"
    exchange.new_course(str(course))
    assert stat.S_IMODE(os.stat(course).st_mode) == 0o700
    box = tmp_path / "exchange"
    inbound = box / "nnlearn" / "inbound"
    inbound.mkdir(parents=True)
    os.chmod(inbound, 0o733)
    honest = (SOURCE / LESSON / f"{LESSON}.ipynb").read_text().replace("BEGIN SOLUTION", "ada's own")
    ada, eve = users["nlxada"], users["nlxeve"]
    entry(inbound, f"nlxada+{LESSON}+2026-12-01 10:00:00.000000 UTC+a1", ada, honest)
    entry(inbound, f"nlxeve+{LESSON}+2026-12-01 10:00:00.000000 UTC+e1", eve,
          link=str(course / "source" / LESSON / f"{LESSON}.ipynb"))           # the answer key
    entry(inbound, f"nlxeve+{LESSON}+2026-12-01 11:00:00.000000 UTC+e2", eve, fifo=True)
    entry(inbound, f"nlxada+{LESSON}+2027-01-01 10:00:00.000000 UTC+e3", eve, "{}")   # eve posing as ada
    said = []
    code = exchange.collect(LESSON, str(course), str(box), log=said.append)
    assert code == 0, said
    assert len(os.listdir(box / "nnlearn" / "quarantine")) == 3, said
    assert "named for nlxada but owned by nlxeve" in "\n".join(said)
    assert "is not a regular file" in "\n".join(said)
    submitted = course / "submitted"
    assert sorted(os.listdir(submitted)) == ["nlxada"]
    assert "ada's own" in (submitted / "nlxada" / LESSON / f"{LESSON}.ipynb").read_text()
    for folder, dirs, files in os.walk(submitted):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder
        for name in files:
            assert stat.S_IMODE(os.stat(os.path.join(folder, name)).st_mode) == 0o600, name


def test_a_file_swapped_for_a_link_after_the_check_is_never_read(tmp_path, users, monkeypatch):
    """The TOCTOU between the check and nbgrader's copy: the student swaps their notebook for a link
    to the answer key once the check has passed. nbgrader collect copies from the root-only stage."""
    course = tmp_path / "course"
    exchange.new_course(str(course))
    box = tmp_path / "exchange"
    inbound = box / "nnlearn" / "inbound"
    inbound.mkdir(parents=True)
    name = f"nlxada+{LESSON}+2026-12-01 10:00:00.000000 UTC+a1"
    entry(inbound, name, users["nlxada"], "ada's own notebook")
    key = course / "source" / LESSON / f"{LESSON}.ipynb"
    real = exchange.nbgrader

    def swap_then_collect(args, root):
        notebook = inbound / name / f"{LESSON}.ipynb"
        notebook.unlink()
        os.symlink(key, notebook)                                      # after the check, before the copy
        return real(args, root)
    monkeypatch.setattr(exchange, "nbgrader", swap_then_collect)
    assert exchange.collect(LESSON, str(course), str(box), log=lambda _: None) == 0
    collected = course / "submitted" / "nlxada" / LESSON / f"{LESSON}.ipynb"
    assert not collected.is_symlink() and collected.read_text() == "ada's own notebook"


def test_a_hard_link_to_the_key_a_link_inside_a_subfolder_and_a_huge_hand_in_are_moved_aside(tmp_path, users):
    course = tmp_path / "course"
    exchange.new_course(str(course))
    box = tmp_path / "exchange"
    inbound = box / "nnlearn" / "inbound"
    inbound.mkdir(parents=True)
    ada = users["nlxada"]
    key = course / "source" / LESSON / f"{LESSON}.ipynb"
    hard = f"nlxada+{LESSON}+2026-12-01 10:00:00.000000 UTC+h"
    entry(inbound, hard, ada, "{}")
    os.link(key, inbound / hard / "key.ipynb")                            # the key's own inode (root's)
    nested = f"nlxada+{LESSON}+2026-12-01 11:00:00.000000 UTC+n"
    entry(inbound, nested, ada, "{}")
    (inbound / nested / "more").mkdir()
    os.symlink(key.parent, inbound / nested / "more" / "key")
    os.chown(inbound / nested / "more", ada, ada)
    huge = f"nlxada+{LESSON}+2026-12-01 12:00:00.000000 UTC+b"
    entry(inbound, huge, ada, "x" * (exchange.MAX_ENTRY_BYTES + 1))
    said = []
    assert exchange.collect(LESSON, str(course), str(box), log=said.append) == 0
    text = "\n".join(said)
    assert "key.ipynb belongs to another account" in text and "more/key is not a regular file" in text, text
    assert "larger than" in text, text
    assert len(os.listdir(box / "nnlearn" / "quarantine")) == 3
    assert not (course / "submitted").exists() or not os.listdir(course / "submitted")


def test_feedback_of_a_student_without_an_exchange_submission_does_not_stop_the_others(tmp_path):
    course = tmp_path / "course"
    exchange.new_course(str(course))
    box = tmp_path / "exchange"
    (box / "nnlearn" / "outbound").mkdir(parents=True)
    for student, secret in (("ada", "s3cret"), ("cy", None)):          # cy handed in through the LMS
        folder = course / "feedback" / student / LESSON
        folder.mkdir(parents=True)
        (folder / f"{LESSON}.html").write_text(f"<p>feedback of {student}</p>")
        (folder / "timestamp.txt").write_text("2026-12-01 10:00:00.000000 UTC")
        if secret:
            (folder / "submission_secret.txt").write_text(secret)
    said = []
    code = exchange.release_feedback(LESSON, str(course), str(box), log=said.append)
    assert code == 0
    released = [name for _, _, names in os.walk(box / "nnlearn" / "feedback") for name in names]
    assert len(released) == 1, released
    assert said == [f"cy: no exchange submission; send feedback/cy/{LESSON}/ through the LMS"]


def test_the_exchange_module_runs_as_a_command(tmp_path):
    done = subprocess.run([sys.executable, str(COURSEWORK / "exchange.py"), "new", str(tmp_path / "c")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and (tmp_path / "c" / "hidden" / f"{LESSON}.py").exists(), done.stderr
