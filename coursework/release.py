"""Regenerate the learner notebooks (notebooks/) from the nbgrader sources (coursework/source/).

    python coursework/release.py            # rewrite notebooks/NN_topic/NN_topic.ipynb
    python coursework/release.py --check    # exit 1, listing the differences, if out of date

Runs `nbgrader generate_assignment` for every lesson on a temporary copy of the course (so the
instructor's gradebook and release/ folder are untouched), then makes each notebook what a learner
should open: no outputs, no execution counts, and the `raises-exception` tag on every check cell
(an unanswered exercise raises NotImplementedError there, and only there), and a first cell that
installs nnlearn in the browser edition (lite/: under Pyodide, `sys.platform == "emscripten"`) and
does nothing anywhere else, so one notebook serves a server and the browser. Files are written with
nbformat's stable JSON (sorted keys, one-space indent, a final newline), so regenerating gives
byte-identical files. Files the lesson's source folder holds besides the notebook (pictures,
data) are released beside it. A learner notebook whose source lesson is gone is removed.
"""

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

COURSEWORK = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(COURSEWORK)
LESSON_NAME = re.compile(r"^\d\d_\w+$")
COURSE_FILES = ("nbgrader_config.py", "robust_grading.py", "kernel_polling.py")   # what nbgrader loads
RAISES = "raises-exception"
CONFIG_FAILED = "Exception while loading config file"
# The browser edition's kernel (Pyodide) starts without nnlearn: `%pip` there is piplite, which
# installs from the site's own wheels. The magic is never run elsewhere (the sandboxed grader turns
# line magics into `pass`), and it is a magic rather than `await piplite.install(...)` because a
# top-level await does not compile as plain Python.
BROWSER_INSTALL_TAG = "browser-install"
BROWSER_INSTALL = """\
# In the browser edition (no server) this installs nnlearn from the site; elsewhere it does nothing.
import sys
if sys.platform == "emscripten":
    %pip install nnlearn[apps]"""


def lessons(source_dir):
    """Lesson folder names in source_dir: NN_topic holding NN_topic.ipynb, sorted."""
    if not os.path.isdir(source_dir):
        return []
    return sorted(name for name in os.listdir(source_dir)
                  if LESSON_NAME.match(name)
                  and os.path.isfile(os.path.join(source_dir, name, name + ".ipynb")))


def with_browser_install(nb):
    """Make the first cell the browser edition's install cell (BROWSER_INSTALL), once. In place."""
    import nbformat

    if not (nb.cells and BROWSER_INSTALL_TAG in nb.cells[0].metadata.get("tags", [])):
        nb.cells.insert(0, nbformat.v4.new_code_cell(BROWSER_INSTALL))
    cell = nb.cells[0]
    cell.source, cell.metadata = BROWSER_INSTALL, {"tags": [BROWSER_INSTALL_TAG]}
    cell.pop("id", None)                              # nbformat >= 4.5 ids: stable, made from the tag
    if nb.nbformat_minor >= 5:
        cell["id"] = BROWSER_INSTALL_TAG
    return nb


def learner_version(nb):
    """Strip outputs and execution counts; tag check cells `raises-exception`; add the browser
    install cell first. In place."""
    with_browser_install(nb)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith("check_"):
            tags = cell.metadata.get("tags", [])
            if RAISES not in tags:
                cell.metadata["tags"] = list(tags) + [RAISES]
    return nb


def secret_lines(source_nb, regions=("SOLUTION", "HIDDEN TESTS")):
    """Stripped non-blank lines between `### BEGIN <region>` and `### END <region>` markers of
    the source notebook that appear nowhere outside such markers: what must never be released."""
    secret, public = set(), set()
    for cell in source_nb.cells:
        inside = False
        for line in cell.source.splitlines():
            text = line.strip()
            if any(f"BEGIN {region}" in text for region in ("SOLUTION", "HIDDEN TESTS")):
                inside = any(f"BEGIN {region}" in text for region in regions)
                continue
            if any(f"END {region}" in text for region in ("SOLUTION", "HIDDEN TESTS")):
                inside = False
                continue
            if text:
                (secret if inside else public).add(text)
    return secret - public


def leaked_lines(source_nb, released_nb):
    """Secret lines of the source found, as whole lines, in the released notebook."""
    released = {line.strip() for cell in released_nb.cells for line in cell.source.splitlines()}
    return sorted(secret_lines(source_nb) & released)


def run_nbgrader(args, cwd, timeout=600):
    """Run `python -m nbgrader ARGS` in cwd; raise with its log when it fails."""
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd,
                            capture_output=True, text=True, timeout=timeout)
    output = result.stdout + result.stderr
    if result.returncode != 0 or CONFIG_FAILED in output:   # nbgrader goes on without its config
        raise RuntimeError(f"nbgrader {' '.join(args)} failed (exit {result.returncode}):\n"
                           + output[-8000:])
    return result


def build(source_dir=None, workdir=None):
    """Released lessons as {relative path under notebooks/: bytes}.

    `workdir`, when given, keeps the temporary course there (tests read its release/ folder).
    """
    import nbformat

    source_dir = source_dir or os.path.join(COURSEWORK, "source")
    names = lessons(source_dir)
    files = {}
    if not names:
        return files
    with tempfile.TemporaryDirectory(prefix="nnlearn-release-") as tmp:
        course = workdir or os.path.join(tmp, "course")
        os.makedirs(course, exist_ok=True)
        for name in COURSE_FILES:
            shutil.copy(os.path.join(COURSEWORK, name), course)
        shutil.copytree(source_dir, os.path.join(course, "source"), dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        run_nbgrader(["generate_assignment", "*", "--force"], cwd=course)
        for name in names:
            released = os.path.join(course, "release", name)
            for folder, dirs, filenames in os.walk(released):
                dirs[:] = sorted(d for d in dirs if d not in (".ipynb_checkpoints", "__pycache__"))
                for filename in sorted(filenames):
                    path = os.path.join(folder, filename)
                    relative = os.path.relpath(path, os.path.join(course, "release"))
                    if filename == name + ".ipynb" and folder == released:
                        nb = learner_version(nbformat.read(path, as_version=4))
                        source_nb = nbformat.read(os.path.join(source_dir, name, filename),
                                                  as_version=4)
                        leaked = leaked_lines(source_nb, nb)
                        if leaked:            # never expected from nbgrader; refuse to write
                            raise RuntimeError(f"{name}: the release still contains solution or "
                                               f"hidden-test lines: {leaked}")
                        text = nbformat.writes(nb)
                        files[relative] = (text if text.endswith("\n") else text + "\n").encode()
                    else:
                        with open(path, "rb") as handle:
                            files[relative] = handle.read()
    return files


def current(notebooks_dir):
    """What notebooks/ holds now, in the lesson folders: {relative path: bytes}."""
    files = {}
    if not os.path.isdir(notebooks_dir):
        return files
    for name in sorted(os.listdir(notebooks_dir)):
        lesson_dir = os.path.join(notebooks_dir, name)
        if not (LESSON_NAME.match(name) and os.path.isdir(lesson_dir)):
            continue
        for folder, dirs, filenames in os.walk(lesson_dir):
            dirs[:] = [d for d in dirs if d not in (".ipynb_checkpoints", "__pycache__")]
            for filename in filenames:
                path = os.path.join(folder, filename)
                with open(path, "rb") as handle:
                    files[os.path.relpath(path, notebooks_dir)] = handle.read()
    return files


def differences(expected, actual, max_lines=30):
    """Human-readable list of what differs between two {path: bytes} maps."""
    report = []
    for path in sorted(set(expected) | set(actual)):
        if path not in actual:
            report.append(f"missing: notebooks/{path}")
        elif path not in expected:
            report.append(f"not generated from any source (remove it): notebooks/{path}")
        elif expected[path] != actual[path]:
            report.append(f"out of date: notebooks/{path}")
            try:
                diff = difflib.unified_diff(actual[path].decode().splitlines(),
                                            expected[path].decode().splitlines(),
                                            "current", "regenerated", lineterm="", n=1)
                report.extend("    " + line for line in list(diff)[:max_lines])
            except UnicodeDecodeError:
                report.append("    (binary file differs)")
    return report


def write(files, notebooks_dir):
    """Make notebooks/ hold exactly `files` in its lesson folders. Returns the paths changed."""
    changed = []
    existing = current(notebooks_dir)
    for path, data in sorted(files.items()):
        if existing.get(path) != data:
            target = os.path.join(notebooks_dir, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(data)
            changed.append(path)
    for path in sorted(set(existing) - set(files)):
        os.remove(os.path.join(notebooks_dir, path))
        changed.append(path)
        folder = os.path.dirname(os.path.join(notebooks_dir, path))
        while folder != os.path.abspath(notebooks_dir) and not os.listdir(folder):
            os.rmdir(folder)
            folder = os.path.dirname(folder)
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 and list differences if notebooks/ is out of date")
    parser.add_argument("--source", default=os.path.join(COURSEWORK, "source"),
                        help="nbgrader source folder (default: coursework/source)")
    parser.add_argument("--notebooks", default=os.path.join(REPO, "notebooks"),
                        help="learner notebooks folder (default: notebooks)")
    args = parser.parse_args(argv)
    files = build(args.source)
    if args.check:
        report = differences(files, current(args.notebooks))
        if report:
            print("notebooks/ is out of date; run `python coursework/release.py`:")
            print("\n".join(report))
            return 1
        print(f"notebooks/ is up to date ({len(files)} files from {len(lessons(args.source))} lessons).")
        return 0
    changed = write(files, args.notebooks)
    print(f"{len(changed)} files changed in {args.notebooks}" + "".join(f"\n  {p}" for p in changed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
