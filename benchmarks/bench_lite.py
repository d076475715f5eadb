"""The browser edition (lite/) in headless Chromium: what a learner waits for, per lesson.

    python benchmarks/bench_lite.py [--lessons 00,07] [--presses 10] [--cold]

The site is built offline once per checkout (tests/lite_site.py) and served on 127.0.0.1; every
request that would leave 127.0.0.1 is aborted and counted. Per lesson: kernel ready (page load to
an idle Pyodide kernel; the first lesson is cold, later ones find the site's files in the
browser's cache unless --cold gives each its own browser context), run all (JupyterLite stops a
run at an unanswered exercise's check; the run goes on from the next cell, and the time counted is
the kernel's), and key press / selection to new picture for each app's first control, `--presses`
times (median and p95 over all the lesson's apps). Then the playground page (voici): frames per
second while playing. Goals on 2 cores (issue 22): kernel ready < 20 s cold, run all < 60 s
(lesson 07 < 120 s), slider median < 500 ms, playground >= 15 frames/s.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import browser_helpers as bh  # noqa: E402
import lite_site  # noqa: E402


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def press_times(page, presses):
    """Seconds from each control move to the app's new picture, over every app on the page."""
    times = []
    for app, kind, row in lite_site.main_controls(page):
        for _ in range(presses):
            before = bh.picture_src(app)
            started = time.monotonic()
            bh.move(page, kind, row)
            deadline = started + 30
            while bh.picture_src(app) == before and time.monotonic() < deadline:
                time.sleep(0.005)
            times.append(time.monotonic() - started)
            time.sleep(0.3)
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lessons", help="comma-separated lesson numbers (default: all)")
    parser.add_argument("--presses", type=int, default=10)
    parser.add_argument("--cold", action="store_true", help="a fresh browser context (empty cache) per lesson")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    site = lite_site.built_site()
    lessons = lite_site.lessons()
    if args.lessons:
        lessons = [lesson for lesson in lessons if lesson[:2] in args.lessons.split(",")]
    server = lite_site.StaticServer(site)
    outside = []
    with sync_playwright() as playwright:
        browser = bh.launch_browser(playwright)
        context = None
        print(f"{'lesson':<22} {'ready s':>8} {'run all s':>10} {'move ms median':>15} {'p95':>6} {'moves':>6}")
        for lesson in lessons:
            if context is None or args.cold:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                outside.append(lite_site.Outside(context))
            page = context.new_page()
            ready = lite_site.open_lesson(page, server, lesson)
            ran, nb = lite_site.run_all(page, lesson)
            times = press_times(page, args.presses)
            median = f"{statistics.median(times) * 1000:.0f}" if times else "-"
            high = f"{p95(times) * 1000:.0f}" if times else "-"
            errors = lite_site.cell_errors(nb)
            print(f"{lesson.split('/')[0]:<22} {ready:8.1f} {ran:10.1f} {median:>15} {high:>6} {len(times):6d}"
                  + (f"  ERRORS: {errors}" if errors else ""), flush=True)
            page.close()
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        outside.append(lite_site.Outside(context))
        page = context.new_page()
        started = time.monotonic()
        page.goto(lite_site.dashboard_url(server), timeout=300_000)
        page.wait_for_selector(".widget-image", timeout=300_000)
        ready = time.monotonic() - started
        frames = lite_site.play(page, seconds=10)
        print(f"playground page: ready {ready:.1f} s (cold), {frames / 10:.1f} frames/s while playing")
        browser.close()
    server.stop()
    requests = [url for watch in outside for url in watch.requests]
    print(f"requests that would have left 127.0.0.1: {len(requests)}" + (f" {requests[:5]}" if requests else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
