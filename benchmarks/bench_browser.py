"""Key press to new picture in a real browser, for every app of every lesson: JupyterLab and
headless Chromium, the time split into the kernel's work and the rest.

    python benchmarks/bench_browser.py [--presses 10] [--lessons 00,02] [--apps loss_explorer]

One Lab server serves a copy of the lessons, with NNLEARN_APP_TIMINGS=1 in its kernels' environment
so that every App publishes each render's timings to the page (nnlearn/widgets/app.py). Each lesson
is opened and run (Run All); for every app its main control (its first slider, else its first
dropdown or toggle group) is moved `--presses` times with the keyboard or a selection, sweeping a
slider and turning at the ends. For each press: a MutationObserver on the app's <img> is armed and a
keydown listener notes the event's time stamp; the time stops at the next paint after the new src
is decoded (an animation frame, then a task posted from it: how Chrome's INP times "next paint");
"+1 frame" is one animation frame later (the picture has then been on screen for a frame). The
page notes when the websocket message leaves and when the picture's binary message arrives; the
kernel publishes its own timings and wall-clock stamps (same machine, same clock). The path:
  page out   key press to the widget message leaving on the websocket
  to kernel  the server forwarding it and the kernel dispatching it to the app
  update     the app's recompute (its update function)
  draw       matplotlib drawing (a blit of the animated artists, or a full draw)
  png        RGB conversion and PNG encoding
  send       handing the PNG to the Image widget (serialising the comm message)
  back       the picture's message through the server to the page
  to img     the page's widget manager handling the message, up to the <img>'s new src
  decode     the browser decoding the PNG
  paint      up to the next paint
Printed per app: median and p95 of the whole, the medians of the parts, and PASS/MISS against the
goals (every app: median < 100 ms, p95 < 200 ms; lesson 00's slider: median < 60 ms). The first
uptime line says how loaded the machine was: a busy machine makes every figure longer.
Needs Debian's Chromium and Playwright's Python package, like tests/browser/test_browser.py.
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
  // Once per page: note when a websocket message leaves for the kernel and when a binary one (a
  // picture: the Image widget's buffer) arrives, as ms since the epoch (same clock as the kernel's).
  if (!window.__wsPatched) {
    window.__wsPatched = true;
    window.__ws = {sent: [], received: []};
    const now = () => performance.timeOrigin + performance.now();
    const watched = new WeakSet();
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
      window.__ws.sent.push(now());
      if (!watched.has(this)) {
        watched.add(this);
        this.addEventListener('message', (event) => {
          if (typeof event.data !== 'string') window.__ws.received.push(now());
        });
      }
      return send.call(this, data);
    };
  }
  window.__latency = new Promise((resolve, reject) => {
    const epoch = (t) => performance.timeOrigin + t;
    let pressed = null;
    const onKey = (event) => { if (pressed === null) pressed = event.timeStamp; };
    // a key on a slider; a click on a toggle or button; a change of a dropdown
    const events = ['keydown', 'pointerdown', 'click', 'change'];
    events.forEach((name) => document.addEventListener(name, onKey, true));
    const timer = setTimeout(() => { observer.disconnect(); reject(new Error('no new picture in 20 s')); }, 20000);
    const observer = new MutationObserver(async () => {
      observer.disconnect();
      events.forEach((name) => document.removeEventListener(name, onKey, true));
      clearTimeout(timer);
      const srcSet = performance.now();
      try { await img.decode(); } catch (error) { /* a broken picture still counts as arrived */ }
      const decoded = performance.now();
      // Painted: the frame after the new src is drawn once the next animation frame's callbacks
      // have run and a task posted from there runs (the "next paint" of Chrome's INP). The second
      // animation frame is one frame later still: the picture has been on screen for a frame.
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        let painted = null;
        channel.port1.onmessage = () => { painted = performance.now(); };
        channel.port2.postMessage(null);
        requestAnimationFrame(() => {
          const frame = performance.now();
          const p = epoch(pressed);
          const sent = window.__ws.sent.find((t) => t >= p - 1);
          const received = window.__ws.received.find((t) => t >= p);
          window.__ws.sent = []; window.__ws.received = [];
          resolve({pressed: p, sent: sent ?? null, received: received ?? null, srcSet: epoch(srcSet),
                   decoded: epoch(decoded), painted: epoch(painted ?? frame), frame: epoch(frame)});
        });
      });
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
    """One move; returns (the page's time stamps of that press, the kernel's timings of its render)."""
    before = timings(app).get("renders", -1)
    if kind == "slider":
        handle = row.locator(".noUi-handle").first
        handle.focus()                    # already focused after the first press: nothing happens
    bh.app_picture(app).evaluate(ARM)
    if kind == "slider":
        page.keyboard.press(direction)
    else:
        bh.move(page, kind, row)
    stamps = page.evaluate("() => window.__latency")
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and timings(app).get("renders", -1) == before:
        time.sleep(0.02)
    bh.wait_kernel_idle(page, 30_000)
    time.sleep(0.25)                      # let the kernel and the page settle between presses
    return stamps, timings(app)


def measure_app(page, app, presses):
    control = main_control(app)
    if control is None:
        return None, []
    kind, label, row = control
    row.scroll_into_view_if_needed()
    bh.app_picture(app).scroll_into_view_if_needed()
    # As a learner's hand does before the first move: the app's cell is selected (JupyterLab
    # re-renders its toolbar then) and the slider's handle takes the focus. Not timed.
    bh.app_picture(app).click()
    if kind == "slider":
        row.locator(".noUi-handle").first.focus()
    time.sleep(0.5)
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


def split(stamps, kernel):
    """One press's path in ms: the page to the websocket, the server and the kernel's dispatch, the
    kernel's render parts, the way back, and the page's handling, decode and paint."""
    start, sent_back = kernel.get("start_epoch_ms"), kernel.get("sent_epoch_ms")
    if None in (stamps.get("sent"), stamps.get("received"), start, sent_back):
        return {}
    return {"page out": stamps["sent"] - stamps["pressed"],
            "to kernel": start - stamps["sent"],
            **{part: kernel.get(part, 0.0) for part in PARTS},
            "(kernel cpu)": kernel.get("cpu", 0.0),
            "back": stamps["received"] - sent_back,
            "to img": stamps["srcSet"] - stamps["received"],
            "decode": stamps["decoded"] - stamps["srcSet"],
            "paint": stamps["painted"] - stamps["decoded"]}


def report(lesson, name, control, results):
    if not results:
        print(f"  {lesson} {name:<24} no measurement")
        return None
    total = [stamps["painted"] - stamps["pressed"] for stamps, _ in results]
    framed = [stamps["frame"] - stamps["pressed"] for stamps, _ in results]
    splits = [split(stamps, kernel) for stamps, kernel in results]
    splits = [s for s in splits if s]
    median, p95 = statistics.median(total), percentile(total, 95)
    ok = median < GOAL_MEDIAN_MS and p95 < GOAL_P95_MS
    if lesson.startswith("00") and control.startswith("slider"):
        ok = ok and median < GOAL_LESSON_00_MS
    parts = "  ".join(f"{part} {statistics.median(s[part] for s in splits):.0f}" for part in splits[0]) if splits else ""
    print(f"  {lesson} {name:<24} median {median:4.0f} ms  p95 {p95:4.0f} ms  (+1 frame {statistics.median(framed):4.0f}) | "
          f"{parts}  ({len(total)} x {control})  {'PASS' if ok else 'MISS'}")
    slowest = max(range(len(total)), key=total.__getitem__)
    worst = split(*results[slowest])
    print(f"     each press: {' '.join(f'{ms:.0f}' for ms in total)}; the slowest: "
          + "  ".join(f"{part} {ms:.0f}" for part, ms in worst.items()))
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
