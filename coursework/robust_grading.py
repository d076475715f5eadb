"""nbgrader preprocessors of the course; `nbgrader_config.py` installs them.

nbgrader autograde only ever sees notebooks grade.py rebuilt from the source (submission.py); its
own `OverwriteCells` (with `add_missing_cells`) is the repair step of its sanitising pipeline.

- `SkipDemoCells` (sanitising step): a demo cell (read-only, `grade_id` `demo_*`) is only there
  to be looked at; its code is replaced by a note in the graded copy.
- `TrustedVerdicts` (nbgrader's execute step, replaced): runs nothing; fills every cell from the
  verdicts file grade.py wrote after running the submission in a sandbox and judging it outside.
- `OneLevelExtractor` (`nbgrader zip_collect`): extracts the LMS's archives, not archives inside
  them, and skips an archive it cannot extract safely instead of stopping.
- `HideHiddenTestOutputs` (`nbgrader generate_feedback`): replaces the outputs of every hidden
  test cell with one line ("Hidden tests of `mse` failed: 0 of 2 points"). `ClearHiddenTests`
  runs after it and blanks the source.

Importing this module also applies the nbclient stall workaround (`patch_zmq_polling`, for
nbgrader commands that start kernels) and reads the gradebook schema version without a
subprocess (`patch_alembic_head`).
"""

import os
import shutil

from nbformat.v4 import new_output
from traitlets import Unicode

from nbgrader.plugins import ExtractorPlugin
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import unzip

from kernel_polling import patch_zmq_polling

HIDDEN_PREFIX = "hidden_"


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


# --- an LMS download: one bad archive stops nobody else -------------------------------------------

class OneLevelExtractor(ExtractorPlugin):
    """nbgrader zip_collect's extractor, each archive on its own and one level deep.

    nbgrader's own extracts archives inside archives (`tree=True`), and a member whose name climbs
    out of the folder (`../../x`) raises and stops zip_collect for the whole class: one student
    uploading such an archive as their notebook would do it. Here the LMS's archives are
    extracted (a student's uploaded archive stays a file, which names no notebook and is not
    collected), and an archive that cannot be extracted safely is skipped with its reason.
    Links in an archive are not extracted (setuptools' unpack_archive, which nbgrader uses).
    """

    def extract(self, archive_path, extracted_path):
        for root, _, names in os.walk(archive_path):
            extract_to = os.path.normpath(os.path.join(extracted_path, os.path.relpath(root, archive_path)))
            os.makedirs(extract_to, exist_ok=True)
            for name in names:
                path = os.path.join(root, name)
                if os.path.splitext(name)[1] not in self.zip_ext:
                    shutil.copy(path, os.path.join(extract_to, name))
                    continue
                try:
                    unzip(path, extract_to, zip_ext=self.zip_ext, create_own_folder=True, tree=False)
                except Exception as error:                # UnsafeMember, a corrupt archive, ...
                    self.log.error("Skipped archive %s: %s", path, error)


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
