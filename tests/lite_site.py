"""The browser edition for tests and benchmarks: built once per checkout, served on 127.0.0.1, and a
page on which every request that would leave 127.0.0.1 is aborted and counted.

The site is built offline (`python lite/build.py OUT --offline`) into the temp folder, keyed by a
hash of what goes into it (nnlearn/, notebooks/, lite/): a second session on the same checkout
reuses it; a change rebuilds it.
"""

import functools
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


def lessons(site):
    """The lesson notebooks in the site: ['00_learning_loop/00_learning_loop.ipynb', ...]."""
    files = Path(site) / "files"
    return sorted(str(p.relative_to(files)) for p in files.glob("[0-9][0-9]_*/[0-9][0-9]_*.ipynb"))


def error_outputs(page):
    """Error outputs on the page that are not an unanswered exercise (NotImplementedError)."""
    texts = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_text_contents()
    return [text[-500:] for text in texts if "Traceback" in text or "Error" in text
            if "NotImplementedError" not in text]


if __name__ == "__main__":                # build (or find) the site and print where it is
    print(built_site())
    sys.stdout.flush()
    os._exit(0)
