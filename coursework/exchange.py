"""The course folder and nbgrader's exchange, with the checks nbgrader's exchange does not make.

    python exchange.py new /srv/nnlearn-course                  # a course folder outside this repository
    python exchange.py collect LESSON [--exchange DIR]          # from the course folder: checked collect
    python exchange.py release_feedback LESSON [--exchange DIR] # feedback of the exchange's students

A course folder holds what nbgrader and grade.py need (source/, hidden/, nbgrader_config.py and its
modules) and what grading writes (gradebook.db, submitted/, autograded/, feedback/): the answer key
and everyone's work. It belongs to the instructor (root on a grading machine) with mode 0700, and no
folder above it is writable by other accounts; `course_problems` says what is not so, and grade.py
refuses to start until it is.

nbgrader's exchange trusts the names and files students put in its inbound folder, and `nbgrader
collect` runs as root: `collect` first moves aside (to <exchange>/<course>/quarantine/) every entry
that is not a plain tree of regular files and folders owned by the student it names (a symlink to
the answer key, a FIFO that blocks collect for everyone, a folder named for another student), then
collects, then makes submitted/<student>/ the instructor's alone (0700 folders, 0600 files).
"""

import argparse
import os
import pwd
import shutil
import stat
import subprocess
import sys

COURSEWORK = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(COURSEWORK)
sys.path.insert(0, COURSEWORK)
from release import COURSE_FILES  # noqa: E402 (what nbgrader loads from a course folder)
DEFAULT_EXCHANGE = "/srv/nbgrader/exchange"


def _inside(path, folder):
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder + os.sep)


def new_course(folder):
    """Make `folder` a course folder (outside this repository, mode 0700) from coursework/."""
    if _inside(folder, REPO):
        raise SystemExit(f"{folder} is inside the repository: make the course folder elsewhere")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    for name in COURSE_FILES:
        shutil.copy(os.path.join(COURSEWORK, name), folder)
    for name in ("source", "hidden"):
        shutil.copytree(os.path.join(COURSEWORK, name), os.path.join(folder, name), dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return folder


def course_problems(root, allow_repository=False):
    """What makes `root` unsafe as a course folder, in words ([] when nothing)."""
    problems = []
    info = os.stat(root)
    if info.st_uid != os.geteuid():
        problems.append(f"{root} belongs to uid {info.st_uid}, not to the account grading (uid {os.geteuid()})")
    if info.st_mode & 0o077:
        problems.append(f"{root} has mode {stat.S_IMODE(info.st_mode):o}: other accounts can enter it "
                        f"(chmod 700 {root})")
    parent = os.path.dirname(os.path.realpath(root))
    while True:
        mode = os.stat(parent).st_mode
        if mode & 0o022 and not mode & stat.S_ISVTX:
            problems.append(f"{parent} is writable by other accounts: they could replace the course folder")
        if parent == os.path.dirname(parent):
            break
        parent = os.path.dirname(parent)
    if not allow_repository and _inside(root, REPO):
        problems.append(f"{root} is inside the repository: make a course folder elsewhere "
                        f"(python {os.path.join(COURSEWORK, 'exchange.py')} new DIR)")
    return problems


def inbound_problems(exchange, course_id, lesson):
    """{entry name: reason} for the inbound entries of `lesson` that collect must not copy."""
    inbound = os.path.join(exchange, course_id, "inbound")
    problems = {}
    for name in sorted(os.listdir(inbound)) if os.path.isdir(inbound) else []:
        parts = name.rsplit("+", 3)
        if len(parts) < 3 or parts[1] != lesson:
            continue
        student, path = parts[0], os.path.join(inbound, name)
        reason = _entry_problem(path, student)
        if reason:
            problems[name] = reason
    return problems


def _entry_problem(path, student):
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        return "not a folder"
    try:
        owner = pwd.getpwuid(info.st_uid).pw_name
    except KeyError:
        owner = f"uid {info.st_uid}"
    if owner != student:
        return f"named for {student} but owned by {owner}"
    for folder, dirs, files in os.walk(path):
        for item in dirs + files:
            entry = os.lstat(os.path.join(folder, item))
            if not (stat.S_ISREG(entry.st_mode) or stat.S_ISDIR(entry.st_mode)):
                return f"{os.path.relpath(os.path.join(folder, item), path)} is not a regular file"
            if entry.st_uid != info.st_uid:           # a hard link to another account's file
                return f"{os.path.relpath(os.path.join(folder, item), path)} belongs to another account"
    return ""


def quarantine(exchange, course_id, names):
    """Move inbound entries aside, into <exchange>/<course>/quarantine/ (root's alone)."""
    folder = os.path.join(exchange, course_id, "quarantine")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    for name in names:
        os.rename(os.path.join(exchange, course_id, "inbound", name), os.path.join(folder, name))


def make_private(root):
    """submitted/: folders 0700, files 0600 (the exchange's 0777 would let others replace them)."""
    top = os.path.join(root, "submitted")
    for folder, dirs, files in os.walk(top):
        os.chmod(folder, 0o700)
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, 0o600)


def course_id(root):
    from traitlets.config.loader import PyFileConfigLoader
    return PyFileConfigLoader("nbgrader_config.py", path=root).load_config().CourseDirectory.course_id


def nbgrader(args, root):
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root).returncode


def collect(lesson, root, exchange=DEFAULT_EXCHANGE, log=print):
    """Check the inbound folder, move aside what fails, run nbgrader collect, make submitted/ private."""
    course = course_id(root)
    bad = inbound_problems(exchange, course, lesson)
    for name, reason in bad.items():
        log(f"not collected (moved to {os.path.join(exchange, course, 'quarantine')}): {name}: {reason}")
    quarantine(exchange, course, bad)
    code = nbgrader(["collect", lesson, f"--Exchange.root={exchange}"], root)
    make_private(root)
    return code


def release_feedback(lesson, root, exchange=DEFAULT_EXCHANGE, log=print):
    """nbgrader release_feedback for the students who submitted through the exchange; the others
    (zip_collect: no submission_secret.txt) are listed, their feedback goes through the LMS."""
    folders = os.path.join(root, "feedback")
    lms = sorted(student for student in (os.listdir(folders) if os.path.isdir(folders) else [])
                 if os.path.isdir(os.path.join(folders, student, lesson))
                 and not os.path.isfile(os.path.join(folders, student, lesson, "submission_secret.txt")))
    for student in lms:
        log(f"{student}: no exchange submission; send feedback/{student}/{lesson}/ through the LMS")
    exclude = [f"--CourseDirectory.student_id_exclude={','.join(lms)}"] if lms else []
    return nbgrader(["release_feedback", lesson, f"--Exchange.root={exchange}", *exclude], root)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("new", "collect", "release_feedback"))
    parser.add_argument("target", help="the new course folder (new), or a lesson")
    parser.add_argument("--root", default=os.getcwd(), help="the course folder (default: this folder)")
    parser.add_argument("--exchange", default=DEFAULT_EXCHANGE, help=f"nbgrader's exchange (default {DEFAULT_EXCHANGE})")
    args = parser.parse_args(argv)
    if args.command == "new":
        print(f"course folder {new_course(args.target)} (mode 0700); run nbgrader and grade.py from there")
        return 0
    problems = course_problems(args.root)
    if problems:
        raise SystemExit("the course folder is not safe to use:\n  " + "\n  ".join(problems))
    run = collect if args.command == "collect" else release_feedback
    return run(args.target, args.root, args.exchange)


if __name__ == "__main__":
    sys.exit(main())
