"""How fast the sandboxed grader goes: seconds per submission, 1 and 2 workers, with and without
the sandbox, and what a class of 300 would take.

    python benchmarks/bench_grading.py                     # 100 submissions of lesson 00
    python benchmarks/bench_grading.py --submissions 20 --lesson 00_learning_loop

Submissions are a mix of solutions, unanswered and planted-bug notebooks. Measured: the sandbox
phase (run_tasks: every notebook and its probes, on local Dask workers for 2) with and without
bubblewrap, then one whole `grade.py` run (expected answers, sandboxes, nbgrader autograde,
feedback) with the sandbox on 2 workers. The load average is printed with the figures: on a
shared machine they are upper bounds. Needs root and bubblewrap for the sandboxed rows.
"""

import argparse
import copy
import os
import resource
import shutil
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COURSEWORK = os.path.join(REPO, "coursework")
sys.path[:0] = [COURSEWORK, os.path.join(REPO, "tests")]


def make_course(lesson, count, tmp):
    import nbformat
    from course import SOURCE, grade_id, load, release

    os.makedirs(os.path.join(tmp, "src"))
    shutil.copytree(SOURCE / lesson, os.path.join(tmp, "src", lesson))
    course = os.path.join(tmp, "course")
    release.build(os.path.join(tmp, "src"), workdir=course)
    released = nbformat.read(os.path.join(course, "release", lesson, f"{lesson}.ipynb"), as_version=4)
    source = nbformat.read(SOURCE / lesson / f"{lesson}.ipynb", as_version=4)
    solutions = {grade_id(c)[3:]: c.source for c in source.cells if grade_id(c).startswith("ex_")}
    buggy = getattr(load("bench_submissions", os.path.join(REPO, "tests", "submissions", f"{lesson}.py")), "BUGGY", {})
    kinds = [dict(solutions), {}] + [dict(solutions, **{name: code}) for name, code in buggy.items()]
    for number in range(count):
        nb = copy.deepcopy(released)
        answers = kinds[number % len(kinds)]
        for cell in nb.cells:
            if grade_id(cell).startswith("ex_") and grade_id(cell)[3:] in answers:
                cell.source = answers[grade_id(cell)[3:]]
        folder = os.path.join(course, "submitted", f"student{number:03d}", lesson)
        os.makedirs(folder)
        nbformat.write(nb, os.path.join(folder, f"{lesson}.ipynb"))
    return course


def tasks_for(course, lesson, use_sandbox):
    import nbformat
    import grade

    info = grade.Lesson(course, lesson)
    tasks = []
    for student, _, folder in grade.find_submissions(course, [lesson]):
        nb, _ = grade.rebuild(os.path.join(folder, f"{lesson}.ipynb"), info.source)
        tasks.append({"key": student, "notebook_name": f"{lesson}.ipynb",
                      "notebook_text": nbformat.writes(grade.student_view(nb)), "cells": grade.runnable_cells(nb),
                      "probes": [[k, p.code] for k, p in info.probes.items()], "timeout": 120,
                      "budget": 600, "sandbox": use_sandbox, "hide": [course]})
    return info, tasks


def cpu_of_self():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--lesson", default="00_learning_loop")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--no-end-to-end", action="store_true", help="skip the whole grade.py run")
    args = parser.parse_args(argv)
    import grade
    import sandbox

    workers = [int(w) for w in args.workers.split(",")]
    modes = [False] + ([True] if not sandbox.sandbox_status() else [])
    if len(modes) == 1:
        print(f"sandboxed rows skipped: {sandbox.sandbox_status()}")
    tmp = tempfile.mkdtemp(prefix="nnlearn-bench-grading-")
    try:
        course = make_course(args.lesson, args.submissions, tmp)
        figures = {}
        print(f"{args.submissions} submissions of {args.lesson}, {os.cpu_count()} cores")
        print(f"{'sandbox':8} {'workers':>7} {'seconds':>8} {'s/submission':>13} {'CPU s/submission':>17} {'load':>6}")
        for use_sandbox in modes:
            info, tasks = tasks_for(course, args.lesson, use_sandbox)
            for count in workers:
                started, cpu = time.monotonic(), cpu_of_children()
                results = grade.run_tasks(tasks, workers=count)
                seconds, cpu = time.monotonic() - started, cpu_of_children() - cpu
                # a sandbox's processes are killed with their pid namespace: their CPU time is not
                # reported to us, so the CPU column is for runs without the sandbox only
                cpu_text = (f"{cpu / len(tasks):17.2f}" if count == 1 and not use_sandbox
                            else f"{'(not measured)':>17}")
                bad = [key for key, r in results.items() if "error" in r]
                figures[(use_sandbox, count)] = seconds / len(tasks)
                print(f"{'yes' if use_sandbox else 'no':8} {count:7d} {seconds:8.1f} {seconds / len(tasks):13.2f} "
                      f"{cpu_text} {os.getloadavg()[0]:6.1f}" + (f"  {len(bad)} failed" if bad else ""))

        for count in workers:
            if (True, count) in figures:
                print(f"sandbox overhead with {count} worker(s): "
                      f"{figures[(True, count)] - figures[(False, count)]:+.2f} s per submission")
        if not args.no_end_to_end:
            use_sandbox = True in modes
            count = max(workers)
            started, cpu = time.monotonic(), cpu_of_children() + cpu_of_self()
            report = grade.grade([args.lesson], root=course, workers=count, feedback=True,
                                 use_sandbox=use_sandbox, log=lambda _: None)
            seconds = time.monotonic() - started
            cpu = cpu_of_children() + cpu_of_self() - cpu
            per = seconds / args.submissions
            print(f"whole grade.py --workers {count} --feedback ({'sandboxed' if use_sandbox else 'no sandbox'}): "
                  f"{seconds:.0f} s, {per:.2f} s per submission ("
                  + ", ".join(f"{k} {v:.0f} s" for k, v in report["timings"].items())
                  + f"); load {os.getloadavg()[0]:.1f}")
            print(f"  CPU outside the workers (coordinator, nbgrader): {cpu / args.submissions:.2f} s per submission")
            print(f"300 students x one lesson at this rate: {300 * per / 60:.1f} minutes")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
