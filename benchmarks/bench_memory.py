"""Does the kernel's memory stay flat while a learner works?

    python benchmarks/bench_memory.py [--rebuilds 10] [--moves 1000] [--lessons 2] [--only rebuild,moves,lessons]

1. Re-building: every app exported by nnlearn.widgets is built once (warm-up), then built and
   closed `--rebuilds` times, as re-running its cell does (re-running a cell closes the app the
   cell built before, see nnlearn/widgets/app.py). Printed: RSS growth per app. Goal < 20 MB.
2. Moves: every app is built and its value controls (sliders, dropdowns, toggles; not buttons)
   are set `--moves` times in all, each move one of ~10 values of a control picked at random (seed 0),
   so that the moves reach many combinations of settings, as a long session does.
   Printed: RSS growth per app over the moves (after 20 warm-up moves). Goal < 30 MB.
3. Lessons: every coursework/source lesson runs top to bottom `--lessons` times in ONE kernel, cell
   by cell (a second run is every cell re-run). Printed: the kernel's RSS after each lesson, and
   the peak. Goal: peak < 1 GB (Binder gives a learner 1-2 GB).

RSS is read from /proc after a garbage collection and glibc's malloc_trim (so that memory freed
by Python is handed back and RSS means "still held"). Wall-clock matters little here, but on a
busy machine the moves take minutes; lower --moves to sample.
"""

import argparse
import ctypes
import gc
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

GOAL_REBUILD_MB, GOAL_MOVES_MB, GOAL_LESSONS_MB = 20.0, 30.0, 1000.0


def rss_mb(pid="self"):
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def settle():
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    return rss_mb()


def verdict(ok):
    return "PASS" if ok else "MISS"


def bench_rebuilds(apps, rebuilds):
    print(f"1. Re-building each app {rebuilds} times (each old one closed, as a re-run cell does)")
    worst = 0.0
    for name, build in apps:
        build().close()
        before = settle()
        start = time.perf_counter()
        for _ in range(rebuilds):
            build().close()
        growth = settle() - before
        worst = max(worst, growth)
        print(f"  {name:<26} {growth:+7.1f} MB   ({(time.perf_counter() - start) / rebuilds:.1f} s per build)")
    print(f"  worst {worst:+.1f} MB -> {verdict(worst < GOAL_REBUILD_MB)} (goal < {GOAL_REBUILD_MB:.0f} MB per app)")
    return worst < GOAL_REBUILD_MB


def value_moves(control):
    from bench_apps import moves
    import ipywidgets as widgets

    if isinstance(control, widgets.Button):
        return []
    return moves(control)


def bench_moves(apps, total):
    print(f"\n2. {total} moves of every app's value controls")
    worst = 0.0
    for name, build in apps:
        app = build()
        actions = [action for control in app.controls.values() for _, action in value_moves(control)]
        if not actions:
            print(f"  {name:<26} no value control")
            app.close()
            continue
        for action in actions[:20]:
            action()
        before = settle()
        start = time.perf_counter()
        rng = random.Random(0)                           # random moves reach new combinations of settings
        for _ in range(total):
            rng.choice(actions)()
        growth = settle() - before
        worst = max(worst, growth)
        print(f"  {name:<26} {growth:+7.1f} MB   ({1e3 * (time.perf_counter() - start) / total:.0f} ms per move)")
        app.close()
    print(f"  worst {worst:+.1f} MB -> {verdict(worst < GOAL_MOVES_MB)} (goal < {GOAL_MOVES_MB:.0f} MB per app)")
    return worst < GOAL_MOVES_MB


def bench_lessons(runs):
    import nbformat
    from jupyter_client.manager import start_new_kernel

    print(f"\n3. Every lesson top to bottom, {runs} times, in one kernel")
    paths = sorted(p for p in (ROOT / "coursework" / "source").glob("*/*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    manager, client = start_new_kernel(kernel_name="python3", env=env, cwd=str(ROOT))
    pid = manager.provisioner.process.pid
    peak = rss_mb(pid)
    try:
        for run in range(1, runs + 1):
            for path in paths:
                client.execute_interactive(f"import os; os.chdir({str(path.parent)!r})", timeout=60,
                                           output_hook=lambda msg: None)
                start = time.perf_counter()
                errors = 0
                for cell in nbformat.read(path, as_version=4).cells:
                    if cell.cell_type != "code" or not cell.source.strip():
                        continue
                    reply = client.execute_interactive(cell.source, timeout=300, output_hook=lambda msg: None)
                    errors += reply["content"]["status"] != "ok"
                client.execute_interactive("import gc, ctypes; gc.collect(); _ = ctypes.CDLL('libc.so.6').malloc_trim(0)",
                                           timeout=60, output_hook=lambda msg: None)
                now = rss_mb(pid)
                peak = max(peak, now)
                print(f"  run {run} {path.stem:<22} RSS {now:7.0f} MB   ({time.perf_counter() - start:5.1f} s"
                      + (f", {errors} cells failed" if errors else "") + ")")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    print(f"  peak {peak:.0f} MB -> {verdict(peak < GOAL_LESSONS_MB)} (goal < {GOAL_LESSONS_MB:.0f} MB)")
    return peak < GOAL_LESSONS_MB


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuilds", type=int, default=10)
    parser.add_argument("--moves", type=int, default=1000)
    parser.add_argument("--lessons", type=int, default=2)
    parser.add_argument("--only", default="rebuild,moves,lessons")
    parser.add_argument("--apps", default="", help="comma-separated app names (default: all)")
    args = parser.parse_args(argv)
    from bench_apps import discover_apps

    apps = discover_apps()
    if args.apps:
        apps = [(name, build) for name, build in apps if name in args.apps.split(",")]
    print(f"nnlearn memory benchmark: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, "
          f"this process {rss_mb():.0f} MB")
    only = set(args.only.split(","))
    results = []
    if "rebuild" in only:
        results.append(bench_rebuilds(apps, args.rebuilds))
    if "moves" in only:
        results.append(bench_moves(apps, args.moves))
    if "lessons" in only:
        results.append(bench_lessons(args.lessons))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
