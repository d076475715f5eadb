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
collect` runs as root: `collect` first copies each entry of the lesson into a stage only root can
reach, through file descriptors that follow no link, checking as it copies that the entry is a
plain tree of regular files and folders owned by the student it names; an entry that is not (a
symlink to the answer key, a FIFO that blocks collect for everyone, a folder named for another
student) is moved aside to <exchange>/<course>/quarantine/. nbgrader collect then copies from the
stage, so what a student changes between the check and the copy is never read (no TOCTOU), and
submitted/<student>/ becomes the instructor's alone (0700 folders, 0600 files).
"""

import argparse
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile

COURSEWORK = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(COURSEWORK)
sys.path.insert(0, COURSEWORK)
from release import COURSE_FILES  # noqa: E402 (what nbgrader loads from a course folder)
DEFAULT_EXCHANGE = "/srv/nbgrader/exchange"
MAX_ENTRY_BYTES = 60_000_000         # one student's hand-in (grade.py reads notebooks up to 50 MB)


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


def lesson_entries(exchange, course_id, lesson):
    """[(entry name, the student it names)] of `lesson` in the exchange's inbound folder."""
    inbound = os.path.join(exchange, course_id, "inbound")
    entries = []
    for name in sorted(os.listdir(inbound)) if os.path.isdir(inbound) else []:
        parts = name.rsplit("+", 3)
        if len(parts) >= 3 and parts[1] == lesson:
            entries.append((name, parts[0]))
    return entries


def stage_entry(path, student, dest):
    """Copy one inbound entry into `dest` (a folder only root can reach), checking each item as it
    is copied; '' when all of it was copied, else why not. Everything is read through file
    descriptors opened without following links, so what the student changes in the exchange after
    this (a file swapped for a link to the answer key) is never read: grading reads `dest`."""
    try:
        uid = pwd.getpwnam(student).pw_uid
    except KeyError:
        return f"named for {student}, who has no account here"
    try:
        folder = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return "not a folder"
    try:
        owner = os.fstat(folder).st_uid
        if owner != uid:
            return f"named for {student} but owned by {_account(owner)}"
        return _copy_tree(folder, uid, dest, "", [0])
    finally:
        os.close(folder)


def _copy_tree(folder, uid, dest, where, total):
    os.makedirs(dest, mode=0o700)
    for item in sorted(os.listdir(folder)):
        name = os.path.join(where, item)
        try:
            fd = os.open(item, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
        except OSError:                                 # a link (ELOOP), or gone
            return f"{name} is not a regular file"
        try:
            info = os.fstat(fd)
            if info.st_uid != uid:                      # a hard link to another account's file
                return f"{name} belongs to another account"
            if stat.S_ISDIR(info.st_mode):
                reason = _copy_tree(fd, uid, os.path.join(dest, item), name, total)
            elif not stat.S_ISREG(info.st_mode):        # a FIFO, a device, a socket
                return f"{name} is not a regular file"
            else:
                reason = _copy_file(fd, os.path.join(dest, item), name, total)
            if reason:
                return reason
        finally:
            os.close(fd)
    return ""


def _copy_file(fd, dest, name, total):
    with open(dest, "wb", opener=lambda path, flags: os.open(path, flags, 0o600)) as out:
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return ""
            total[0] += len(chunk)
            if total[0] > MAX_ENTRY_BYTES:
                return f"{name}: the submission is larger than {MAX_ENTRY_BYTES // 1_000_000} MB"
            out.write(chunk)


def _account(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


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
    """Stage and check the lesson's inbound entries, move aside what fails, run nbgrader collect
    from the stage (a root-only copy), make submitted/ private."""
    course = course_id(root)
    stage = tempfile.mkdtemp(prefix="nnlearn-collect-")          # 0700: root's alone
    try:
        inbound = os.path.join(stage, course, "inbound")
        os.makedirs(inbound)
        bad = {}
        for name, student in lesson_entries(exchange, course, lesson):
            reason = stage_entry(os.path.join(exchange, course, "inbound", name), student,
                                 os.path.join(inbound, name))
            if reason:
                bad[name] = reason
                shutil.rmtree(os.path.join(inbound, name), ignore_errors=True)
                log(f"not collected (moved to {os.path.join(exchange, course, 'quarantine')}): {name}: {reason}")
        quarantine(exchange, course, bad)
        code = nbgrader(["collect", lesson, f"--Exchange.root={stage}"], root)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
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
