"""Reading a submitted notebook and rebuilding it from the source (trusted code, in the coordinator).

A submission is hostile input: its size, its number of cells and the text of the student's own
cells are bounded before anything costly is done with it (nbgrader's autograde of 850,000 empty
cells would take longer than its timeout); cells that carry nothing of the student's (empty cells
they added) are dropped; everything else follows the source, cell by cell (see `rebuild`).
"""

import json
import os

import probes

SKIPPED = ("demo_", "check_", "hidden_")     # cells not run: demos, and the cells the verdicts fill
MAX_NOTEBOOK_BYTES = 50_000_000
MAX_CELLS = 2_000                            # cells in a submission, the lesson's own included
MAX_OWN_TEXT = 5_000_000                     # characters in the student's answers and own cells
MAX_REPAIRS = 20                             # repairs listed one by one in the report


def rebuild(path, source):
    """(clean notebook, repairs) from a submitted file, or raise ValueError with the reason.

    The clean notebook is made by trusted code from the source: its cells, in its order, with the
    student's text only in solution cells and in cells the student added (no outputs,
    attachments or metadata of theirs).
    """
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell
    from robust_grading import restore_cells

    if os.path.islink(path) or not os.path.isfile(path):
        raise ValueError("it is not a regular file (a link to another file is not a submission)")
    if os.path.getsize(path) > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"it is larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB")
    with open(path, "rb") as handle:
        raw = handle.read()
    if raw.count(b'"cell_type"') > MAX_CELLS:          # counted before parsing: bounded work
        raise ValueError(f"it has more than {MAX_CELLS} cells")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ValueError(f"not valid JSON ({type(error).__name__}: {str(error)[:120]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ValueError("it has no list of cells")
    if len(data["cells"]) > MAX_CELLS:
        raise ValueError(f"it has more than {MAX_CELLS} cells")
    repairs, cells, empty, own_text = [], [], 0, 0
    for number, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            repairs.append(f"dropped cell {number + 1}: not a notebook cell")
            continue
        text = cell.get("source", "")
        if isinstance(text, list) and all(isinstance(part, str) for part in text):
            text = "".join(text)
        if not isinstance(text, str):
            repairs.append(f"dropped cell {number + 1}: its source is not text")
            continue
        metadata = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        grading = metadata.get("nbgrader")
        if not text.strip() and not (isinstance(grading, dict) and grading.get("grade_id")):
            empty += 1                                     # an empty cell of the student's: nothing to keep
            continue
        own_text += len(text)
        if own_text > MAX_OWN_TEXT:
            raise ValueError(f"its cells hold more than {MAX_OWN_TEXT // 1_000_000} million characters")
        node = {"code": new_code_cell, "markdown": new_markdown_cell, "raw": new_raw_cell}[cell["cell_type"]](text)
        if isinstance(grading, dict) and isinstance(grading.get("grade_id"), str) and grading["grade_id"]:
            node.metadata["nbgrader"] = {key: value for key, value in grading.items()
                                         if key in ("grade", "solution", "locked", "points", "grade_id",
                                                    "task", "schema_version", "checksum")}
        elif "nbgrader" in metadata:
            repairs.append(f"dropped nbgrader metadata without a grade_id from cell {number + 1}")
        cells.append(node)
    if empty:
        repairs.append(f"dropped {empty} empty cells")
    submitted = new_notebook(cells=cells, metadata=source.metadata)
    repairs += restore_cells(submitted, source)
    if len(repairs) > MAX_REPAIRS:
        repairs[MAX_REPAIRS:] = [f"and {len(repairs) - MAX_REPAIRS} more repairs"]
    used = set()
    for number, cell in enumerate(submitted.cells):         # fresh, unique, stable cell ids
        gid = probes.grade_id(cell)
        cell_id = gid or f"student-{number}"
        while cell_id in used:
            cell_id += "-x"
        used.add(cell_id)
        cell["id"] = cell_id
        cell.pop("outputs", None) if cell.cell_type != "code" else cell.update(outputs=[], execution_count=None)
    nbformat.validate(submitted)
    return submitted, repairs


def student_view(nb):
    """The rebuilt notebook as the student may see it (what the sandbox gets): every cell without
    its hidden-test region, no nbgrader checksums. The cells it runs come separately."""
    import copy
    from robust_grading import _without_hidden_tests

    view = copy.deepcopy(nb)
    for cell in view.cells:
        if "BEGIN HIDDEN TESTS" in cell.source:
            cell.source = _without_hidden_tests(cell.source)
        cell.metadata.get("nbgrader", {}).pop("checksum", None)
    return view


def runnable_cells(nb):
    """[[index, label, source]] of the code cells a sandbox runs."""
    cells = []
    for index, cell in enumerate(nb.cells):
        gid = probes.grade_id(cell)
        if cell.cell_type == "code" and not gid.startswith(SKIPPED):
            cells.append([index, gid or f"your cell {index + 1}", cell.source])
    return cells
