"""How quickly do the apps answer a slider, and how long does each lesson take to run?

    python benchmarks/bench_apps.py                   (a few minutes; --apps or --notebooks for one half)

1. Apps: every app function exported by `nnlearn.widgets` is built and driven through its
   controls, the way a learner's mouse drives them: sliders through ~10 values across their range,
   dropdowns and toggles through every option, buttons clicked. Setting `control.value`
   recomputes and redraws before it returns (see nnlearn/widgets/app.py), so the time from the
   assignment to its return, with App.renders counted up, is the latency a learner sees (minus the
   browser's image paint). Printed per app and control: median and 95th percentile in ms.
   Goals: overall median < 50 ms, 95th percentile < 100 ms.
2. Lessons: every coursework/source/NN_topic/NN_topic.ipynb that exists is executed top to bottom
   on a fresh python3 kernel with nbclient (timeout 120 s per cell). Printed: seconds per notebook
   (kernel start included, as a learner's "Run all" has it) and the total.
   Goals: each < 30 s, total < 120 s.

Timings are wall-clock: a busy machine makes them longer, never shorter. For the apps the CPU
time of this process is printed beside, to tell a slow app from a busy machine.
"""

import argparse
import inspect
import os
import pathlib
import subprocess
import sys
import time

import numpy as np

os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = pathlib.Path(__file__).resolve().parents[1]
SKIP = {"App", "AppMessage", "log_slider"}
SLIDER_VALUES = 10
GOAL_MEDIAN_MS, GOAL_P95_MS = 50.0, 100.0
GOAL_NOTEBOOK_S, GOAL_TOTAL_S = 30.0, 120.0


def verdict(passed):
    return "PASS" if passed else "MISS"


def discover_apps():
    """(name, function) for every public function in nnlearn.widgets that is an app builder."""
    import nnlearn.widgets as apps

    names = getattr(apps, "__all__", None) or [name for name in dir(apps) if not name.startswith("_")]
    found = []
    for name in names:
        function = getattr(apps, name, None)
        if name in SKIP or not inspect.isfunction(function):
            continue
        if not function.__module__.startswith("nnlearn.widgets") or function.__module__ == "nnlearn.widgets.app":
            continue                                            # the frame's helpers are not apps
        required = [p for p in inspect.signature(function).parameters.values()
                    if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if not required:
            found.append((name, function))
    return sorted(found)


def slider_values(control):
    """About ten values spread over a slider's range (log-spaced for a log slider)."""
    import ipywidgets as widgets

    if isinstance(control, widgets.FloatLogSlider):
        exponents = np.linspace(control.min, control.max, SLIDER_VALUES)
        return [float(control.base ** e) for e in exponents]
    values = np.linspace(control.min, control.max, SLIDER_VALUES)
    if isinstance(control, (widgets.IntSlider, widgets.BoundedIntText)):
        return sorted({int(round(v)) for v in values})
    return [float(v) for v in values]


def moves(control):
    """What to do to a control: a list of (label, action) pairs, each action one user move."""
    import ipywidgets as widgets

    def setter(attribute, value):
        return lambda: setattr(control, attribute, value)

    if isinstance(control, widgets.Button):
        return [("click", control.click)] * 5
    if isinstance(control, (widgets.IntRangeSlider, widgets.FloatRangeSlider)):
        low, high = control.min, control.max
        span = high - low
        return [(f"{v}", setter("value", v)) for v in
                [(low, low + span / 2), (low + span / 4, high), (low, high)]]
    if isinstance(control, (widgets.FloatLogSlider, widgets.IntSlider, widgets.FloatSlider,
                            widgets.BoundedIntText, widgets.BoundedFloatText)):
        values = [v for v in slider_values(control) if v != control.value]
        return [(f"{v:g}", setter("value", v)) for v in values]
    if isinstance(control, widgets.widget_selection._Selection):           # dropdowns, toggle buttons
        indices = [i for i in range(len(control.options)) if i != control.index]

        def select(i):          # the options may change (the playground's datasets follow its problem type)
            return lambda: setattr(control, "index", i % len(control.options))
        return [(str(control.options[i]), select(i)) for i in indices + [control.index or 0]]
    if isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        return [("toggle", setter("value", not control.value)), ("toggle back", setter("value", control.value))]
    return []


def bench_app(name, function):
    """Build the app and drive every control from the app's starting state.

    Returns the build time in ms, {control: [(wall ms, cpu ms), ...]} and notes. After each
    control's sweep it is set back to its first value (untimed), so every control is measured
    from the defaults the learner first sees.
    """
    import matplotlib.pyplot as plt

    start = time.perf_counter()
    app = function()
    build_ms = 1e3 * (time.perf_counter() - start)
    timings, notes = {}, []
    for control_name, control in app.controls.items():
        initial = getattr(control, "value", None)
        samples = []
        for label, action in moves(control):
            before = app.renders
            wall, cpu = time.perf_counter(), time.process_time()
            action()
            wall, cpu = 1e3 * (time.perf_counter() - wall), 1e3 * (time.process_time() - cpu)
            if app.renders > before:
                samples.append((wall, cpu))
            else:
                message = getattr(getattr(app, "message", None), "value", "")
                notes.append(f"{control_name}={label} did not redraw" + (f" (message: {message})" if message else ""))
        if samples:
            timings[control_name] = samples
        elif not moves(control):
            notes.append(f"{control_name} ({type(control).__name__}) has no range to drive; skipped")
        if hasattr(control, "value") and control.value != initial:
            control.value = initial
    plt.close(app.figure)
    return build_ms, timings, notes


def run_apps():
    print("1. Apps: latency from setting a control to the redrawn figure")
    apps = discover_apps()
    if not apps:
        print("  no apps found in nnlearn.widgets")
        return []
    every = []
    for name, function in apps:
        try:
            build_ms, timings, notes = bench_app(name, function)
        except Exception as error:                              # report and go on with the others
            print(f"  {name}: FAILED to build or drive: {type(error).__name__}: {error}")
            continue
        print(f"  {name}  (built in {build_ms:.0f} ms)")
        for control, samples in timings.items():
            every.extend(samples)
            wall, cpu = np.array(samples).T
            print(f"    {control:<20} median {np.median(wall):6.1f} ms   p95 {np.percentile(wall, 95):6.1f} ms"
                  f"   (CPU {np.median(cpu):5.1f} / {np.percentile(cpu, 95):5.1f} ms, {len(samples)} moves)")
        for note in notes:
            print(f"    note: {note}")
    if not every:
        return []
    wall, cpu = np.array(every).T
    median, p95 = float(np.median(wall)), float(np.percentile(wall, 95))
    cpu_median, cpu_p95 = float(np.median(cpu)), float(np.percentile(cpu, 95))
    print(f"  overall: median {median:.1f} ms, p95 {p95:.1f} ms over {len(every)} moves of {len(apps)} apps")
    print(f"  CPU time of this process per move: median {cpu_median:.1f} ms, p95 {cpu_p95:.1f} ms "
          "(close to the wall clock on an idle machine; much lower means other programs held the CPU)")
    return [(f"app median < {GOAL_MEDIAN_MS:.0f} ms", median < GOAL_MEDIAN_MS, f"{median:.1f} ms (CPU {cpu_median:.1f} ms)"),
            (f"app p95 < {GOAL_P95_MS:.0f} ms", p95 < GOAL_P95_MS, f"{p95:.1f} ms (CPU {cpu_p95:.1f} ms)")]


def run_notebooks():
    print("\n2. Lessons: each coursework notebook executed top to bottom on a fresh kernel")
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError as error:
        print(f"  skipped: {error}")
        return []
    paths = sorted((ROOT / "coursework" / "source").glob("*/*.ipynb"))
    paths = [p for p in paths if ".ipynb_checkpoints" not in p.parts]
    if not paths:
        print("  no notebooks in coursework/source yet")
        return []
    total, results, slowest = 0.0, [], 0.0
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(notebook, timeout=120, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        try:
            client.execute(stderr=subprocess.DEVNULL)           # the kernel's start-up chatter; errors still come back
            status = ""
        except Exception as error:                              # a failing lesson is reported, not fatal
            status = f"  FAILED: {type(error).__name__}: {str(error).strip().splitlines()[-1][:150] if str(error).strip() else ''}"
            results.append((f"{path.stem} runs without errors", False, "see above"))
        seconds = time.perf_counter() - start
        total += seconds
        slowest = max(slowest, seconds)
        print(f"  {path.stem:<22} {seconds:6.1f} s{status}")
    print(f"  total {total:.1f} s for {len(paths)} notebooks")
    return results + [(f"each notebook < {GOAL_NOTEBOOK_S:.0f} s", slowest < GOAL_NOTEBOOK_S, f"slowest {slowest:.1f} s"),
                      (f"all notebooks < {GOAL_TOTAL_S:.0f} s", total < GOAL_TOTAL_S, f"{total:.1f} s")]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", action="store_true", help="only the apps")
    parser.add_argument("--notebooks", action="store_true", help="only the notebooks")
    args = parser.parse_args(argv)
    both = not (args.apps or args.notebooks)
    import matplotlib
    import numpy
    print(f"nnlearn app benchmark: python {sys.version.split()[0]}, numpy {numpy.__version__}, "
          f"matplotlib {matplotlib.__version__}, {os.cpu_count()} CPUs")
    results = []
    if both or args.apps:
        results += run_apps()
    if both or args.notebooks:
        results += run_notebooks()
    print("\nGoals")
    for goal, passed, detail in results:
        print(f"  {verdict(passed)}  {goal}: {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
