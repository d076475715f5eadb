"""Build the browser edition: a static site that runs the lessons and the playground with no server.

    python lite/build.py OUT              # Pyodide's wheels from its official release
    python lite/build.py OUT --offline    # the same wheels from a Python-registry mirror (lite/pins.py)

OUT gets a JupyterLite site (the lessons from notebooks/, Pyodide, ipywidgets and an nnlearn wheel
built from this checkout) and, in OUT/dashboard/, the playground as a dashboard page (voici).
Serve OUT with any static web server (`python -m http.server -d OUT`) and open /lab/index.html.
Every Pyodide file is checked against the sha256 in Pyodide's official lock file either way; a
mismatch stops the build. Downloads and the build tools live in a cache outside the repository
($NNLEARN_LITE_CACHE, default ~/.cache/nnlearn-lite); versions are pinned in lite/pins.py.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import pins                                    # noqa: E402  (lite/ is not a package)
import sources                                 # noqa: E402

KERNEL_SETTINGS = "@jupyterlite/pyodide-kernel-extension:kernel"


def run(command, **kwargs):
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)


def tools(cache):
    """The bin/ folder of a virtual environment holding the pinned build tools (made once)."""
    venv = os.path.join(cache, "tools-" + sources.digest("\n".join(pins.TOOLS))[:12])
    bin_dir = os.path.join(venv, "bin")
    if not os.path.exists(os.path.join(bin_dir, "voici")):
        run([sys.executable, "-m", "venv", venv])
        run([os.path.join(bin_dir, "pip"), "install", "--quiet", *pins.TOOLS])
    return bin_dir


def nnlearn_wheel(dest):
    """Build nnlearn's wheel from this checkout into dest (on a copy: the checkout stays clean)."""
    with tempfile.TemporaryDirectory(prefix="nnlearn-wheel-") as tmp:
        for name in ("nnlearn", "pyproject.toml", "README.md", "LICENSE"):
            source, target = os.path.join(REPO, name), os.path.join(tmp, name)
            if os.path.isdir(source):
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(source, target)
        run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
             "-w", dest, tmp])


def lite_folder(work, cache, offline):
    """Lay out JupyterLite's input folder: files/, pypi/ (piplite wheels), static/pyodide/."""
    pyodide = os.path.join(work, "static", "pyodide")
    sources.pyodide(pyodide, cache, offline)
    pypi = os.path.join(work, "pypi")
    os.makedirs(pypi)
    sources.registry_wheels(pins.PIPLITE_WHEELS, pypi, cache)
    nnlearn_wheel(pypi)
    files = os.path.join(work, "files")
    shutil.copytree(os.path.join(REPO, "notebooks"), files,
                    ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "dashboard"))
    # Binder's JupyterLab settings, and every cell drawn on the page (JupyterLite's default windowing
    # leaves cells away from the view empty: find-in-page and the tests would not see them).
    with open(os.path.join(REPO, "binder", "jupyterlab-overrides.json")) as handle:
        overrides = json.load(handle)
    overrides["@jupyterlab/notebook-extension:tracker"] = {"windowingMode": "none"}
    with open(os.path.join(work, "overrides.json"), "w") as handle:
        json.dump(overrides, handle)
    with open(os.path.join(work, "jupyter-lite.json"), "w") as handle:
        json.dump({"jupyter-lite-schema-version": 0, "jupyter-config-data": {
            "appName": "nnlearn in the browser",
            "litePluginSettings": {KERNEL_SETTINGS: {"disablePyPIFallback": True}}}}, handle)


def no_pypi_fallback(out):
    """Make sure the kernel never asks the Python registry: only the site's own wheels."""
    path = os.path.join(out, "jupyter-lite.json")
    with open(path) as handle:
        config = json.load(handle)
    settings = config["jupyter-config-data"].setdefault("litePluginSettings", {})
    settings.setdefault(KERNEL_SETTINGS, {})["disablePyPIFallback"] = True
    with open(path, "w") as handle:
        json.dump(config, handle, indent=2)


# JupyterLite 0.6's in-page kernel service cancels every queued cell after any error reply
# (jupyterlite#1671), ignoring the request's `stop_on_error: false` that JupyterLab sends for a
# cell tagged `raises-exception`: Run All stopped at a learner copy's first unanswered check. Two
# edits to its bundle (pinned by TOOLS, so the text is known; the build stops if it is not found)
# remember those requests and skip the cancel for their replies, as a Jupyter server's kernel does.
NO_STOP = "globalThis.__nnlearnNoStop"
HONOUR_STOP_ON_ERROR = (
    ('"input_reply"===s.header.msg_type?void 0!==this._stdinPromise',
     f'"execute_request"===s.header.msg_type&&!1===s.content.stop_on_error&&({NO_STOP}||({NO_STOP}=new Set))'
     '.add(s.header.msg_id),"input_reply"===s.header.msg_type?void 0!==this._stdinPromise'),
    ('"execute_reply"===e.header.msg_type&&"error"===e.content.status&&h.cancel()',
     f'"execute_reply"===e.header.msg_type&&"error"===e.content.status&&!({NO_STOP}&&'
     f'{NO_STOP}.delete(e.parent_header.msg_id))&&h.cancel()'),
)


def honour_stop_on_error(out):
    """Patch the built kernel service (HONOUR_STOP_ON_ERROR) in OUT/build/; fail if it is not there."""
    folder = os.path.join(out, "build")
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if not name.endswith(".js"):
            continue
        with open(path) as handle:
            text = handle.read()
        if HONOUR_STOP_ON_ERROR[1][0] not in text:
            continue
        for old, new in HONOUR_STOP_ON_ERROR:
            if text.count(old) != 1:
                raise SystemExit(f"{path}: expected once, found {text.count(old)} times: {old}")
            text = text.replace(old, new)
        with open(path, "w") as handle:
            handle.write(text)
        return path
    raise SystemExit(f"no bundle in {folder} holds JupyterLite's cancel-on-error: was jupyterlite-core updated?")


# JupyterLab 4.4's notebook binds the arrow keys (move to the cell / heading above or below) for
# whatever has the focus in a notebook in command mode, a slider's handle included, and takes the key
# before the slider sees it: after a run, arrow keys on a focused slider moved the notebook's cursor
# instead. The bindings keep working everywhere but inside a widget.
NOTEBOOK_PLUGIN = "@jupyterlab/notebook-extension:tracker"
COMMAND_MODE_FOCUS = ".jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus"


def leave_arrow_keys_to_widgets(out):
    """Narrow the notebook's arrow-key bindings in the built settings schemas (OUT/build/schemas/)."""
    def narrow(schema):
        changed = 0
        for shortcut in schema.get("jupyter.lab.shortcuts", []):
            if shortcut["selector"] == COMMAND_MODE_FOCUS and any("Arrow" in key for key in shortcut["keys"]):
                shortcut["selector"] = COMMAND_MODE_FOCUS + ":not(.jupyter-widgets *)"
                changed += 1
        return changed

    schemas = os.path.join(out, "build", "schemas")
    package, plugin = NOTEBOOK_PLUGIN.split(":")
    path = os.path.join(schemas, *package.split("/"), plugin + ".json")
    with open(path) as handle:
        schema = json.load(handle)
    if not narrow(schema):
        raise SystemExit(f"{path}: no arrow-key binding on {COMMAND_MODE_FOCUS!r}: was jupyterlite-core updated?")
    with open(path, "w") as handle:
        json.dump(schema, handle)
    path = os.path.join(schemas, "all.json")
    with open(path) as handle:
        plugins = json.load(handle)
    if not sum(narrow(plugin["schema"]) for plugin in plugins if plugin["id"] == NOTEBOOK_PLUGIN):
        raise SystemExit(f"{path}: no arrow-key binding of {NOTEBOOK_PLUGIN} to narrow")
    with open(path, "w") as handle:
        json.dump(plugins, handle)


def dashboard(bin_dir, work, out, cache):
    """The playground as a voici page in OUT/dashboard/, sharing the site's Pyodide and wheels."""
    dash = os.path.join(work, "dashboard")
    os.makedirs(os.path.join(dash, "files"))
    shutil.copy(os.path.join(REPO, "notebooks", "dashboard", "playground.ipynb"), os.path.join(dash, "files"))
    shutil.copytree(os.path.join(work, "pypi"), os.path.join(dash, "pypi"))
    shutil.copy(os.path.join(work, "jupyter-lite.json"), dash)
    target = os.path.join(out, "dashboard")
    run([os.path.join(bin_dir, "voici"), "build", "--contents", "files", "--output-dir", target,
         "--no-sourcemaps"], cwd=dash)
    no_pypi_fallback(target)
    font_awesome = os.path.join(target, "vendor", "fontawesome")
    sources.npm_files(pins.FONT_AWESOME_NPM, pins.FONT_AWESOME_NPM_INTEGRITY, cache,
                      {"css/": "css/", "webfonts/": "webfonts/"}, font_awesome)
    render = os.path.join(target, "voici", "render")      # dashboard/voici/render/NAME.html
    for name in os.listdir(render):
        if name.endswith(".html"):
            sources.fix_voici_page(os.path.join(render, name), site_root="../../../")


def build(out, offline=False, cache=None):
    cache = cache or os.environ.get("NNLEARN_LITE_CACHE") or os.path.expanduser("~/.cache/nnlearn-lite")
    os.makedirs(cache, exist_ok=True)
    bin_dir = tools(cache)
    if os.path.exists(out):
        shutil.rmtree(out)
    with tempfile.TemporaryDirectory(prefix="nnlearn-lite-") as work:
        lite_folder(work, cache, offline)
        run([os.path.join(bin_dir, "jupyter"), "lite", "build", "--no-sourcemaps", "--output-dir", out],
            cwd=work)
        no_pypi_fallback(out)
        honour_stop_on_error(out)
        leave_arrow_keys_to_widgets(out)
        dashboard(bin_dir, work, out, cache)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="folder to write the site to (replaced)")
    parser.add_argument("--offline", action="store_true",
                        help="take Pyodide's wheels from the Python-registry mirror (lite/pins.py), not its release")
    args = parser.parse_args(argv)
    build(os.path.abspath(args.out), args.offline)
    print(f"site written to {args.out}; serve it with: python -m http.server -d {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
