"""The browser edition for tests and benchmarks: built once per checkout, served on 127.0.0.1, and a
page on which every request that would leave 127.0.0.1 is aborted and counted.

The site is built offline (`python lite/build.py OUT --offline`) into the temp folder, keyed by a
hash of what goes into it (nnlearn/, notebooks/, lite/): a second session on the same checkout
reuses it; a change rebuilds it.
"""

import functools
import re
import hashlib
import http.server
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
INPUTS = ("nnlearn", "notebooks", "lite")


def checkout_key():
    """A hash of every file the site is built from."""
    digest = hashlib.sha256()
    for folder in INPUTS:
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and ".ipynb_checkpoints" not in path.parts:
                digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def built_site():
    """The folder of the offline-built site for this checkout (built now when missing)."""
    out = Path(tempfile.gettempdir()) / f"nnlearn-lite-site-{checkout_key()}"
    if not (out / "done").exists():
        started = time.monotonic()
        subprocess.run([sys.executable, str(REPO / "lite" / "build.py"), str(out), "--offline"],
                       check=True, cwd=REPO, stdout=subprocess.DEVNULL)
        (out / "done").write_text(f"built in {time.monotonic() - started:.0f} s\n")
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".js": "application/javascript", ".mjs": "application/javascript"}

    def log_message(self, *args):
        pass


class StaticServer:
    """`python -m http.server` on 127.0.0.1 in a thread, serving `root`."""

    def __init__(self, root):
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Outside:
    """Aborts, and lists, every request a page makes to anywhere but 127.0.0.1 (goal: none)."""

    def __init__(self, context):
        self.requests = []
        context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        host = urllib.parse.urlsplit(url).hostname
        if url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()


def lesson_url(server, notebook):
    """JupyterLite's lab opening `notebook` (a path under the site's files/)."""
    return f"{server.url}lab/index.html?path={urllib.parse.quote(notebook)}"


def dashboard_url(server):
    return f"{server.url}dashboard/voici/render/playground.html"


def lessons(folder=REPO / "notebooks"):
    """The lesson notebooks in a folder (the site's files/ holds notebooks/):
    ['00_learning_loop/00_learning_loop.ipynb', ...]."""
    return sorted(str(p.relative_to(folder)) for p in Path(folder).glob("[0-9][0-9]_*/[0-9][0-9]_*.ipynb"))


STATUS = "#jp-main-statusbar"
READ_SAVED = """async (path) => {
  const name = (await indexedDB.databases()).map(d => d.name).find(n => n.startsWith('JupyterLite Storage'));
  const db = await new Promise((ok, no) => { const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); r.onerror = no; });
  return await new Promise((ok, no) => {
    const r = db.transaction('files').objectStore('files').get(path); r.onsuccess = () => ok(r.result); r.onerror = no; });
}"""


def kernel_state(page):
    """'Idle', 'Busy', ... as JupyterLite's status bar shows it ('' before there is a kernel)."""
    text = page.locator(STATUS).first.text_content() or ""
    found = re.search(r"Python \(Pyodide\) \| (Idle|Busy|Starting|Restarting|Connecting|Unknown|Dead)", text)
    return found.group(1) if found else ""


def wait_idle(page, timeout, calm=3.0):
    """Until the kernel has been idle for `calm` seconds; the seconds waited."""
    started = time.monotonic()
    deadline, since = started + timeout, None
    while time.monotonic() < deadline:
        if kernel_state(page) == "Idle":
            since = since or time.monotonic()
            if time.monotonic() - since >= calm:
                return since - started
        else:
            since = None
        time.sleep(0.2)
    raise TimeoutError(f"the kernel was not idle after {timeout} s: {kernel_state(page)!r}")


def open_lesson(page, server, notebook, timeout=180):
    """Open a lesson and wait for its kernel; the seconds until the kernel was ready."""
    started = time.monotonic()
    page.goto(lesson_url(server, notebook), timeout=timeout * 1000)
    page.locator(".jp-Notebook").first.wait_for(timeout=timeout * 1000)
    page.locator(STATUS, has_text="| Idle").first.wait_for(timeout=timeout * 1000)
    return time.monotonic() - started


def _run(page, command, timeout, calm):
    """Run a command by its label from the command palette (JupyterLite's Run menu is short)."""
    page.keyboard.press("Control+Shift+c")
    palette = page.locator(".lm-CommandPalette-input").first
    palette.fill(command)
    label = re.compile(rf"^\s*{re.escape(command)}\s*$")
    page.locator(".lm-CommandPalette-itemLabel", has_text=label).first.click()
    page.locator(STATUS, has_text="| Busy").first.wait_for(timeout=60_000)
    wait_idle(page, timeout, calm)


def run_all(page, notebook, timeout=600, calm=3.0):
    """Run All Cells, as a learner does (an unanswered exercise's check cell, tagged
    `raises-exception`, shows its error and the run goes on: lite/build.py's
    honour_stop_on_error). The seconds it took, and the notebook as saved after."""
    started = time.monotonic()
    _run(page, "Run All Cells", timeout, calm)
    return time.monotonic() - started - calm, saved_notebook(page, notebook)


def saved_notebook(page, notebook):
    """Save the open notebook (Ctrl+S) and read it back from the browser's storage: a dict."""
    page.keyboard.press("Control+s")
    page.locator(".jp-mod-dirty").first.wait_for(state="detached", timeout=30_000)
    time.sleep(0.5)
    return page.evaluate(READ_SAVED, notebook)["content"]


def play(page, seconds):
    """Press the playground's play for `seconds`, then pause: how many new pictures it showed."""
    play, pause = (page.locator("button.jupyter-button", has_text=re.compile(rf"^\s*{name}\s*$")).first
                   for name in ("play", "pause"))
    seen, last = 0, page.eval_on_selector(".widget-image", "img => img.src")
    play.click()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        src = page.eval_on_selector(".widget-image", "img => img.src")
        seen, last = seen + (src != last), src
        time.sleep(0.01)
    pause.click()
    return seen


def main_controls(page):
    """(app, kind, control) for each app on the page with a control: its first one, its main."""
    import browser_helpers as bh

    for app in bh.apps_on_page(page):
        app.scroll_into_view_if_needed()
        controls = bh.app_controls(app)
        if controls:
            yield app, controls[0][0], controls[0][2]


def cell_errors(nb):
    """Error outputs of a run notebook, except an unanswered exercise's NotImplementedError (or
    its subclass NotAnswered) in a check cell: what a learner notebook shows before the exercises
    are done. (Pyodide's kernel names the error `<class 'module.Name'>`.)"""
    errors = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            unanswered = re.search(r"NotImplementedError|NotAnswered", output.get("ename", ""))
            if output["output_type"] == "error" and not (
                    unanswered and "raises-exception" in cell["metadata"].get("tags", [])):
                errors.append(f"{output['ename']}: {output['evalue'][:300]}")
    return errors


def not_run(nb):
    """Code cells with something in them that show no execution count."""
    return [cell["source"][:60] for cell in nb["cells"] if cell["cell_type"] == "code"
            and "".join(cell["source"]).strip() and cell.get("execution_count") is None]


if __name__ == "__main__":                # build (or find) the site and print where it is
    print(built_site())
    sys.stdout.flush()
    os._exit(0)
