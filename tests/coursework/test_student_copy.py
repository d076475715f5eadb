"""The student-facing copy holds the lessons and the package, and nothing of the answer key."""

import json
import os

import nbformat

from course import COURSEWORK, LESSONS, NOTEBOOKS, REPO, SOURCE, load, release

student_copy = load("nnlearn_student_copy", COURSEWORK / "student_copy.py")


def all_text(root):
    texts = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            try:
                texts[os.path.relpath(path, root)] = open(path, encoding="utf-8").read()
            except UnicodeDecodeError:
                pass
    return texts


def test_student_copy_has_the_lessons_and_package_and_no_solution_or_probe_line(tmp_path):
    dest = tmp_path / "class"
    files = student_copy.write(str(dest), binder_repo="my-org/my-class")
    for lesson in LESSONS:
        assert f"notebooks/{lesson}/{lesson}.ipynb" in files
    assert "nnlearn/__init__.py" in files and "requirements.txt" in files and "pyproject.toml" in files
    assert any(name.startswith("binder/") for name in files)
    assert not any(name.startswith(("coursework/", "tests/")) for name in files), files
    texts = all_text(dest)
    public = "\n".join(open(p).read() for p in sorted((REPO / "nnlearn").rglob("*.py")))
    secret = {line for line in student_copy.secret_lines() if len(line) >= 8 and line not in public}
    for lesson in LESSONS:                       # every solution line of every source is secret
        source = nbformat.read(SOURCE / lesson / f"{lesson}.ipynb", as_version=4)
        assert release.secret_lines(source, ("SOLUTION",)) <= student_copy.secret_lines()
    for name, text in texts.items():
        lines = ({line.strip() for cell in nbformat.reads(text, as_version=4).cells for line in cell.source.splitlines()}
                 if name.endswith(".ipynb") else {line.strip() for line in text.splitlines()})
        leaked = sorted(secret & lines)
        assert not leaked, f"{name} holds solution or probe lines: {leaked[:5]}"
        for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "from probes import", "Probe("):
            assert marker not in text, f"{name} holds {marker!r}"
    readme = texts["README.md"]
    assert "## For instructors" not in readme and "coursework/" not in readme
    assert "mybinder.org/v2/gh/my-org/my-class/" in readme and "gh/nnlearn/nnlearn" not in readme
    assert "tool.pytest" not in texts["pyproject.toml"]
    for lesson in LESSONS:                       # the copy's notebooks are the learner versions
        copied = json.loads(texts[f"notebooks/{lesson}/{lesson}.ipynb"])
        assert copied == json.loads((NOTEBOOKS / lesson / f"{lesson}.ipynb").read_text())


def test_readme_and_instructor_guide_say_the_repository_holds_the_answer_key():
    for path in (REPO / "README.md", COURSEWORK / "README.md"):
        text = path.read_text()
        assert "holds the answer key" in text, path
        assert "student_copy.py" in text, path
