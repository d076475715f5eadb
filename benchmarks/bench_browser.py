"""Key press to new picture in a real browser, for every app of every lesson: JupyterLab and
headless Chromium, the time split into the kernel's work and the rest.

    python benchmarks/bench_browser.py [--presses 10] [--lessons 00,02] [--apps loss_explorer]

One Lab server serves a copy of the lessons, with NNLEARN_APP_TIMINGS=1 in its kernels' environment
so that every App publishes each render's timings to the page (nnlearn/widgets/app.py). Each lesson
is opened and run (Run All); for every app its main control (its first slider, else its first
dropdown or toggle group) is moved `--presses` times with the keyboard or a selection, sweeping a
slider and turning at the ends. For each press: a MutationObserver on the app's <img> is armed and a
keydown listener notes the event's time stamp; the time stops when the new src is decoded and two
animation frames have passed (the frame that shows it has been painted). Then the kernel's own
timings of that render are read from the page:
  update   the app's recompute (its update function)
  draw     matplotlib drawing (a blit of the animated artists, or a full draw)
  png      RGB conversion and PNG encoding
  send     handing the PNG to the Image widget (serialising the comm message)
  rest     key press to picture minus the above: the widget message to the kernel and back through
           the server, the kernel's message handling, the browser's decode and paint.
Printed per app: median and p95 of the whole, the medians of the parts, and PASS/MISS against the
goals (every app: median < 100 ms, p95 < 200 ms; lesson 00's slider: median < 60 ms). The first
uptime line says how loaded the machine was: a busy machine makes every figure longer.
Needs Debian's Chromium and Playwright's Python package, like tests/test_browser.py.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import browser_helpers as bh  # noqa: E402

GOAL_MEDIAN_MS, GOAL_P95_MS, GOAL_LESSON_00_MS = 100, 200, 60
PARTS = ("update", "draw", "png", "send")

ARM = """(img) => {
  window.__latency = new Promise((resolve, reject) => {
    let pressed = null;
    const onKey = (event) => { if (pressed === null) pressed = event.timeStamp; };
    document.addEventListener('keydown', onKey, true);
    document.addEventListener('change', onKey, true);
    const timer = setTimeout(() => { observer.disconnect(); reject(new Error('no new picture in 20 s')); }, 20000);
    const observer = new MutationObserver(async () => {
      observer.disconnect();
      document.removeEventListener('keydown', onKey, true);
      document.removeEventListener('change', onKey, true);
      clearTimeout(timer);
      try { await img.decode(); } catch (error) { /* a broken picture still counts as arrived */ }
      requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - pressed)));
    });
    observer.observe(img, {attributes: true, attributeFilter: ['src']});
  });
}"""


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timings(app):
    text = app.locator(".nnlearn-timings").first.text_content() if app.locator(".nnlearn-timings").count() else ""
    try:
        return json.loads(text or "{}")
    except ValueError:
        return {}


def main_control(app):
    controls = [c for c in bh.app_controls(app) if c[0] in ("slider", "dropdown", "toggles")]
    return controls[0] if controls else None


def press_once(page, app, kind, row, direction):
    """One move; returns (ms key press to painted picture, kernel timings of that render)."""
    before = timings(app).get("renders", -1)
    bh.app_picture(app).evaluate(ARM)
    if kind == "slider":
        handle = row.locator(".noUi-handle").first
        handle.focus()
        page.keyboard.press(direction)
    else:
        bh.move(page, kind, row)
    latency = page.evaluate("() => window.__latency")
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and timings(app).get("renders", -1) == before:
        time.sleep(0.02)
    bh.wait_kernel_idle(page, 30_000)
    time.sleep(0.25)                      # let the kernel and the page settle between presses
    return latency, timings(app)


def measure_app(page, app, presses):
    control = main_control(app)
    if control is None:
        return None, []
    kind, label, row = control
    row.scroll_into_view_if_needed()
    bh.app_picture(app).scroll_into_view_if_needed()
    results, direction = [], "ArrowRight"
    for _ in range(presses):
        if kind == "slider":
            handle = row.locator(".noUi-handle").first
            now, low, high = (float(handle.get_attribute(name) or 0)
                              for name in ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
            if direction == "ArrowRight" and now >= high:
                direction = "ArrowLeft"
            elif direction == "ArrowLeft" and now <= low:
                direction = "ArrowRight"
        try:
            results.append(press_once(page, app, kind, row, direction))
        except Exception as error:                      # report, go on with the next app
            print(f"    {label}: {type(error).__name__}: {str(error).splitlines()[0][:120]}")
            break
    return f"{kind} {label!r}", results


def report(lesson, name, control, results):
    if not results:
        print(f"  {lesson} {name:<24} no measurement")
        return None
    total = [ms for ms, _ in results]
    parts = {part: [t.get(part, 0.0) for _, t in results] for part in PARTS}
    kernel = [sum(t.get(part, 0.0) for part in PARTS) for _, t in results]
    rest = [ms - k for ms, k in zip(total, kernel)]
    median, p95 = statistics.median(total), percentile(total, 95)
    ok = median < GOAL_MEDIAN_MS and p95 < GOAL_P95_MS
    if lesson.startswith("00") and control.startswith("slider"):
        ok = ok and median < GOAL_LESSON_00_MS
    print(f"  {lesson} {name:<24} median {median:5.0f} ms  p95 {p95:5.0f} ms  | "
          + "  ".join(f"{part} {statistics.median(parts[part]):5.1f}" for part in PARTS)
          + f"  rest {statistics.median(rest):5.0f}  ({len(total)} x {control})  {'PASS' if ok else 'MISS'}")
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--presses", type=int, default=10)
    parser.add_argument("--lessons", default="", help="comma-separated lesson numbers, e.g. 00,02 (default: all)")
    parser.add_argument("--apps", default="", help="comma-separated app names (default: all)")
    parser.add_argument("--websocket", choices=["binder", "v1"], default="binder",
                        help="the kernel websocket protocol: binder's setting (the default JSON protocol, see "
                             "binder/postBuild) or v1.kernel.websocket.jupyter.org (jupyter_server's default)")
    args = parser.parse_args()
    if args.websocket == "v1":
        bh.SERVER_SETTINGS[:] = [flag for flag in bh.SERVER_SETTINGS if "kernel_ws_protocol" not in flag]
    why = bh.missing_browser()
    if why:
        raise SystemExit(f"bench_browser needs Chromium and Playwright: {why}")
    from playwright.sync_api import sync_playwright

    with open("/proc/loadavg") as load:
        print(f"load average {load.read().split()[:3]} on {os.cpu_count()} CPUs (uptime); "
              f"server flags {bh.SERVER_SETTINGS or ['(none)']}")
    lessons = sorted(p.relative_to(bh.notebooks_dir()) for p in bh.notebooks_dir().glob("[0-9][0-9]_*/*.ipynb"))
    if args.lessons:
        lessons = [l for l in lessons if l.parent.name[:2] in args.lessons.split(",")]
    verdicts = []
    print("key press -> new picture on screen; medians of the kernel's parts and the rest, in ms")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        shutil.copytree(bh.notebooks_dir(), root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        server = bh.JupyterServer("lab", root, Path(tmp) / "jupyter", env_extra={"NNLEARN_APP_TIMINGS": "1"})
        try:
            with sync_playwright() as playwright:
                browser = bh.launch_browser(playwright)
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                for lesson in lessons:
                    bh.open_notebook(page, server, lesson)
                    bh.run_all_cells(page, expected=bh.code_cells_to_run(root / lesson))
                    for app in bh.apps_on_page(page):
                        name = bh.app_name(app)
                        if args.apps and name not in args.apps.split(","):
                            continue
                        control, results = measure_app(page, app, args.presses)
                        verdicts.append(report(lesson.parent.name[:2], name, control or "", results))
                    bh.shut_down_kernels(server)
                browser.close()
        finally:
            server.stop()
    with open("/proc/loadavg") as load:
        print(f"load average {load.read().split()[:3]} at the end")
    measured = [v for v in verdicts if v is not None]
    print(f"goals (median < {GOAL_MEDIAN_MS} ms, p95 < {GOAL_P95_MS} ms per app; lesson 00's slider median < "
          f"{GOAL_LESSON_00_MS} ms): {sum(measured)} of {len(measured)} apps PASS")


if __name__ == "__main__":
    main()
