"""Write the student-facing copy of the course: what a class launches from, with no answer key.

    python coursework/student_copy.py DEST                       # a folder to publish (git init it)
    python coursework/student_copy.py DEST --binder-repo my-org/nnlearn-class
    python coursework/student_copy.py DEST --site SITE [--offline]   # and its browser edition

This repository holds the answer key: coursework/source/ has every solution, coursework/hidden/
every hidden test. Students must never be sent here. The copy holds the learner notebooks
(notebooks/, exercises blank), the nnlearn package, binder/, requirements.txt, pyproject.toml and
a README without the instructor and maintainer sections; no coursework/, no tests/, no
solutions, no probes. Binder links (and the browser edition's GitHub Pages links) are pointed at
--binder-repo (the copy's own repository). The copy keeps lite/ and the Pages workflow, so its
repository publishes its own browser edition; --site also builds that static site (from the copy,
so it holds only what the copy does) into SITE, to host anywhere.
It refuses to write when a solution or probe line of the course would end up in the copy.
"""

import argparse
import os
import re
import shutil
import sys

COURSEWORK = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(COURSEWORK)
sys.path.insert(0, COURSEWORK)

COPIED = ("notebooks", "nnlearn", "binder", "lite", ".github", "requirements.txt", "pyproject.toml", "LICENSE")
DROPPED_SECTIONS = ("For instructors", "For maintainers")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info")


def student_readme(text, binder_repo=None):
    """README.md without the instructor/maintainer sections and the test command."""
    parts = re.split(r"(?m)^(?=## )", text)
    kept = [part for part in parts if not any(part.startswith(f"## {title}") for title in DROPPED_SECTIONS)]
    text = "".join(kept)
    text = re.sub(r"\nTest \(installs what the tests need.*?python -m pytest\n", "\n", text, flags=re.S)
    if binder_repo:
        text = text.replace("mybinder.org/v2/gh/nnlearn/nnlearn/", f"mybinder.org/v2/gh/{binder_repo}/")
        owner, name = binder_repo.split("/")
        text = text.replace("https://nnlearn.github.io/nnlearn/", f"https://{owner.lower()}.github.io/{name}/")
    return text


def student_pyproject(text):
    """pyproject.toml without the test configuration (tests/ and coursework/ are not in the copy)."""
    return re.sub(r"(?ms)^\[tool\.pytest\.ini_options\].*?(?=^\[|\Z)", "", text)


def secret_lines():
    """Solution and hidden-test lines of every source, and every probe line: none may be copied."""
    import nbformat
    import release

    secret, public = set(), set()
    for lesson in release.lessons(os.path.join(COURSEWORK, "source")):
        source = nbformat.read(os.path.join(COURSEWORK, "source", lesson, f"{lesson}.ipynb"), as_version=4)
        lesson_secret = release.secret_lines(source)
        secret |= lesson_secret
        public |= {line.strip() for cell in source.cells for line in cell.source.splitlines()} - lesson_secret
    probes = set()
    hidden = os.path.join(COURSEWORK, "hidden")
    for name in sorted(os.listdir(hidden)) if os.path.isdir(hidden) else []:
        if name.endswith(".py"):
            with open(os.path.join(hidden, name)) as handle:
                probes |= {line.strip() for line in handle}
    return secret | (probes - public)         # PUBLIC probes repeat the public check cells


def leaks(dest, secret, public_text):
    """[(file, line)] of secret lines found in the copy, ignoring lines that are public anyway."""
    found = []
    secret = {line for line in secret if len(line) >= 8 and line not in public_text}
    for folder, _, files in os.walk(dest):
        for name in files:
            path = os.path.join(folder, name)
            try:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
            except (UnicodeDecodeError, OSError):
                continue
            lines = {line.strip() for line in text.splitlines()}
            if name.endswith(".ipynb"):
                import nbformat
                lines = {line.strip() for cell in nbformat.reads(text, as_version=4).cells
                         for line in cell.source.splitlines()}
            found += [(os.path.relpath(path, dest), line) for line in sorted(secret & lines)]
    return found


def write(dest, binder_repo=None):
    """Write the copy into dest (which must not exist or be empty); returns the files written."""
    if os.path.exists(dest) and os.listdir(dest):
        raise SystemExit(f"{dest} exists and is not empty")
    os.makedirs(dest, exist_ok=True)
    for name in COPIED:
        path = os.path.join(REPO, name)
        if os.path.isdir(path):
            shutil.copytree(path, os.path.join(dest, name), ignore=IGNORED)
        elif os.path.isfile(path):
            shutil.copy(path, dest)
    with open(os.path.join(REPO, "README.md")) as handle:
        readme = student_readme(handle.read(), binder_repo)
    with open(os.path.join(dest, "README.md"), "w") as handle:
        handle.write(readme)
    with open(os.path.join(dest, "pyproject.toml")) as handle:
        pyproject = student_pyproject(handle.read())
    with open(os.path.join(dest, "pyproject.toml"), "w") as handle:
        handle.write(pyproject)
    public = "\n".join(open(os.path.join(folder, name), encoding="utf-8", errors="replace").read()
                       for folder, _, files in os.walk(os.path.join(REPO, "nnlearn"))
                       for name in files if name.endswith(".py"))
    found = leaks(dest, secret_lines(), public)
    if found:
        shutil.rmtree(dest)
        raise SystemExit(f"refusing to publish: solution or probe lines in the copy: {found[:5]}")
    return sorted(os.path.relpath(os.path.join(folder, name), dest)
                  for folder, _, files in os.walk(dest) for name in files)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", help="folder to write (new or empty)")
    parser.add_argument("--binder-repo", help="owner/name of the copy's repository, for the Binder links")
    parser.add_argument("--site", help="also build the copy's browser edition (lite/build.py) into this folder")
    parser.add_argument("--offline", action="store_true", help="with --site: Pyodide's wheels from the mirror")
    args = parser.parse_args(argv)
    files = write(args.dest, args.binder_repo)
    if args.site:
        import subprocess
        subprocess.run([sys.executable, os.path.join(args.dest, "lite", "build.py"), os.path.abspath(args.site),
                        *(["--offline"] if args.offline else [])], check=True)
    print(f"wrote {len(files)} files to {args.dest}: no solutions, no hidden tests, no probes. "
          "Publish this folder (its own repository) and launch the class from it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
