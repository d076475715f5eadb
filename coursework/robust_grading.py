"""nbgrader preprocessors of the course; `nbgrader_config.py` installs them.

- `RestoreCells` (sanitising step of `nbgrader autograde`): puts every cell of the source
  notebook back that the submission lost, by `grade_id`, at its place in the source (a deleted
  answer cell comes back unanswered, never with the solution); resets the nbgrader metadata and
  cell type of every known cell, the source of every cell that is not a solution cell too, and
  the source's cell order (the learner's own cells travel with the cell they followed).
  grade.py runs the same repair (`restore_cells`) before anything else.
- `SkipDemoCells` (sanitising step): a demo cell (read-only, `grade_id` `demo_*`) is only there
  to be looked at; its code is replaced by a note in the graded copy.
- `TrustedVerdicts` (nbgrader's execute step, replaced): runs nothing; fills every cell from the
  verdicts file grade.py wrote after running the submission in a sandbox and judging it outside.
- `HideHiddenTestOutputs` (`nbgrader generate_feedback`): replaces the outputs of every hidden
  test cell with one line ("Hidden tests of `mse` failed: 0 of 2 points"). `ClearHiddenTests`
  runs after it and blanks the source.

Importing this module also applies the nbclient stall workaround (`patch_zmq_polling`, for
nbgrader commands that start kernels) and reads the gradebook schema version without a
subprocess (`patch_alembic_head`).
"""

import copy
import os

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output, new_raw_cell
from traitlets import Unicode

from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from kernel_polling import patch_zmq_polling

HIDDEN_PREFIX = "hidden_"
GRADING_KEYS = ("grade", "solution", "locked", "points", "grade_id", "task")


# --- patches: the nbclient stall, the gradebook's schema version ------------------------------

patch_zmq_polling()


def patch_alembic_head():
    """Read the gradebook schema version in process instead of in an `alembic heads` subprocess.

    nbgrader runs that subprocess whenever it creates a gradebook; it costs a second Python start
    (2-15 s on a busy machine) to read one string from the migration scripts shipped with
    nbgrader. Same answer, read directly. Idempotent.
    """
    import nbgrader.api

    if getattr(nbgrader.api.get_alembic_version, "_nnlearn_in_process", False):
        return

    def get_alembic_version():
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location",
                               os.path.join(os.path.dirname(nbgrader.api.__file__), "alembic"))
        return ScriptDirectory.from_config(config).get_current_head()

    get_alembic_version._nnlearn_in_process = True
    nbgrader.api.get_alembic_version = get_alembic_version


patch_alembic_head()


# --- the cells of the source notebook ----------------------------------------------------------

def grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_solution(cell):
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("solution", False))


def restore_cells(submitted, source, log=None):
    """Repair `submitted` (a notebook node, changed in place) against the `source` notebook.

    Every source cell with a `grade_id` is matched by that id; a missing one is put back. Each
    gets the source's cell type and nbgrader metadata, and its source text unless it is a
    solution cell (the learner's answer). They end up in the source's order; a cell the learner
    added travels with the source cell it followed. An unknown or repeated `grade_id` on a
    learner's cell is dropped, so that cell counts as the learner's own.
    Returns a list of human-readable changes.
    """
    changes = []
    wanted = [cell for cell in source.cells if grade_id(cell)]
    known = {grade_id(cell) for cell in wanted}
    seen = set()
    for cell in submitted.cells:
        gid = grade_id(cell)
        if gid is None:
            continue
        if gid not in known or gid in seen:
            del cell.metadata["nbgrader"]                        # not ours, or a duplicate
            changes.append(f"dropped grade_id {gid!r} from a learner-added cell")
            continue
        seen.add(gid)
    # the learner's own cells travel with the known cell they follow (None: before all of them)
    followers, found, current = {None: []}, {}, None
    for cell in submitted.cells:
        gid = grade_id(cell)
        if gid is None:
            followers[current].append(cell)
        else:
            found[gid] = cell
            current = gid
            followers[gid] = []
    order = [gid for gid in (grade_id(cell) for cell in submitted.cells) if gid is not None]
    used_ids = {cell.get("id") for cell in submitted.cells}
    cells = list(followers[None])
    for original in wanted:
        gid = grade_id(original)
        cell = found.get(gid)
        if cell is None:
            text = released_source(original.source) if is_solution(original) else original.source
            cell = _fresh_cell(original, text, used_ids)     # never the instructor's solution
            changes.append(f"re-inserted deleted cell {gid!r}")
        else:
            text = cell.get("source", "") if is_solution(original) else original.source
            if cell.cell_type != original.cell_type:
                changes.append(f"changed cell {gid!r} back from {cell.cell_type} to {original.cell_type}")
                cell = _fresh_cell(original, text, used_ids, keep_id=cell.get("id"))
            if cell.source != text:
                if cell.source.rstrip() != _without_hidden_tests(text).rstrip():  # not the stub
                    changes.append(f"restored the source of cell {gid!r}")
                cell.source = text
            metadata = cell.metadata.setdefault("nbgrader", {})
            expected = {key: original.metadata["nbgrader"].get(key) for key in GRADING_KEYS}
            if {key: metadata.get(key) for key in GRADING_KEYS} != expected:
                changes.append(f"restored the nbgrader metadata of cell {gid!r}")
                metadata.update(copy.deepcopy(original.metadata["nbgrader"]))
                for key in GRADING_KEYS:
                    if key not in original.metadata["nbgrader"]:
                        metadata.pop(key, None)
        cells.append(cell)
        cells.extend(followers.get(gid, []))
    source_order = [grade_id(cell) for cell in wanted if grade_id(cell) in found]
    if order != source_order:
        moved = [gid for gid, expected in zip(order, source_order) if gid != expected]
        changes.append(f"put cells back in the source's order (moved: {', '.join(moved)})")
    submitted.cells = cells
    if log is not None:
        for change in changes:
            log.warning("RestoreCells: %s", change)
    return changes


def released_source(text):
    """A solution cell as nbgrader releases it: each solution region becomes NotImplementedError."""
    kept, inside = [], False
    for line in text.splitlines():
        if "BEGIN SOLUTION" in line:
            inside = True
            kept.append(line[:len(line) - len(line.lstrip())] + "raise NotImplementedError()")
        elif "END SOLUTION" in line:
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


def _without_hidden_tests(text):
    """The source as nbgrader releases it: the hidden-test region removed."""
    kept, hidden = [], False
    for line in text.splitlines():
        if "BEGIN HIDDEN TESTS" in line:
            hidden = True
        elif "END HIDDEN TESTS" in line:
            hidden = False
        elif not hidden:
            kept.append(line)
    return "\n".join(kept)


def _fresh_cell(original, text, used_ids, keep_id=None):
    maker = {"code": new_code_cell, "markdown": new_markdown_cell, "raw": new_raw_cell}
    cell = maker[original.cell_type](source=text)
    cell.metadata = copy.deepcopy(original.metadata)
    cell_id = keep_id or original.get("id") or grade_id(original)
    while cell_id in used_ids and cell_id != keep_id:
        cell_id = f"{cell_id}-restored"
    cell["id"] = cell_id
    used_ids.add(cell_id)
    return cell


class RestoreCells(NbGraderPreprocessor):
    """Undo deleted, retyped and rewritten cells against the source notebook (see module doc)."""

    def preprocess(self, nb, resources):
        assignment = resources["nbgrader"]["assignment"]
        notebook = resources["nbgrader"]["notebook"]
        coursedir = CourseDirectory(config=self.config)
        path = os.path.join(coursedir.format_path(coursedir.source_directory, ".", assignment),
                            notebook + ".ipynb")
        if not os.path.exists(path):
            self.log.warning("RestoreCells: no source notebook %s; nothing restored", path)
            return nb, resources
        source = nbformat.read(path, as_version=4)
        restore_cells(nb, source, log=self.log)
        return nb, resources


class SkipDemoCells(NbGraderPreprocessor):
    """Replace the code of read-only `demo_*` cells (interactive apps) by a note while grading."""

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if (cell.cell_type == "code" and (grade_id(cell) or "").startswith("demo_")
                and meta.get("locked") and not meta.get("grade") and not meta.get("solution")):
            cell.source = "# An interactive demo: not run while grading."
        return cell, resources


# --- feedback without hidden tests ---------------------------------------------------------------

class HideHiddenTestOutputs(NbGraderPreprocessor):
    """Replace the outputs of hidden test cells with a one-line verdict naming the exercise.

    A hidden test cell is one whose grade_id starts with `hidden_` or whose source holds the
    hidden-test delimiter. Public check cells keep their outputs: they say which input failed.
    """

    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        nbgrader = cell.metadata.get("nbgrader", {})
        gid = nbgrader.get("grade_id") or ""
        if not (gid.startswith(HIDDEN_PREFIX) or self.begin_test_delimeter in cell.source):
            return cell, resources
        exercise = gid[len(HIDDEN_PREFIX):] if gid.startswith(HIDDEN_PREFIX) else gid
        points = nbgrader.get("points", 0)
        score = nbgrader.get("score")
        failed = any(output.output_type == "error" for output in cell.outputs)
        if failed:
            text = (f"Hidden tests of `{exercise}` failed: "
                    f"{_points(score if score is not None else 0)} of {_points(points)} points. "
                    "(Hidden tests and their messages are not shown; check the cases the exercise "
                    "describes that the public checks do not try.)\n")
        else:
            plural = "" if float(points) == 1 else "s"
            text = f"Hidden tests of `{exercise}` passed: {_points(points)} point{plural}.\n"
        cell.outputs = [new_output("stream", name="stdout", text=text)]
        return cell, resources


def _points(value):
    return f"{float(value):g}"


# --- reading scores --------------------------------------------------------------------------------

def read_scores(db_url, assignment):
    """{student: {"score", "max_score", "cells": {grade_id: (score, max_score)}, "flagged"}}."""
    scores = {}
    with Gradebook(db_url) as gradebook:
        for submission in gradebook.assignment_submissions(assignment):
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


# --- autograding from the trusted verdicts -----------------------------------------------------------

class TrustedVerdicts(NbGraderPreprocessor):
    """nbgrader's execute step, replaced: no code runs; outputs come from grade.py's verdicts.

    `python grade.py` runs every submission in a sandbox, judges its probe answers against the
    solutions' and writes a verdicts file (JSON, trusted), then runs `nbgrader autograde` with
    `--TrustedVerdicts.verdicts=FILE`. This preprocessor fills each code cell with the outputs the
    student's own code printed, each check_<x> cell with "public checks of x passed" or an error
    output, each hidden_<x> cell likewise, so nbgrader's own grading (an error output scores 0),
    SaveAutoGrades, feedback and export see the trusted verdicts. Without a verdicts file it
    refuses: bare `nbgrader autograde` would have to run student code unsandboxed.
    """

    verdicts = Unicode("", help="verdicts file written by coursework/grade.py").tag(config=True)

    def preprocess(self, nb, resources):
        if not self.verdicts or not os.path.exists(self.verdicts):
            raise RuntimeError("autograde with `python grade.py LESSON` (it runs each submission in a "
                               "sandbox and passes the verdicts); bare nbgrader autograde is disabled")
        import json
        info = resources["nbgrader"]
        with open(self.verdicts) as handle:
            table = json.load(handle)
        try:
            entry = table[info["assignment"]][info["student"]][info["notebook"]]
        except KeyError:
            raise RuntimeError(f"no verdicts for {info['student']} / {info['assignment']} / "
                               f"{info['notebook']}: grade it with grade.py") from None
        count = 0
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            gid = grade_id(cell) or ""
            cell.outputs = []
            cell.execution_count = None
            if gid in entry["graded"]:
                verdict = entry["graded"][gid]
                cell.outputs = [_verdict_output(verdict)]
            elif str(index) in entry["outputs"] and entry["sources"].get(str(index)) == _digest(cell.source):
                cell.outputs = [new_output(**output) for output in entry["outputs"][str(index)]]
            else:
                continue
            count += 1
            cell.execution_count = count
        return nb, resources


def _digest(text):
    import hashlib
    return hashlib.sha256(text.encode()).hexdigest()


def _verdict_output(verdict):
    """A verdict as a cell output: a line on stdout when passed, an error output when failed."""
    if verdict["passed"]:
        return new_output("stream", name="stdout", text=verdict["message"] + "\n")
    return new_output("error", ename=verdict["ename"], evalue=verdict["message"], traceback=[verdict["message"]])
