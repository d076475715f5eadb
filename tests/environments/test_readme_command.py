"""README's learner command opens the whole series: started exactly as README says (with a test
port, token and isolated Jupyter folders added), the server's root holds every lesson, each lesson
is fetched through the contents API, and the page it opens first is lesson 00.
"""

import json
import re
import shlex
import sys

import pytest

import browser_helpers as bh

LESSONS = sorted(path.parent.name for path in (bh.REPO / "notebooks").glob("[0-9][0-9]_*/*.ipynb"))


def learner_command():
    """The `jupyter lab ...` part of the command in README's "Start" section."""
    readme = (bh.REPO / "README.md").read_text()
    start = readme.split("## Start", 1)[1].split("\n## ", 1)[0]
    lines = [line.strip() for line in start.splitlines() if line.startswith("    ") and "jupyter lab" in line]
    assert len(lines) == 1, f"README's Start section should give one `jupyter lab` command, found {lines}"
    command = lines[0].split("&&")[-1].strip()
    words = shlex.split(command)
    assert words[:2] == ["jupyter", "lab"], command
    return words[2:]


def test_readme_command_is_parsed_from_the_start_section():
    args = learner_command()
    assert any(arg.endswith("00_learning_loop.ipynb") for arg in args), args


@pytest.mark.slow                          # starts a Jupyter server (10-30 s on a busy machine)
def test_readme_command_serves_every_lesson_and_opens_lesson_00(tmp_path):
    assert len(LESSONS) >= 8, LESSONS
    # `true %s` stands in for the web browser: the server still writes the page it would open.
    args = learner_command() + ["--ServerApp.open_browser=True", "--ServerApp.browser=true %s"]
    server = bh.JupyterServer("lab", bh.REPO, tmp_path / "jupyter", args=args, cwd=bh.REPO,
                              python=sys.executable)
    try:
        root = server.api("/api/contents/?content=1")
        served = {item["name"] for item in root["content"] if item["type"] == "directory"}
        missing = [lesson for lesson in LESSONS if lesson not in served]
        assert not missing, f"lessons not reachable from the server's root: {missing} (root has {sorted(served)})"
        for lesson in LESSONS:
            model = server.api(f"/api/contents/{lesson}/{lesson}.ipynb?content=1", timeout=30)
            assert model["type"] == "notebook", lesson
            assert model["content"]["cells"], f"{lesson} has no cells"
        opened = sorted(server.runtime_dir.glob("jpserver-file-to-run-*-open.html"))
        assert opened, f"the server opened no page; log:\n{server.log()}"
        page = opened[0].read_text()
        assert re.search(r"lab/tree/00_learning_loop/00_learning_loop\.ipynb", page), page[-600:]
    finally:
        server.stop()


def test_readme_command_sets_what_binder_sets():
    """The server settings in binder/jupyter_server_config.json (the kernel websocket protocol, see
    binder/postBuild) are in README's command too, so a learner's laptop runs as Binder does."""
    args = learner_command()
    missing = [flag for flag in bh.SERVER_SETTINGS if flag not in args]
    assert not missing, f"README's command lacks {missing}"
