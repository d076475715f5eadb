"""Every app of every lesson, in JupyterLab in headless Chromium, at 1280x800 and 1024x768.

One Lab server serves a copy of all the learner notebooks; one page opens each lesson in turn and
runs it (Run All on the fresh kernel). Every app on the page (the `.nnlearn-app` box that
nnlearn.widgets.App draws) is found from the DOM, so new apps and controls are covered without
editing this file. For each app, at both window sizes (the same run, the viewport resized):
every slider track is at least 120 px wide, no label, readout, button or dropdown text is cut
(scrollWidth > clientWidth), no control overlaps its neighbour, and the controls, text and figure
fit inside the cell. Then every control is moved once as a learner would (arrow key on a slider,
next option, next toggle, a click) and the picture must change. A screenshot per app and size is
saved in test-artifacts/layout/ (one per size: a picture after the moves showed nothing the
assertions do not; a control that fails says which, with the app's message line).

This run of every learner lesson is also the suite's run of them: nbval leaves them out when this
file runs in the same session (root conftest.py, 3.).

Needs Debian's Chromium and Playwright's Python package (see browser_helpers.INSTALL_HINT).
"""

import shutil
import time

import pytest

import browser_helpers as bh

pytestmark = pytest.mark.slow

ARTIFACTS = bh.REPO / "test-artifacts" / "layout"
SIZES = [(1280, 800), (1024, 768)]
MIN_TRACK_PX = 120
LESSONS = sorted(path.relative_to(bh.notebooks_dir()) for path in bh.notebooks_dir().glob("[0-9][0-9]_*/*.ipynb")
                 if ".ipynb_checkpoints" not in path.parts)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """(server, page): one JupyterLab serving every lesson, one Chromium page reused for all."""
    why = bh.missing_browser()
    if why:
        pytest.skip(f"browser test needs Chromium and Playwright: {why}")
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("layout")
    root = tmp / "root"
    shutil.copytree(bh.notebooks_dir(), root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    server = bh.JupyterServer("lab", root, tmp / "jupyter")
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    try:
        with sync_playwright() as playwright:
            browser = bh.launch_browser(playwright)
            page = browser.new_page(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
            page.set_default_timeout(30_000)
            try:
                yield server, page
            finally:
                browser.close()
    finally:
        server.stop()


def check_app(page, app, stem):
    """Layout at every size, then every control moved once; returns the problems found."""
    problems = []
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        time.sleep(0.25)                      # let Lab re-lay the notebook out
        problems += [f"at {width}x{height}: {p}" for p in bh.layout_problems(app, MIN_TRACK_PX)]
        tall = app.bounding_box()["height"]
        if tall > height - 120:           # not a failure: a note for the app's author
            print(f"  note: {stem} is {tall:.0f} px tall, more than a {width}x{height} window shows")
        # A window tall enough for the whole cell, so the screenshot is not clipped by Lab's panel.
        page.set_viewport_size({"width": width, "height": max(height, int(tall) + 250)})
        time.sleep(0.3)
        bh.screenshot_cell(app, ARTIFACTS / f"{stem}-{width}.png")
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    time.sleep(0.3)
    controls = bh.app_controls(app)
    if not controls:
        problems.append("no control found")
    moved = []
    for kind, label, row in controls:
        before = bh.picture_src(app)
        row.scroll_into_view_if_needed()
        how = bh.move(page, kind, row)
        moved.append(f"{kind} \"{label}\" ({how})")
        if bh.wait_picture_change(app, before, timeout=30_000, settle=0.3) is None:
            problems.append(f"{moved[-1]}: the picture did not change; the app's message line: "
                            f"{bh.app_message(app)!r}; moved before it: {moved[:-1]}")
    if bh.widget_errors(page):                # an error box stays on the page: looked for once per app
        problems.append(f"a widget failed to display after the moves {moved}")
    return problems


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.parent.name for lesson in LESSONS])
def test_every_app_fits_and_answers_every_control(lab, lesson):
    server, page = lab
    watch = bh.PageWatch(page)
    started = time.monotonic()
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    bh.open_notebook(page, server, lesson)
    bh.run_all_cells(page, expected=bh.code_cells_to_run(server.root_dir / lesson))
    ran = time.monotonic() - started
    apps = bh.apps_on_page(page)
    report = {}
    try:
        assert apps, f"{lesson}: no app on the page after Run All"
        for index, app in enumerate(apps):
            name = bh.app_name(app)
            problems = check_app(page, app, f"{lesson.parent.name}-{index}-{name}")
            if problems:
                report[f"{index} {name}"] = problems
        assert not report, f"{lesson}: " + "\n".join(
            f"\n  {app}:\n    " + "\n    ".join(problems) for app, problems in report.items())
        assert bh.widget_errors(page) == 0, f"{lesson}: a widget failed to display"
        stderr = bh.unexpected_stderr(page)
        assert not stderr, f"{lesson}: stderr other than an exercise's NotImplementedError: {stderr}"
        assert watch.unexpected_page_errors() == [], f"errors thrown on the page: {watch.page_errors}"
    finally:
        print(f"{lesson.parent.name}: ran in {ran:.1f} s, {len(apps)} apps checked in "
              f"{time.monotonic() - started - ran:.1f} s")
        bh.shut_down_kernels(server)
