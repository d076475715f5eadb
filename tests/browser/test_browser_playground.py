"""The playground in a real browser: as a Voila dashboard and in JupyterLab (headless Chromium).

It loads without a widget error; play advances frames and pause stops them; a control responds;
real clicks on the picture draw points (ipyevents) that land in the state; export downloads a file.
Screenshots go to test-artifacts/.
"""

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest

import browser_helpers as bh
import nnlearn as nl
from course import NOTEBOOKS, REPO
from nnlearn.playground import Config

pytestmark = pytest.mark.slow
ARTIFACTS = REPO / "test-artifacts"


def wait_for(url, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer in {seconds} s")


def start(command, url, log_name):
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / log_name, "w")
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        wait_for(url)
    except TimeoutError:
        process.kill()
        raise
    return process


def stop(process):
    os.killpg(process.pid, 9)
    process.wait(timeout=30)


def button(page, text):
    """The widget button whose whole label is `text` (not a file or menu entry that contains it)."""
    return page.locator("button.jupyter-button", has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")).first


def picture(page):
    return page.eval_on_selector(".widget-image", "img => img.src")


def state(page):
    return Config.from_string(page.locator(".widget-text", has_text="state").locator("input").input_value())


def where_on_the_picture(points):
    """Each plane point's place on the picture as fractions of its width and height (the same figure
    in this process: the page may show the picture at any size)."""
    app = nl.widgets.playground()
    height, width = app.view.figure.bbox.height, app.view.figure.bbox.width
    places = []
    for x1, x2 in points:
        column, up = app.view.ax_out.transData.transform((x1, x2))
        places.append((column / width, (height - up) / height))
    app.close()
    return places


def draw_with_clicks(page):
    """Choose the data set "drawn", click two points of each class on the picture, shift-click one
    away: the state holds the points where they were clicked (to the rounding of a screen pixel)."""
    page.locator(".widget-dropdown", has_text="data").locator("select").select_option("drawn")
    page.wait_for_function("() => [...document.querySelectorAll('.widget-html')]"
                           ".some(h => h.textContent.includes('Click on the output picture'))", timeout=30_000)
    plane = [(-3.0, 3.0, 0), (3.0, -3.0, 1), (2.0, 2.5, 0), (-2.0, -3.5, 1)]
    image = page.locator(".widget-image").first
    box = image.bounding_box()
    for (x1, x2, klass), (right, down) in zip(plane, where_on_the_picture([p[:2] for p in plane])):
        button(page, f"class {klass}").click()
        before = picture(page)
        image.click(position={"x": right * box["width"], "y": down * box["height"]})
        page.wait_for_function(f"() => document.querySelector('.widget-image').src !== {before!r}", timeout=30_000)
    deadline = time.monotonic() + 30
    while len(state(page).points) < len(plane) and time.monotonic() < deadline:
        time.sleep(0.2)
    drawn = state(page).points
    pixel = 12.0 / (0.3 * box["width"])                              # one screen pixel in plane units, generously
    assert len(drawn) == len(plane) and all(abs(a - b) <= 2 * pixel for p, q in zip(drawn, plane) for a, b in
                                            zip(p[:2], q[:2])) and [p[2] for p in drawn] == [q[2] for q in plane], drawn
    right, down = where_on_the_picture([plane[0][:2]])[0]
    image.click(position={"x": right * box["width"], "y": down * box["height"]}, modifiers=["Shift"])
    deadline = time.monotonic() + 30
    while len(state(page).points) != len(plane) - 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [p[2] for p in state(page).points] == [1, 0, 1], state(page).points


def exercise_the_app(page, name):
    """Play, pause, a control, export: the checks shared by Voila and Lab."""
    page.wait_for_selector(".widget-image", timeout=120_000)
    assert page.get_by_text("Error displaying widget").count() == 0
    button(page, "step").click()
    page.wait_for_function("() => [...document.querySelectorAll('.widget-html b')]"
                           ".some(b => b.textContent.trim() === 'epoch 1')", timeout=30_000)
    # play: the picture changes frame after frame
    seen, play = {picture(page)}, button(page, "play")
    play.click()
    deadline = time.monotonic() + 20
    while len(seen) < 4 and time.monotonic() < deadline:
        seen.add(picture(page))
        time.sleep(0.05)
    assert len(seen) >= 4, f"play showed {len(seen)} pictures in 20 s"
    button(page, "pause").click()
    time.sleep(2.0)                       # frames already on their way may still arrive
    paused = picture(page)
    time.sleep(1.5)
    assert picture(page) == paused, "pause did not stop the frames"
    # a control responds: the activation dropdown
    before = picture(page)
    page.locator(".widget-dropdown", has_text="activation").locator("select").select_option("relu")
    page.wait_for_function(f"() => document.querySelector('.widget-image').src !== {before!r}", timeout=30_000)
    draw_with_clicks(page)
    page.screenshot(path=str(ARTIFACTS / f"playground-{name}.png"), full_page=True)
    # export: four links; one downloads a file
    button(page, "export").click()
    link = page.get_by_role("link", name="playground.py")
    link.wait_for(timeout=30_000)
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    assert "nl.train_step" in open(path).read()


def test_the_playground_dashboard_in_voila(browser):
    port = bh.free_port()
    url = f"http://127.0.0.1:{port}/"
    process = start([sys.executable, "-m", "voila", str(NOTEBOOKS / "dashboard" / "playground.ipynb"),
                     "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
                     "--MappingKernelManager.cull_idle_timeout=120", "--VoilaExecutor.timeout=120",
                     "--VoilaConfiguration.extension_denylist=@jupyter/nbgrader"], url, "voila-playground.log")
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url, timeout=120_000)
        exercise_the_app(page, "voila")
        # no link on the page leads away from it (a lesson link replaced the app with "403: Forbidden")
        away = page.locator(".jp-RenderedMarkdown a[href]:not([download]):not([href^='#'])")
        assert away.count() == 0, [away.nth(i).get_attribute("href") for i in range(away.count())]
        assert not [e for e in errors if "fontawesome" not in e.lower()], errors
        page.close()
    finally:
        stop(process)


def test_the_playground_lesson_in_jupyterlab(browser, tmp_path):
    """The dashboard notebook in JupyterLab, set up as a learner's (binder's settings and JupyterLab
    defaults), opened and run with the helpers every other Lab test uses: they wait for the page's
    kernel to be idle before Run All, so the run does not race the kernel's first connection."""
    root = tmp_path / "root"
    shutil.copytree(NOTEBOOKS / "dashboard", root / "dashboard", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    server = bh.JupyterServer("lab", root, tmp_path / "jupyter")
    notebook = "dashboard/playground.ipynb"
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page.set_default_timeout(30_000)
        try:
            bh.open_notebook(page, server, notebook)
            bh.run_all_cells(page, expected=bh.code_cells_to_run(root / notebook))
            page.wait_for_selector(".widget-image", timeout=60_000)
            exercise_the_app(page, "lab")
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "playground-lab-failure.png"))
            print(f"jupyter lab log tail:\n{server.log()}")
            raise
        page.close()
    finally:
        server.stop()
