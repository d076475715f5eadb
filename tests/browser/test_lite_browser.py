"""The browser edition (lite/) in headless Chromium, built offline and served on 127.0.0.1.

Every lesson opens in JupyterLite, Run All runs every cell (past an unanswered exercise's check,
tagged `raises-exception`) with no error but that NotImplementedError, and each app on the page
draws a new picture when its first control moves by a key press (after the run, as a learner
does); the playground page (voici) plays frames. Every request that would leave
127.0.0.1 is aborted and counted: none is allowed. One browser serves all lessons (the site's
files are cached after the first, as for a learner). Times: benchmarks/bench_lite.py.
"""

import os
import shutil

import pytest

import browser_helpers as bh
import lite_site

# README's command runs the smallest form (NNLEARN_LITE_TESTS unset or =ci): lesson 00 and the
# playground page (about 1.5-2.5 min on 2 cores: the build for this checkout, the install cell, Run All
# past a check, a key press on a slider, play, no outside request). NNLEARN_LITE_TESTS=1 runs every
# lesson (1-2.5 min each); =0 leaves the browser edition out. The build fetches ~110 MB of Pyodide
# from the package registries once (cached outside the repository, lite/build.py), and needs npm.
MODE = os.environ.get("NNLEARN_LITE_TESTS", "ci")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(MODE not in ("1", "ci"),
                                 reason="NNLEARN_LITE_TESTS=0 leaves the browser edition's tests out")]


@pytest.fixture(scope="module")
def site():
    if shutil.which("npm") is None:
        pytest.skip("the browser edition's build needs npm (it fetches Pyodide's core): apt-get install npm")
    return lite_site.built_site()


@pytest.fixture(scope="module")
def server(site):
    server = lite_site.StaticServer(site)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def context():
    if bh.missing_browser():
        pytest.skip(bh.missing_browser())
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = bh.launch_browser(playwright)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        context.outside = lite_site.Outside(context)
        yield context
        browser.close()


LESSONS = lite_site.lessons()[:1] if MODE == "ci" else lite_site.lessons()


def move_each_app(page):
    """Move each app's first control once; the apps whose picture did not change."""
    still = []
    for app, kind, row in lite_site.main_controls(page):
        before = bh.picture_src(app)
        bh.move(page, kind, row)
        if bh.wait_picture_change(app, before, timeout=30_000, settle=0.3) is None:
            still.append(f"{bh.app_name(app)}: {kind}")
    return still


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_runs_in_the_browser_with_no_error_and_no_outside_request(server, context, lesson):
    page = context.new_page()
    asked_before = len(context.outside.requests)
    try:
        ready = lite_site.open_lesson(page, server, lesson)
        ran, nb = lite_site.run_all(page, lesson)
        print(f"{lesson}: kernel ready {ready:.0f} s, run all {ran:.0f} s")
        assert not lite_site.not_run(nb), lite_site.not_run(nb)
        assert not lite_site.cell_errors(nb), lite_site.cell_errors(nb)
        assert page.get_by_text("Error displaying widget").count() == 0
        assert not move_each_app(page)
    finally:
        page.close()
    assert context.outside.requests[asked_before:] == []


def test_the_playground_page_plays_with_no_outside_request(server, context):
    page = context.new_page()
    asked_before = len(context.outside.requests)
    try:
        page.goto(lite_site.dashboard_url(server), timeout=180_000)
        page.wait_for_selector(".widget-image", timeout=300_000)
        assert page.get_by_text("Error displaying widget").count() == 0
        frames = lite_site.play(page, seconds=5)
        print(f"playground: {frames / 5:.1f} frames/s")
        assert frames >= 10, f"play showed {frames} new pictures in 5 s"
    finally:
        page.close()
    assert context.outside.requests[asked_before:] == []
