"""What grade.py does through nbgrader: its configuration, the lesson in the gradebook, one
`nbgrader autograde` over the rebuilt notebooks with the verdicts, the students and the scores.

Only the coordinator calls these; nbgrader executes no student code (TrustedVerdicts in
robust_grading.py fills the graded cells from the verdicts file).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile


def nbgrader(args, root, timeout, log_path):
    """Run `python -m nbgrader ARGS` in root, appending to the log; returns its exit code."""
    with open(log_path, "a") as log:
        log.write(f"\n$ nbgrader {' '.join(args)}\n")
        log.flush()
        try:
            return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, stdout=log,
                                  stderr=subprocess.STDOUT, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            log.write(f"\n[grade.py] nbgrader stopped after {timeout:.0f} s\n")
            return None


def check_config(root):
    """Load nbgrader_config.py as nbgrader will; it must install TrustedVerdicts."""
    from traitlets.config.loader import PyFileConfigLoader

    try:
        config = PyFileConfigLoader("nbgrader_config.py", path=root).load_config()
    except Exception as error:                            # noqa: BLE001 (report any reason)
        raise SystemExit(f"{os.path.join(root, 'nbgrader_config.py')} does not load: {error!r}")
    names = [getattr(p, "__name__", str(p)) for p in config.Autograde.get("autograde_preprocessors", [])]
    if "TrustedVerdicts" not in names:
        raise SystemExit(f"{os.path.join(root, 'nbgrader_config.py')} does not install TrustedVerdicts")


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
                current = {cell.metadata["nbgrader"]["grade_id"]: cell.source
                           for cell in nbformat.read(source_path, as_version=4).cells
                           if cell.metadata.get("nbgrader", {}).get("grade_id")
                           and not cell.metadata["nbgrader"].get("solution")}
                stale = any(stored.get(gid, source) != source for gid, source in current.items())
            except MissingEntry:
                stale = True
    if stale:
        log(f"{lesson}: running nbgrader generate_assignment {lesson} --force (new or changed source)")
        if nbgrader(["generate_assignment", lesson, "--force"], root, 600, log_path) != 0:
            raise SystemExit(f"nbgrader generate_assignment {lesson} failed; see {log_path}")


def write_to_gradebook(root, graded, log_path):
    """One nbgrader autograde over the rebuilt notebooks with the verdicts; autograded/ swapped in.

    graded: {(student, lesson): {"notebook": clean notebook, "name": file name, "folder": the
    submitted folder, "entry": verdicts-file entry}}. Returns the keys whose autograded notebook
    was written (an autograded/ folder is replaced only after its new version exists).
    """
    import nbformat

    work = tempfile.mkdtemp(prefix="nnlearn-autograde-")
    try:
        stage_in, stage_out = os.path.join(work, "submitted"), os.path.join(work, "autograded")
        table = {}
        for (student, lesson), item in graded.items():
            folder = os.path.join(stage_in, student, lesson)
            os.makedirs(folder)
            nbformat.write(item["notebook"], os.path.join(folder, item["name"]))
            for name in ("timestamp.txt", "submission_secret.txt"):     # nbgrader's own files
                path = os.path.join(item["folder"], name)
                if os.path.isfile(path) and not os.path.islink(path) and os.path.getsize(path) < 1000:
                    shutil.copy(path, folder)
            table.setdefault(lesson, {})[student] = {item["name"][:-len(".ipynb")]: item["entry"]}
        verdicts = os.path.join(work, "verdicts.json")
        with open(verdicts, "w") as handle:
            json.dump(table, handle)
        target = next(iter(table)) if len(table) == 1 else "*"
        nbgrader(["autograde", target, "--force", f"--CourseDirectory.submitted_directory={stage_in}",
                  f"--CourseDirectory.autograded_directory={stage_out}",
                  f"--TrustedVerdicts.verdicts={verdicts}"], root, 300 + 5 * len(graded), log_path)
        written = set()
        for (student, lesson), item in graded.items():
            new = os.path.join(stage_out, student, lesson)
            if not os.path.exists(os.path.join(new, item["name"])):
                continue
            target = os.path.join(root, "autograded", student, lesson)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            old = None
            if os.path.exists(target):
                old = target + f".old-{os.getpid()}"
                os.rename(target, old)
            shutil.move(new, target)
            if old:
                shutil.rmtree(old, ignore_errors=True)
            written.add((student, lesson))
        return written
    finally:
        shutil.rmtree(work, ignore_errors=True)


def add_students(root, students):
    """Students graded for the first time join the gradebook's student list (nbgrader export
    names them)."""
    from nbgrader.api import Gradebook
    with Gradebook("sqlite:///" + os.path.join(root, "gradebook.db")) as gradebook:
        known = {student.id for student in gradebook.students}
        for student in sorted(set(students) - known):
            gradebook.update_or_create_student(student)


def read_scores(root, lesson):
    """{student: {"score", "max_score", "cells": {grade_id: (score, max_score)}, "flagged"}} of a lesson."""
    from nbgrader.api import Gradebook
    db = os.path.join(root, "gradebook.db")
    if not os.path.exists(db):
        return {}
    scores = {}
    with Gradebook("sqlite:///" + db) as gradebook:
        for submission in gradebook.assignment_submissions(lesson):
            cells = {}
            flagged = []
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    cells[grade.name] = (grade.score, grade.max_score)
                    if grade.needs_manual_grade:
                        flagged.append(grade.name)
            scores[submission.student_id] = {
                "score": submission.score, "max_score": submission.max_score,
                "cells": cells, "flagged": flagged}
    return scores

