"""Autograde submitted lessons robustly; use it instead of bare `nbgrader autograde`.

    cd coursework
    python grade.py 02_loss_functions                  # every student's submission of a lesson
    python grade.py 02_loss_functions 03_backpropagation --feedback
    python grade.py 02_loss_functions --students ada,bo --timeout 30

What it adds to `nbgrader autograde LESSON --force`:
1. Validation: each submitted notebook is read first; one that is not a notebook (invalid JSON,
   a truncated upload) is reported as failed with the reason, and everyone else is still graded.
2. Repair, reported per student: deleted check/hidden/read-only cells are re-inserted by grade_id
   where the source has them, and changed cell types and rewritten cells are restored
   (`RestoreCells` in robust_grading.py, which nbgrader_config.py installs; this command lists what
   it will repair).
3. Bounded time: every cell has a time limit (`--timeout`, default from nbgrader_config.py); a
   cell that kills the kernel (os._exit) or cannot be interrupted costs only the tests that ran
   into it (`RestartingExecute`); the whole batch has a time limit, after which the submissions
   not yet graded are retried one by one, each with its own limit.
4. A report: score per student and per exercise, and anything that needs a person's look.

The gradebook, autograded/ and feedback/ are nbgrader's as usual (`nbgrader export` afterwards).
Exit status: 0 when every submission was graded, 1 when some could not be (they are listed).
"""

import argparse
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

COURSEWORK = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, COURSEWORK)

STUDENT_BUDGET = 300          # seconds one submission may take, kernel restarts included


def nbgrader(args, root, timeout, log_path):
    """Run `python -m nbgrader ARGS` in root, appending its log; returns (exit code, seconds).

    Exit code None means it ran out of time and was stopped (with the kernels it started).
    """
    start = time.monotonic()
    with open(log_path, "a") as log:
        log.write(f"\n$ nbgrader {' '.join(args)}\n")
        log.flush()
        offset = log.tell()
        process = subprocess.Popen([sys.executable, "-m", "nbgrader", *args], cwd=root,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)        # its own session: nbgrader and kernels
            process.wait()
            log.write(f"\n[grade.py] stopped after {timeout:.0f} s\n")
            code = None
    with open(log_path) as log:
        log.seek(offset)
        if "Exception while loading config file" in log.read():
            # nbgrader carries on with its defaults: no repairs, no restarts, hidden tests shown
            raise SystemExit(f"nbgrader could not load {os.path.join(root, 'nbgrader_config.py')}; "
                             f"nothing it did can be trusted. See {log_path}")
    return code, time.monotonic() - start


def check_config(root):
    """Load nbgrader_config.py as nbgrader will, so a broken one stops us before grading."""
    from traitlets.config.loader import PyFileConfigLoader

    try:
        config = PyFileConfigLoader("nbgrader_config.py", path=root).load_config()
    except Exception as error:                            # noqa: BLE001 (report any reason)
        raise SystemExit(f"{os.path.join(root, 'nbgrader_config.py')} does not load: {error!r}")
    names = [getattr(p, "__name__", str(p)) for p in config.Autograde.get("autograde_preprocessors", [])]
    if "RestartingExecute" not in names:
        raise SystemExit(f"{os.path.join(root, 'nbgrader_config.py')} does not install the robust "
                         "preprocessors (RestartingExecute, RestoreCells, HideHiddenTestOutputs)")


def find_submissions(root, lessons, students=None):
    """[(student, lesson, [notebook paths])] under root/submitted, sorted."""
    found = []
    for lesson in lessons:
        for folder in sorted(glob.glob(os.path.join(root, "submitted", "*", lesson))):
            student = os.path.basename(os.path.dirname(folder))
            if students and student not in students:
                continue
            found.append((student, lesson, sorted(glob.glob(os.path.join(folder, "*.ipynb")))))
    return found


def check_submission(paths, source_path):
    """(error or None, repairs): read each notebook; list what RestoreCells will undo."""
    import nbformat
    from robust_grading import restore_cells

    repairs = []
    if not paths:
        return "no notebook in the submission folder", repairs
    for path in paths:
        try:
            nb = nbformat.read(path, as_version=4)
            if not isinstance(nb.get("cells"), list):
                raise ValueError("it has no list of cells")
        except Exception as error:                       # noqa: BLE001 (report any reason)
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            return (f"{os.path.basename(path)} is not a readable notebook "
                    f"({type(error).__name__}: {reason[:200]})"), repairs
        if os.path.basename(path) == os.path.basename(source_path) and os.path.exists(source_path):
            repairs += restore_cells(nb, nbformat.read(source_path, as_version=4))
    return None, repairs


def ensure_generated(root, lesson, log_path, log):
    """Make sure the gradebook knows the lesson and its source cells are current."""
    import nbformat
    from nbgrader.api import Gradebook, MissingEntry

    source_path = os.path.join(root, "source", lesson, lesson + ".ipynb")
    if not os.path.exists(source_path):
        raise SystemExit(f"no lesson {lesson!r}: {source_path} does not exist")
    stale = True
    db = os.path.join(root, "gradebook.db")
    if os.path.exists(db):
        with Gradebook("sqlite:///" + db) as gradebook:
            try:
                stored = {cell.name: cell.source
                          for cell in gradebook.find_notebook(lesson, lesson).source_cells}
                current = {cell.metadata["nbgrader"]["grade_id"]: cell.source   # the stored
                           for cell in nbformat.read(source_path, as_version=4).cells  # solutions
                           if cell.metadata.get("nbgrader", {}).get("grade_id")        # are stubs
                           and not cell.metadata["nbgrader"].get("solution")}
                stale = any(stored.get(gid, source) != source for gid, source in current.items())
            except MissingEntry:
                stale = True
    if stale:
        log(f"{lesson}: not in the gradebook or its source changed: "
            f"running nbgrader generate_assignment {lesson} --force")
        code, _ = nbgrader(["generate_assignment", lesson, "--force"], root, 600, log_path)
        if code != 0:
            raise SystemExit(f"nbgrader generate_assignment {lesson} failed; see {log_path}")


def stage(root, batch, directory):
    """Copy the submissions of `batch` into directory/<student>/<lesson>/ for one nbgrader run.

    nbgrader grades whatever its submitted folder holds, so the staging folder holds exactly the
    readable submissions of this run; submitted/ itself is never changed.
    """
    shutil.rmtree(directory, ignore_errors=True)
    for student, lesson, _ in batch:
        shutil.copytree(os.path.join(root, "submitted", student, lesson),
                        os.path.join(directory, student, lesson))


def autograde(root, batch, timeout, budget, log_path, log):
    """Grade `batch` in one nbgrader run; retry one by one what it did not finish."""
    staging = tempfile.mkdtemp(prefix="nnlearn-grade-")
    extra = ["--force", f"--CourseDirectory.submitted_directory={staging}"]
    if timeout:
        extra.append(f"--Execute.timeout={timeout}")
    try:
        for student, lesson, _ in batch:          # --force would do it too, one at a time
            shutil.rmtree(os.path.join(root, "autograded", student, lesson), ignore_errors=True)
        stage(root, batch, staging)
        code, seconds = nbgrader(["autograde", "*", *extra], root, budget * len(batch) + 60, log_path)
        if code is None:
            log(f"the batch ran out of time after {seconds:.0f} s; grading the rest one by one")
        left = [item for item in batch if not graded(root, item)]
        if code is None:
            for item in left:
                stage(root, [item], staging)
                _, more = nbgrader(["autograde", "*", *extra], root, budget, log_path)
                seconds += more
        return seconds
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def graded(root, item):
    """Whether every notebook of the submission went through execution (nbgrader writes a
    sanitised copy, without execution counts, before it executes)."""
    import nbformat

    student, lesson, paths = item
    for path in paths:
        target = os.path.join(root, "autograded", student, lesson, os.path.basename(path))
        try:
            cells = nbformat.read(target, as_version=4).cells
        except Exception:                                 # noqa: BLE001 (missing or partial)
            return False
        if not any(cell.get("execution_count") for cell in cells if cell.cell_type == "code"):
            return False
    return True


def exercise_scores(cells):
    """{exercise: (score, max)} from {grade_id: (score, max)}: check_<x> and hidden_<x> add up."""
    totals = {}
    for grade_id, (score, max_score) in cells.items():
        name = grade_id.split("_", 1)[1] if grade_id.startswith(("check_", "hidden_")) else grade_id
        got, out_of = totals.get(name, (0.0, 0.0))
        totals[name] = (got + (score or 0.0), out_of + (max_score or 0.0))
    return totals


def kernel_notes(root, student, lesson):
    """Cells of the autograded notebook that timed out or stopped the kernel."""
    import nbformat

    notes = []
    for path in sorted(glob.glob(os.path.join(root, "autograded", student, lesson, "*.ipynb"))):
        for cell in nbformat.read(path, as_version=4).cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id", "a cell")
            for output in cell.get("outputs", []):
                if output.get("output_type") != "error":
                    continue
                if output.get("ename") == "KernelDied":
                    notes.append(f"{gid} stopped the kernel")
                elif output.get("ename") == "KernelStuck":
                    notes.append(f"{gid} could not be interrupted")
                elif output.get("ename") == "CellTimeoutError":
                    notes.append(f"{gid} ran out of time")
    return sorted(set(notes))


def grade(lessons, root=COURSEWORK, students=None, timeout=None, budget=STUDENT_BUDGET,
          feedback=False, log=print):
    """Grade every submission of `lessons`; returns a report dict (see the end of this function)."""
    from robust_grading import read_scores

    root = os.path.abspath(root)
    log_path = os.path.join(root, "grading.log")
    check_config(root)
    for lesson in lessons:
        ensure_generated(root, lesson, log_path, log)
    batch, failed, repairs = [], {}, {}
    for student, lesson, paths in find_submissions(root, lessons, students):
        source_path = os.path.join(root, "source", lesson, lesson + ".ipynb")
        error, changes = check_submission(paths, source_path)
        if error:
            failed[(student, lesson)] = error
        else:
            batch.append((student, lesson, paths))
            repairs[(student, lesson)] = changes
    seconds = autograde(root, batch, timeout, budget, log_path, log) if batch else 0.0
    results = {}
    for lesson in lessons:
        scores = read_scores("sqlite:///" + os.path.join(root, "gradebook.db"), lesson)
        for item in batch:
            student, item_lesson, _ = item
            if item_lesson != lesson:
                continue
            if not graded(root, item):
                failed[(student, lesson)] = (f"nbgrader could not grade it within {budget} s; "
                                             f"see {log_path}")
                continue
            entry = scores[student]
            results[(student, lesson)] = {
                "score": entry["score"], "max_score": entry["max_score"], "cells": entry["cells"],
                "exercises": exercise_scores(entry["cells"]), "flagged": entry["flagged"],
                "repairs": repairs[(student, lesson)], "notes": kernel_notes(root, student, lesson)}
    if feedback and results:
        graded_lessons = sorted({lesson for _, lesson in results})
        target = graded_lessons[0] if len(graded_lessons) == 1 else "*"
        code, _ = nbgrader(["generate_feedback", target, "--force"], root, 600, log_path)
        if code != 0:
            log(f"nbgrader generate_feedback {target} reported an error; see {log_path}")
    report = {"results": results, "failed": failed, "seconds": seconds,
              "seconds_per_submission": seconds / len(batch) if batch else 0.0}
    log(format_report(report))
    return report


def format_report(report):
    lines = []
    for (student, lesson), result in sorted(report["results"].items()):
        exercises = ", ".join(f"{name} {got:g}/{out_of:g}"
                              for name, (got, out_of) in sorted(result["exercises"].items()))
        lines.append(f"{lesson}  {student}: {result['score']:g}/{result['max_score']:g}  ({exercises})")
        for change in result["repairs"]:
            lines.append(f"    repaired: {change}")
        for note in result["notes"]:
            lines.append(f"    note: {note}")
        if result["flagged"]:
            lines.append(f"    needs manual grading: {', '.join(result['flagged'])}")
    for (student, lesson), reason in sorted(report["failed"].items()):
        lines.append(f"{lesson}  {student}: NOT GRADED: {reason}")
    graded_count = len(report["results"])
    lines.append(f"{graded_count} submissions graded in {report['seconds']:.0f} s "
                 f"({report['seconds_per_submission']:.1f} s each), {len(report['failed'])} not graded.")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="+", help="lesson names, e.g. 02_loss_functions")
    parser.add_argument("--students", help="comma-separated student ids (default: all)")
    parser.add_argument("--timeout", type=int, help="seconds per cell (default: nbgrader_config.py)")
    parser.add_argument("--budget", type=int, default=STUDENT_BUDGET,
                        help=f"seconds per submission in all (default {STUDENT_BUDGET})")
    parser.add_argument("--feedback", action="store_true", help="then run nbgrader generate_feedback")
    parser.add_argument("--root", default=COURSEWORK, help="course folder (default: this folder)")
    args = parser.parse_args(argv)
    students = set(args.students.split(",")) if args.students else None
    report = grade(args.lessons, root=args.root, students=students, timeout=args.timeout,
                   budget=args.budget, feedback=args.feedback)
    return 1 if report["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
