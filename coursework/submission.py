"""Reading a submitted notebook and rebuilding it from the source (trusted code, in the coordinator).

A submission is hostile input: its size, its number of cells and the text of the student's own
cells are bounded before anything costly is done with it (nbgrader's autograde of 850,000 empty
cells would take longer than its timeout); cells that carry nothing of the student's (empty cells
they added) are dropped; everything else follows the source, cell by cell (see `rebuild`).
"""

import copy
import json
import os

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

import probes

SKIPPED = ("demo_", "check_", "hidden_")     # cells not run: demos, and the cells the verdicts fill
MAX_NOTEBOOK_BYTES = 50_000_000
MAX_CELLS = 2_000                            # cells in a submission, the lesson's own included
MAX_OWN_TEXT = 5_000_000                     # characters in the student's answers and own cells
MAX_REPAIRS = 20                             # repairs listed one by one in the report
GRADING_KEYS = ("grade", "solution", "locked", "points", "grade_id", "task")


def rebuild(path, source):
    """(clean notebook, repairs) from a submitted file, or raise ValueError with the reason.

    The clean notebook is made by trusted code from the source: its cells, in its order, with the
    student's text only in solution cells and in cells the student added (no outputs,
    attachments or metadata of theirs).
    """
    import nbformat

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
    from nbgrader.preprocessors import ClearHiddenTests

    view, _ = ClearHiddenTests().preprocess(copy.deepcopy(nb), {})
    for cell in view.cells:
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


# --- the cells of the source, by grade_id ---------------------------------------------------------

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
    wanted = [cell for cell in source.cells if probes.grade_id(cell)]
    known = {probes.grade_id(cell) for cell in wanted}
    seen = set()
    for cell in submitted.cells:
        gid = probes.grade_id(cell)
        if not gid:
            continue
        if gid not in known or gid in seen:
            del cell.metadata["nbgrader"]                        # not ours, or a duplicate
            changes.append(f"dropped grade_id {gid!r} from a learner-added cell")
            continue
        seen.add(gid)
    # the learner's own cells travel with the known cell they follow (None: before all of them)
    followers, found, current = {None: []}, {}, None
    for cell in submitted.cells:
        gid = probes.grade_id(cell)
        if not gid:
            followers[current].append(cell)
        else:
            found[gid] = cell
            current = gid
            followers[gid] = []
    order = [gid for gid in (probes.grade_id(cell) for cell in submitted.cells) if gid]
    used_ids = {cell.get("id") for cell in submitted.cells}
    cells = list(followers[None])
    for original in wanted:
        gid = probes.grade_id(original)
        cell = found.get(gid)
        if cell is None:
            text = released(original).source if is_solution(original) else original.source
            cell = _fresh_cell(original, text, used_ids)     # never the instructor's solution
            changes.append(f"re-inserted deleted cell {gid!r}")
        else:
            text = cell.get("source", "") if is_solution(original) else original.source
            if cell.cell_type != original.cell_type:
                changes.append(f"changed cell {gid!r} back from {cell.cell_type} to {original.cell_type}")
                cell = _fresh_cell(original, text, used_ids, keep_id=cell.get("id"))
            if cell.source != text:
                if cell.source.rstrip() != released(original).source.rstrip():  # not as released
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
    source_order = [probes.grade_id(cell) for cell in wanted if probes.grade_id(cell) in found]
    if order != source_order:
        moved = [gid for gid, expected in zip(order, source_order) if gid != expected]
        changes.append(f"put cells back in the source's order (moved: {', '.join(moved)})")
    submitted.cells = cells
    if log is not None:
        for change in changes:
            log.warning("restore_cells: %s", change)
    return changes


def _fresh_cell(original, text, used_ids, keep_id=None):
    maker = {"code": new_code_cell, "markdown": new_markdown_cell, "raw": new_raw_cell}
    cell = maker[original.cell_type](source=text)
    cell.metadata = copy.deepcopy(original.metadata)
    cell_id = keep_id or original.get("id") or probes.grade_id(original)
    while cell_id in used_ids and cell_id != keep_id:
        cell_id = f"{cell_id}-restored"
    cell["id"] = cell_id
    used_ids.add(cell_id)
    return cell


_RELEASE_STEPS = []


def released(cell):
    """A source cell as nbgrader releases it: a copy through its own ClearSolutions (each solution
    region becomes the code stub) and ClearHiddenTests (the hidden-test region removed)."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    if not _RELEASE_STEPS:
        _RELEASE_STEPS.extend((ClearSolutions(), ClearHiddenTests()))
    nb = new_notebook(cells=[copy.deepcopy(cell)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for step in _RELEASE_STEPS:
        nb, _ = step.preprocess(nb, {})
    return nb.cells[0]
