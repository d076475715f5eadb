"""How fast the playground trains and draws, in the kernel and (with --browser) in Voila.

    python benchmarks/bench_playground.py              # kernel: step, epoch, frame, frames/s
    python benchmarks/bench_playground.py --browser    # also frames/s of play in headless Chromium

Goals (issue 13): default network (2 hidden layers of 4, 500 points): one training step < 1 ms, a
full frame (heatmaps of every neuron, curves) < 40 ms in the kernel, >= 10 frames/s in the browser;
the largest network (6 x 8, all 7 features, 1,000 points) >= 5 frames/s. The machine's load is
printed with the figures: on a loaded machine every number is slower.
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import nnlearn as nl  # noqa: E402
from nnlearn.playground import FEATURES, Config, Playground  # noqa: E402

CASES = {
    "default (4, 4), 500 points": dict(hidden=(4, 4)),
    "largest (6 x 8), 7 features, 1000 points": dict(hidden=(8,) * 6, features=tuple(FEATURES), n_points=1000),
}


def median_ms(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def kernel(repeat=20):
    rows = []
    for name, settings in CASES.items():
        pg = Playground(Config(**settings))
        X, y = pg.inputs_train[:10], pg.target(pg.y_train[:10])
        step = median_ms(lambda: nl.train_step(pg.model, pg.loss_fn, pg.optimizer, X, y), repeat * 10)
        epoch = median_ms(pg.step, repeat)
        app = nl.widgets.playground(**settings)
        for _ in range(3):
            app.step()
        draw = median_ms(app.draw, repeat)
        render = median_ms(app.render, repeat)
        frame = median_ms(app.step, repeat)                  # one epoch + draw + render: what play does
        rows.append((name, step, epoch, draw, render, frame, 1000 / frame))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'network':44s} {'step':>8s} {'epoch':>8s} {'draw':>8s} {'render':>8s} {'frame':>8s} {'frames/s':>9s}")
    for name, *values in rows:
        print(f"{name:44s} " + " ".join(f"{v:8.2f}" for v in values[:-1]) + f" {values[-1]:9.1f}")
    print("(ms; step = one nl.train_step on a batch of 10; frame = an epoch, its views and the PNG)")


def browser(seconds=10):
    import socket
    import subprocess
    import urllib.request
    from playwright.sync_api import sync_playwright
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for name, settings in CASES.items():
        state = Config(**settings).to_string()
        notebook = os.path.join(repo, "test-artifacts", "bench_playground.ipynb")
        os.makedirs(os.path.dirname(notebook), exist_ok=True)
        import nbformat
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            f"import nnlearn as nl\nnl.widgets.playground(state={state!r})")]), notebook)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen([sys.executable, "-m", "voila", notebook, "--no-browser", f"--port={port}",
                                   "--Voila.ip=127.0.0.1", "--VoilaExecutor.timeout=120"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            for _ in range(120):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                    break
                except Exception:
                    time.sleep(0.5)
            with sync_playwright() as p:
                chromium = p.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
                page = chromium.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
                page.wait_for_selector(".widget-image", timeout=120_000)
                page.evaluate("""() => { window.frames_seen = 0; const img = document.querySelector('.widget-image');
                    new MutationObserver(() => window.frames_seen++).observe(img, {attributes: true}); }""")
                page.locator("button.widget-toggle-button").first.click()
                time.sleep(seconds)
                frames = page.evaluate("() => window.frames_seen")
                page.locator("button.widget-toggle-button").first.click()
                print(f"browser, {name}: {frames / seconds:.1f} frames/s over {seconds} s of play")
                chromium.close()
        finally:
            os.killpg(server.pid, 9)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args()
    kernel()
    if args.browser:
        browser()
