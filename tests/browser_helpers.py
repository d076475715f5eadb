"""Drive a lesson in a real browser: a JupyterLab or Notebook 7 server on 127.0.0.1 and headless
Debian Chromium through Playwright (sync API). Shared by tests/browser/test_browser.py and
benchmarks/bench_browser.py.

Every wait is bounded. A server is started on a random free port with a random token, in its own
Jupyter config/data/runtime folders (a clean workspace, no user settings), serving a *copy* of the
lessons so that an autosave can never write outputs into the repository's notebooks.
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LESSON = Path("00_learning_loop") / "00_learning_loop.ipynb"          # under notebooks/
CHROMIUM = os.environ.get("NNLEARN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
INSTALL_HINT = ("install them with `apt-get install -y chromium` (Debian's Chromium at /usr/bin/chromium) "
                "and `pip install playwright` (never `playwright install`)")

# Control descriptions in the lesson's training explorer (matched case-insensitively).
LEARNING_RATE = re.compile(r"learning[\s_-]*rate|^\s*lr\b|η", re.I)
BATCH_SIZE = re.compile(r"batch", re.I)


def missing_browser():
    """Why the browser tests cannot run here (None when they can)."""
    problems = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the Python package playwright is not installed")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        problems.append(f"no Chromium at {CHROMIUM}")
    return ("; ".join(problems) + ": " + INSTALL_HINT) if problems else None


# ----------------------------------------------------------------------------------------- server
def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_settings():
    """binder/jupyter_server_config.json (what Binder and README's command set) as command-line flags,
    so the test servers run as a learner's does."""
    config = json.loads((REPO / "binder" / "jupyter_server_config.json").read_text())
    return [f"--{section}.{name}={value}" for section, values in config.items() for name, value in values.items()]


SERVER_SETTINGS = server_settings()


def settings_overrides():
    """Binder's JupyterLab defaults (no news toast), plus no autosave for the test copy."""
    overrides = json.loads((REPO / "binder" / "jupyterlab-overrides.json").read_text())
    overrides.setdefault("@jupyterlab/docmanager-extension:plugin", {})["autosave"] = False
    return overrides


class JupyterServer:
    """`jupyter lab` or `jupyter notebook` (kind "lab" / "notebook") serving root_dir."""

    def __init__(self, kind, root_dir, work_dir, startup_timeout=90, disabled_extensions=("@jupyter/nbgrader",),
                 python=sys.executable, wait=True, args=None, cwd=None, env_extra=None):
        """args: the server's own arguments (README's command) instead of `--ServerApp.root_dir=root_dir`,
        run in `cwd`; env_extra: more environment variables for the server and its kernels."""
        self.kind, self.root_dir, self.work_dir = kind, Path(root_dir), Path(work_dir)
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        config = self.work_dir / "config"
        (config / "labconfig").mkdir(parents=True, exist_ok=True)
        (config / "labconfig" / "default_setting_overrides.json").write_text(json.dumps(settings_overrides()))
        # A learner's set-up (and Binder) has no nbgrader; its menus stay out of the page here too.
        (config / "labconfig" / "page_config.json").write_text(
            json.dumps({"disabledExtensions": {name: True for name in disabled_extensions}}))
        env = dict(os.environ)
        for name, sub in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                          ("JUPYTER_RUNTIME_DIR", "runtime"), ("IPYTHONDIR", "ipython")]:
            (self.work_dir / sub).mkdir(parents=True, exist_ok=True)
            env[name] = str(self.work_dir / sub)
        # The kernel imports nnlearn from this tree even where it is not pip-installed.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        env.pop("JUPYTER_PATH", None)
        env.update(env_extra or {})
        self.runtime_dir = self.work_dir / "runtime"
        module = {"lab": "jupyterlab", "notebook": "notebook"}[kind]
        own = list(args) if args is not None else ["--no-browser", f"--ServerApp.root_dir={self.root_dir}"]
        self.command = [str(python), "-m", module, "--allow-root",
                        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
                        "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                        *[flag for flag in SERVER_SETTINGS if flag.split("=")[0] not in
                          {arg.split("=")[0] for arg in own}], *own]
        self.log_path = self.work_dir / f"{kind}-server.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(self.command, env=env, cwd=cwd or self.root_dir, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.startup_timeout = startup_timeout
        if wait:
            self.wait_ready()

    def api(self, path, method="GET", timeout=5):
        request = urllib.request.Request(f"{self.base}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def wait_ready(self, timeout=None):
        """Until /api/status answers (a server is ready in ~6-8 s on an idle machine)."""
        timeout = timeout or self.startup_timeout
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter {self.kind} exited with {self.process.returncode}:\n{self.log()}")
            try:
                self.api("/api/status", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.25)
        self.stop()
        raise TimeoutError(f"jupyter {self.kind} not ready after {timeout} s:\n{self.log()}")

    def url(self, notebook, ui=None, workspace=None):
        """The page that opens `notebook` (a path under root_dir): in a fresh JupyterLab workspace
        (ui "lab"), or in Notebook 7 (ui "notebook"; a `jupyter lab` server serves both)."""
        notebook = Path(notebook).as_posix()
        if (ui or self.kind) == "lab":
            workspace = workspace or f"test-{uuid.uuid4().hex[:12]}"
            return f"{self.base}/lab/workspaces/{workspace}/tree/{notebook}?token={self.token}&reset"
        return f"{self.base}/notebooks/{notebook}?token={self.token}"

    def log(self, tail=4000):
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except OSError:
            return ""

    def stop(self):
        """Shut the kernels down through the API, then the server; kill whatever is left."""
        if self.process.poll() is None:
            try:
                for kernel in self.api("/api/kernels") or []:
                    self.api(f"/api/kernels/{kernel['id']}", method="DELETE", timeout=10)
            except Exception:
                pass
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


def notebooks_dir():
    """The learner notebooks (NNLEARN_NOTEBOOKS points elsewhere, to try another copy)."""
    return Path(os.environ.get("NNLEARN_NOTEBOOKS", REPO / "notebooks"))


def copy_lesson(root, under="", lesson=LESSON):
    """Copy the learner version of a lesson (its folder) to root/under; return its path under root."""
    source = notebooks_dir() / Path(lesson).parent
    shutil.copytree(source, Path(root) / under / Path(lesson).parent,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return Path(under) / lesson


# ---------------------------------------------------------------------------------------- browser
def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)


# Page errors that are known upstream bugs of the front ends, harmless for a learner.
KNOWN_PAGE_ERRORS = [
    # Notebook 7 (seen with 7.6.5): the shortcuts plugin reads a plugin's schema before it is
    # registered, on every page load, with or without our settings (jupyter/notebook#7862).
    re.compile(r"Cannot read properties of undefined \(reading 'schema'\).*notebook_core", re.S),
]


class PageWatch:
    """Collects what goes wrong on a page: uncaught errors and console errors."""

    def __init__(self, page):
        self.page_errors, self.console_errors = [], []
        page.on("pageerror", lambda error: self.page_errors.append(f"{error.message} | {(error.stack or '')[:600]}"))
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))

    def unexpected_page_errors(self):
        return [error for error in self.page_errors if not any(k.search(error) for k in KNOWN_PAGE_ERRORS)]


def open_notebook(page, server, notebook, ui=None, timeout=60_000):
    """Open the notebook and wait until its kernel has started and the page shows it idle."""
    page.goto(server.url(notebook, ui), timeout=timeout)
    page.locator(".jp-Notebook").first.wait_for(state="visible", timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        sessions = [s for s in server.api("/api/sessions") or []
                    if s.get("path", "") == Path(notebook).as_posix() and s.get("kernel")]
        if sessions and sessions[0]["kernel"].get("execution_state") == "idle":
            break
        time.sleep(0.25)
    else:
        raise TimeoutError(f"no idle kernel for {notebook} after {timeout / 1000:.0f} s")
    wait_kernel_idle(page, timeout)
    time.sleep(0.5)                       # let the page finish connecting to the kernel


def kernel_status(page):
    """The notebook's execution indicator: idle, busy, ... ('' before the kernel is there)."""
    indicator = page.locator(".jp-Notebook-ExecutionIndicator")
    return (indicator.first.get_attribute("data-status") or "") if indicator.count() else ""


def wait_kernel_idle(page, timeout=60_000):
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
        state="attached", timeout=timeout)


def code_cells_to_run(notebook_file):
    """How many code cells of the notebook have something to run (each gets an execution count)."""
    cells = json.loads(Path(notebook_file).read_text())["cells"]
    return sum(1 for cell in cells if cell["cell_type"] == "code" and "".join(cell["source"]).strip())


def prompts(page):
    """The input prompts of the code cells, e.g. ['[1]:', '[*]:', '[ ]:']."""
    return page.evaluate("""() => [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
                                  .map(p => p.textContent.trim())""")


def restart_and_run_all(page, timeout=30_000):
    """Run > Restart Kernel and Run All Cells..., accepting the confirmation dialog."""
    page.get_by_role("menuitem", name="Run", exact=True).first.click(timeout=timeout)
    item = page.locator("li[data-command='runmenu:restart-and-run-all']")
    item.first.wait_for(state="visible", timeout=timeout)
    item.first.click(timeout=timeout)
    dialog = page.locator(".jp-Dialog")
    dialog.locator(".jp-mod-accept").first.click(timeout=timeout)
    dialog.first.wait_for(state="detached", timeout=timeout)


def wait_for_run(page, expected, deadline, started_by=None):
    """Wait until `expected` code cells show an execution count, none shows '*', and the kernel stays
    idle for a second: True. False when no cell has started by `started_by` (a monotonic time; None
    waits for the deadline). TimeoutError at `deadline`."""
    calm_since = None
    while time.monotonic() < deadline:
        marks = prompts(page)
        counted = sum(1 for mark in marks if re.search(r"\d", mark))
        running = any("*" in mark for mark in marks)
        if counted >= expected and not running and kernel_status(page) == "idle":
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since > 1.0:
                return True
        else:
            calm_since = None
        if started_by is not None and not running and counted == 0 and time.monotonic() > started_by:
            return False                  # the run never began
        time.sleep(0.2)
    raise TimeoutError(f"cells still running when the time ran out: {prompts(page)}")


def run_all(page, expected, timeout=150_000, attempts=2):
    """Restart and run all, then wait as `wait_for_run` does. Retries the menu once if no cell
    starts running."""
    deadline = time.monotonic() + timeout / 1000
    for attempt in range(attempts):
        restart_and_run_all(page)
        if wait_for_run(page, expected, deadline, started_by=time.monotonic() + 20):
            return
    raise TimeoutError(f"Restart Kernel and Run All did not start a run: {prompts(page)}")


def find_app(page, control=LEARNING_RATE, timeout=60_000):
    """The output area of the app that has a control whose description matches `control`."""
    outputs = page.locator(".jp-OutputArea-output").filter(has=page.locator(".widget-image img, img.widget-image"))
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        for i in range(outputs.count()):
            area = outputs.nth(i)
            # textContent, not innerText: Lab skips rendering off-screen cells (content-visibility).
            labels = area.locator(".widget-label, label").all_text_contents()
            if any(control.search(text) for text in labels):
                area.scroll_into_view_if_needed()
                return area
        time.sleep(0.25)
    raise TimeoutError(f"no app with a control matching {control.pattern!r} appeared")


def app_image(area):
    return area.locator(".widget-image img, img.widget-image").first


def image_src(area):
    return app_image(area).get_attribute("src") or ""


def image_width(area):
    """The natural width of the app's picture once loaded (0 when nothing was drawn)."""
    return app_image(area).evaluate("img => (img.complete && img.naturalWidth) || 0")


def control_row(area, description):
    """The ipywidgets control (.widget-inline-hbox etc.) in `area` whose label matches description."""
    rows = area.locator(".widget-inline-hbox, .widget-hbox.widget-slider, .widget-dropdown, "
                        ".widget-toggle-buttons, .widget-radio")
    for i in range(rows.count()):
        row = rows.nth(i)
        label = row.locator(".widget-label").first
        if label.count() and description.search(label.text_content() or ""):
            return row
    raise LookupError(f"no control labelled {description.pattern!r}")


def nudge(page, area, description, drag=False):
    """Move a control one step, as a learner would: a slider by its handle and ArrowRight (or, with
    drag=True, by dragging the handle 30 px; leftwards at the end of its range), a dropdown to its next option, toggle buttons
    to the next button. Returns what was done."""
    row = control_row(area, description)
    handle = row.locator(".noUi-handle")
    if handle.count():
        if drag:
            now, high = (float(handle.first.get_attribute(name) or 0) for name in ("aria-valuenow", "aria-valuemax"))
            shift = -30 if now >= high else 30
            box = handle.first.bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(x, y)
            page.mouse.down()
            page.mouse.move(x + shift, y, steps=5)
            page.mouse.up()
            return f"slider dragged {shift:+d} px"
        now, high = (float(handle.first.get_attribute(name) or 0) for name in ("aria-valuenow", "aria-valuemax"))
        key = "ArrowLeft" if now >= high else "ArrowRight"      # at the end of its range: go back
        handle.first.focus()
        page.keyboard.press(key)
        return f"slider {key}"
    select = row.locator("select")
    if select.count():
        options = select.first.locator("option").all_inner_texts()
        current = select.first.evaluate("s => s.selectedIndex")
        target = options[(current + 1) % len(options)]
        select.first.select_option(label=target)
        return f"dropdown -> {target}"
    buttons = row.locator("button")
    if buttons.count():
        pressed = [i for i in range(buttons.count()) if "mod-active" in (buttons.nth(i).get_attribute("class") or "")]
        target = ((pressed[0] + 1) if pressed else 0) % buttons.count()
        buttons.nth(target).click()
        return f"button -> {buttons.nth(target).inner_text()}"
    raise LookupError(f"do not know how to move the control labelled {description.pattern!r}")


def readout(area, description):
    """The value a control shows (slider readout, selected option, pressed button)."""
    row = control_row(area, description)
    for selector in [".widget-readout", "select", "button.mod-active"]:
        found = row.locator(selector)
        if found.count():
            element = found.first
            return element.input_value() if selector == "select" else (element.text_content() or "")
    return ""


def wait_src_change(area, before, timeout=30_000, settle=1.0):
    """Until the app's picture differs from `before` and then stays the same for `settle` s."""
    deadline = time.monotonic() + timeout / 1000
    last, since = before, time.monotonic()
    while time.monotonic() < deadline:
        src = image_src(area)
        if src != last:
            last, since = src, time.monotonic()
        elif last != before and time.monotonic() - since >= settle:
            return last
        time.sleep(0.1)
    raise TimeoutError("the app's picture did not change" if last == before else "the picture kept changing")


def stderr_texts(page):
    return page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_text_contents()


def unexpected_stderr(page):
    """stderr outputs other than an unanswered exercise's NotImplementedError (or its one-line form)."""
    return [text for text in stderr_texts(page)
            if "NotImplementedError" not in text and "not answered yet" not in text]


def widget_errors(page):
    return page.get_by_text("Error displaying widget").count()


def screenshot_cell(area, path):
    """Screenshot the notebook cell holding `area` (Lab scrolls an inner panel, not the page)."""
    cell = area.locator("xpath=ancestor::div[contains(concat(' ', @class, ' '), ' jp-Cell ')][1]")
    target = cell if cell.count() else area
    target.scroll_into_view_if_needed()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(path))


# ------------------------------------------------------------------------------- every app, generically
APP_SELECTOR = ".nnlearn-app"           # the class nnlearn.widgets.App gives every app's root box


def run_all_cells(page, expected, timeout=180_000):
    """Run > Run All Cells on the kernel the page just started (no restart: a restart reconnects the
    kernel's websocket, the path where JupyterLab and jupyter_server can race, see test_browser.py),
    then wait as `wait_for_run` does."""
    page.get_by_role("menuitem", name="Run", exact=True).first.click(timeout=30_000)
    item = page.locator("li[data-command='runmenu:run-all']")
    item.first.wait_for(state="visible", timeout=30_000)
    item.first.click(timeout=30_000)
    wait_for_run(page, expected, time.monotonic() + timeout / 1000)


def apps_on_page(page):
    """Locators of every app's root box, in page order."""
    apps = page.locator(APP_SELECTOR)
    return [apps.nth(i) for i in range(apps.count())]


def app_name(app):
    """The app function the cell calls (e.g. 'loss_explorer'), else the app's title."""
    cell = app.locator("xpath=ancestor::div[contains(concat(' ', @class, ' '), ' jp-CodeCell ')][1]")
    source = cell.locator(".jp-InputArea .cm-content").first.text_content() if cell.count() else ""
    found = re.findall(r"widgets\.(\w+)\(", source or "")
    return found[-1] if found else (app.locator("b").first.text_content() or "app")[:40]


def app_picture(app):
    return app.locator(".widget-image, img.widget-image").first


def picture_src(app):
    return app_picture(app).get_attribute("src") or ""


def app_message(app):
    """The text of the app's message line (the HTML widget under its picture): a note or an error."""
    return app.evaluate("""(app) => { const img = app.querySelector('.widget-image');
        const next = img && img.nextElementSibling; return next ? next.innerText.trim() : ''; }""")


# Measures an app in the page: every problem a learner would see, as text.
LAYOUT_CHECK = """(app, minTrack) => {
  const problems = [];
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 &&
                             getComputedStyle(el).visibility !== 'hidden'; };
  const name = (el) => (el.textContent || el.value || el.className || '').trim().slice(0, 40);
  const area = app.closest('.jp-OutputArea-output') || app.parentElement;
  const box = area.getBoundingClientRect();
  // 1. slider tracks
  for (const slider of app.querySelectorAll('.widget-slider')) {
    if (!visible(slider)) continue;
    const track = slider.querySelector('.noUi-target') || slider.querySelector('.slider-container');
    const label = slider.querySelector('.widget-label');
    const width = track ? track.getBoundingClientRect().width : 0;
    if (width < minTrack) problems.push(`slider "${label ? name(label) : '?'}": track ${width.toFixed(0)} px wide (< ${minTrack})`);
    // label, track and readout side by side, not on top of each other
    const parts = [label, slider.querySelector('.slider-container'), slider.querySelector('.widget-readout')]
      .filter((el) => el && visible(el));
    for (let i = 0; i + 1 < parts.length; i++) {
      const a = parts[i].getBoundingClientRect(), b = parts[i + 1].getBoundingClientRect();
      if (a.right > b.left + 1 && a.top < b.bottom && b.top < a.bottom)
        problems.push(`slider "${label ? name(label) : '?'}": ${parts[i].className.split(' ')[0]} overlaps ${parts[i + 1].className.split(' ')[0]} by ${(a.right - b.left).toFixed(0)} px`);
    }
  }
  // 2. truncated text: labels, readouts, buttons, dropdowns
  for (const el of app.querySelectorAll('.widget-label, .widget-readout, button, .widget-html-content b')) {
    if (!visible(el) || !(el.textContent || '').trim()) continue;
    if (el.scrollWidth > el.clientWidth + 1)
      problems.push(`"${name(el)}" is cut (${el.scrollWidth} px of text in ${el.clientWidth} px)`);
  }
  const ctx = document.createElement('canvas').getContext('2d');
  for (const select of app.querySelectorAll('select')) {
    if (!visible(select) || select.selectedIndex < 0) continue;
    ctx.font = getComputedStyle(select).font;
    const text = select.options[select.selectedIndex].text;
    const need = ctx.measureText(text).width + 24;          // the arrow and the padding
    if (need > select.clientWidth + 1) problems.push(`dropdown "${text}" is cut (${need.toFixed(0)} px of text in ${select.clientWidth} px)`);
  }
  // 3. neighbouring controls do not overlap
  const leaves = [...app.querySelectorAll('.widget-slider, .widget-dropdown, .widget-toggle-buttons, .widget-button, .widget-checkbox, .widget-text, .widget-toggle-button, .widget-radio')]
    .filter((el) => visible(el) && !el.parentElement.closest('.widget-toggle-buttons, .widget-slider, .widget-dropdown'));
  for (let i = 0; i < leaves.length; i++) for (let j = i + 1; j < leaves.length; j++) {
    const a = leaves[i].getBoundingClientRect(), b = leaves[j].getBoundingClientRect();
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (w > 1 && h > 1) problems.push(`controls "${name(leaves[i])}" and "${name(leaves[j])}" overlap (${w.toFixed(0)} x ${h.toFixed(0)} px)`);
  }
  // 4. everything inside the cell's output: controls, text and the figure
  for (const el of [...leaves, ...app.querySelectorAll('.widget-html, img')]) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > box.right + 1 || r.left < box.left - 1)
      problems.push(`"${name(el) || el.tagName}" sticks out of the cell (${r.left.toFixed(0)}-${r.right.toFixed(0)} px, cell ${box.left.toFixed(0)}-${box.right.toFixed(0)} px)`);
  }
  const img = app.querySelector('img');
  if (!img || !img.complete || !img.naturalWidth) problems.push('no picture');
  if (area.scrollWidth > area.clientWidth + 1) problems.push(`the output scrolls sideways (${area.scrollWidth} px in ${area.clientWidth} px)`);
  return problems;
}"""


def layout_problems(app, min_track=120):
    """What is wrong with the app's layout as the page shows it now (an empty list when nothing)."""
    app.scroll_into_view_if_needed()
    return app.evaluate(LAYOUT_CHECK, min_track)


def app_controls(app):
    """Every control of an app a learner can move, as (kind, label, locator), in page order:
    sliders, dropdowns, toggle-button groups, checkboxes, number boxes, then plain buttons.

    Left out: controls not shown (display: none, e.g. the playground's buttons for layers it does
    not have) and controls an app marks with the class `nnlearn-not-moved` because they change no
    picture by design (the playground's export and state box; its own browser test covers them).
    """
    found = []
    sliders = app.locator(".widget-slider")
    for i in range(sliders.count()):
        row = sliders.nth(i)
        found.append(("slider", (row.locator(".widget-label").first.text_content() or "").strip(), row))
    selects = app.locator(".widget-dropdown")
    for i in range(selects.count()):
        row = selects.nth(i)
        found.append(("dropdown", (row.locator(".widget-label").first.text_content() or "").strip(), row))
    toggles = app.locator(".widget-toggle-buttons")
    for i in range(toggles.count()):
        row = toggles.nth(i)
        found.append(("toggles", (row.locator(".widget-label").first.text_content() or "").strip(), row))
    boxes = app.locator(".widget-checkbox")
    for i in range(boxes.count()):
        row = boxes.nth(i)
        found.append(("checkbox", (row.text_content() or "").strip(), row))
    texts = app.locator(".widget-text")
    for i in range(texts.count()):
        row = texts.nth(i)
        found.append(("number", (row.locator(".widget-label").first.text_content() or "").strip(), row))
    buttons = app.locator("button.widget-button:not(.widget-toggle-button)")
    for i in range(buttons.count()):
        button = buttons.nth(i)
        found.append(("button", (button.text_content() or "").strip(), button))
    found = [(kind, label, row) for kind, label, row in found
             if row.is_visible() and not row.evaluate("e => !!e.closest('.nnlearn-not-moved')")]
    # A reset-like button goes last, after the others moved something it can undo.
    return sorted(found, key=lambda item: (item[0] == "button" and re.search(r"reset|restart|clear", item[1], re.I) is not None))


def move(page, kind, row):
    """Move one control one step, as a learner would; returns what was done."""
    if kind == "slider":
        handle = row.locator(".noUi-handle").first
        now, high = (float(handle.get_attribute(name) or 0) for name in ("aria-valuenow", "aria-valuemax"))
        key = "ArrowLeft" if now >= high else "ArrowRight"
        handle.focus()
        page.keyboard.press(key)
        return key
    if kind == "dropdown":
        select = row.locator("select").first
        options = select.locator("option").all_inner_texts()
        target = options[(select.evaluate("s => s.selectedIndex") + 1) % len(options)]
        select.select_option(label=target)
        return f"-> {target}"
    if kind == "toggles":
        buttons = row.locator("button")
        pressed = [i for i in range(buttons.count()) if "mod-active" in (buttons.nth(i).get_attribute("class") or "")]
        target = ((pressed[0] + 1) if pressed else 0) % buttons.count()
        buttons.nth(target).click()
        return f"-> {(buttons.nth(target).text_content() or '').strip()}"
    if kind == "checkbox":
        row.locator("input").first.click()
        return "click"
    if kind == "number":
        box = row.locator("input").first
        box.focus()
        page.keyboard.press("ArrowUp")
        page.keyboard.press("Enter")
        return "ArrowUp"
    row.click()
    return "click"


def wait_picture_change(app, before, timeout=30_000, settle=0.5):
    """Until the app's picture differs from `before` and then stays the same for `settle` s;
    returns the new src, or None when it never changed."""
    deadline = time.monotonic() + timeout / 1000
    last, since = before, time.monotonic()
    while time.monotonic() < deadline:
        src = picture_src(app)
        if src != last:
            last, since = src, time.monotonic()
        elif last != before and time.monotonic() - since >= settle:
            return last
        time.sleep(0.05)
    return last if last != before else None


def shut_down_kernels(server):
    for session in server.api("/api/sessions") or []:
        try:
            server.api(f"/api/sessions/{session['id']}", method="DELETE", timeout=20)
        except Exception:
            pass
