"""Autograde submitted lessons: every notebook sandboxed, every verdict made outside it.

    cd /srv/nnlearn-course                 # the course folder (python exchange.py new DIR makes one)
    python /path/to/nnlearn/coursework/grade.py 02_loss_functions          # every submission of a lesson
    python .../grade.py 02_loss_functions --workers 2 --feedback
    python .../grade.py 02_loss_functions --scheduler tls://10.0.0.5:8786  # a Dask cluster, over TLS
    python .../grade.py 02_loss_functions --students ada,bo --timeout 30

It refuses a course folder that other accounts can enter, or that sits in this repository.
Per lesson, the coordinator (this process, the only one that touches the course):
1. computes the expected answers of the lesson's probes (hidden/<lesson>.py) from the
   source notebook's solutions, once;
2. reads each submission (submitted/<student>/<lesson>/*.ipynb) and rebuilds it from the source:
   invalid JSON is reported and skipped; empty or duplicate nbgrader metadata is dropped;
   deleted, moved, retyped or rewritten cells are restored by grade_id (a deleted answer cell
   comes back unanswered); the student's answers and own cells are kept, nothing else of theirs;
3. sends each rebuilt notebook, its code cells and the probes (inputs only) to a worker, which runs
   it in a bubblewrap sandbox (sandbox.py): `--workers N` local workers, or a Dask cluster;
   a worker that dies mid-batch has its submissions run again elsewhere;
4. parses the answers strictly and judges them: a check_<x> cell earns its points iff every PUBLIC
   probe of x matches the solution's answer, a hidden_<x> cell iff every HIDDEN probe does;
5. runs `nbgrader autograde` on the rebuilt notebooks with the verdicts (TrustedVerdicts in
   robust_grading.py fills the cells; nbgrader executes nothing), so the gradebook, autograded/,
   `nbgrader generate_feedback` and `nbgrader export` work as usual; autograded/ folders are
   replaced only once their new version is written;
6. reads the scores back from the gradebook, checks they are the verdicts, and prints a report.
Everything from a sandbox is hostile input (stream.py): a malformed or oversized message fails
that submission alone, with its name and the reason. A sandbox that cannot start is a grading
failure, never a grade: that submission is "not graded" and the gradebook keeps what it had.
Exit status: 0 when every submission was graded, 1 when some could not be (they are listed).
"""

import argparse
import glob
import hashlib
import os
import sys
import time

COURSEWORK = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, COURSEWORK)

import exchange  # noqa: E402
import sandbox  # noqa: E402
from gradebook import add_students, check_config, ensure_generated, nbgrader, read_scores, write_to_gradebook  # noqa: E402,E501
from judging import Lesson, exercise_scores  # noqa: E402
from stream import clean_outputs, printable  # noqa: E402
from submission import rebuild, runnable_cells, student_view  # noqa: E402

STUDENT_BUDGET = 300          # seconds one submission may take, sandbox restarts included
CELL_TIMEOUT = 60             # seconds per cell and per probe


def log_to(path):
    def write(text):
        with open(path, "a") as handle:
            handle.write(text.rstrip("\n") + "\n")
    return write


def find_submissions(root, lessons, students=None):
    """[(student, lesson, folder)] under root/submitted, sorted."""
    found = []
    for lesson in lessons:
        for folder in sorted(glob.glob(os.path.join(root, "submitted", "*", lesson))):
            student = os.path.basename(os.path.dirname(folder))
            if os.path.isdir(folder) and (not students or student in students):
                found.append((student, lesson, folder))
    return found


# --- 3. running the batch ----------------------------------------------------------------------------

def local_cluster(workers):
    """A Dask LocalCluster of `workers` processes speaking TLS with temporary certificates: another
    account on this machine cannot talk to its scheduler (a plain one would run its code here)."""
    from distributed import LocalCluster
    from distributed.security import Security

    paths = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = COURSEWORK + (os.pathsep + paths if paths else "")
    # dashboard_address=None does not turn the dashboard off (dask/distributed#8136): a free port on
    # loopback only, and no warning.
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, security=Security.temporary(),
                        protocol="tls://", dashboard_address="127.0.0.1:0", host="127.0.0.1", silence_logs=40)


def run_tasks(tasks, workers=1, scheduler=None, log=print, reduce=None, security=None):
    """{task key: reduce(key, sandbox result) or {"error": reason}}; on N local workers or a Dask
    cluster (a tls:// address; certificates from `security`, else Dask's configuration). reduce
    (default: keep the result) runs as each result arrives, so what is kept per submission is what
    it returns, not every answer the sandbox sent."""
    reduce = reduce or (lambda key, result: result)
    results = {}

    def keep(key, run):
        try:
            results[key] = reduce(key, run())
        except Exception as error:                         # noqa: BLE001 (reported per submission)
            results[key] = {"error": printable(f"{type(error).__name__}: {error}", 500)}

    if workers <= 1 and not scheduler:
        for task in tasks:
            keep(task["key"], lambda: sandbox.run_submission(task))
        return results
    from distributed import Client, as_completed
    from distributed.security import Security

    cluster = None
    if scheduler and not scheduler.startswith("tls://"):
        raise SystemExit(f"--scheduler {scheduler}: use a TLS address (tls://host:8786) with the certificates "
                         "in Dask's configuration (distributed.comm.tls): anyone who reaches a plain tcp:// "
                         "scheduler can run code in this process")
    if not scheduler:
        cluster = local_cluster(workers)
    client = Client(cluster) if cluster is not None else Client(scheduler, security=security or Security())
    try:
        futures = {client.submit(sandbox.run_submission, task, key=f"grade-{n}-{time.time_ns()}",
                                 pure=False, retries=2): task["key"] for n, task in enumerate(tasks)}
        for future in as_completed(futures):
            keep(futures[future], future.result)
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return results


# --- the whole command ---------------------------------------------------------------------------------

def grade(lessons, root=COURSEWORK, students=None, timeout=CELL_TIMEOUT, budget=STUDENT_BUDGET,
          feedback=False, workers=1, scheduler=None, use_sandbox=True, probe_timeout=None, log=print):
    """Grade every submission of `lessons`; returns the report dict (see format_report)."""
    root = os.path.abspath(root)
    log_path = os.path.join(root, "grading.log")
    check_config(root)
    if use_sandbox and sandbox.sandbox_status():
        raise SystemExit(f"cannot sandbox submissions here: {sandbox.sandbox_status()}")
    started = time.monotonic()
    results, failed = {}, {}
    timings = {"expected answers": 0.0, "sandboxes": 0.0, "nbgrader autograde": 0.0, "feedback": 0.0}
    import nbformat

    infos, prepared, tasks = {}, {}, []
    for lesson in lessons:
        ensure_generated(root, lesson, log_path, log)
        mark = time.monotonic()
        info = infos[lesson] = Lesson(root, lesson)
        timings["expected answers"] += time.monotonic() - mark
        for student, _, folder in find_submissions(root, [lesson], students):
            if os.path.islink(folder) or os.path.islink(os.path.dirname(folder)):
                failed[(student, lesson)] = "the submission folder is a link to another folder"
                continue
            paths = sorted(glob.glob(os.path.join(folder, "*.ipynb")))
            wanted = [p for p in paths if os.path.basename(p) == f"{lesson}.ipynb"]
            if not wanted:
                failed[(student, lesson)] = f"no {lesson}.ipynb in the submission folder"
                continue
            try:
                nb, repairs = rebuild(wanted[0], info.source)
            except Exception as error:                     # noqa: BLE001 (reported, others graded)
                failed[(student, lesson)] = f"{lesson}.ipynb is not a readable notebook: {error}"
                continue
            cells = runnable_cells(nb)
            prepared[(student, lesson)] = {"notebook": nb, "name": f"{lesson}.ipynb", "folder": folder,
                                           "repairs": repairs, "cells": cells}
            tasks.append({"key": (student, lesson), "notebook_name": f"{lesson}.ipynb",
                          "notebook_text": nbformat.writes(student_view(nb)), "cells": cells,
                          "probes": info.probe_tasks(),
                          "timeout": timeout, "probe_timeout": probe_timeout or timeout,
                          "budget": budget, "sandbox": use_sandbox, "hide": [root]})
    def reduce(key, result):                               # as each result arrives: bounded memory
        if "error" in result:
            return result
        item = prepared[key]
        verdicts = infos[key[1]].verdicts(result)
        outputs = {str(index): clean_outputs(result["outputs"].get(index, result["outputs"].get(str(index))))
                   for index, _, _ in item["cells"]}
        sources = {str(index): hashlib.sha256(source.encode()).hexdigest() for index, _, source in item["cells"]}
        return {"entry": {"graded": verdicts, "outputs": outputs, "sources": sources}, "verdicts": verdicts,
                "notes": result["notes"], "seconds": result["seconds"], "runs": result["runs"]}

    mark = time.monotonic()
    ran = run_tasks(tasks, workers, scheduler, log, reduce) if tasks else {}
    timings["sandboxes"] += time.monotonic() - mark
    graded = {}
    for key, item in prepared.items():
        result = ran.get(key, {"error": "the worker returned nothing"})
        if "error" in result:
            failed[key] = f"could not be run: {result['error']}"
            continue
        item.update(entry=result["entry"], verdicts=result["verdicts"], result=result)
        graded[key] = item
    add_students(root, {student for student, _ in graded})
    mark = time.monotonic()
    written = write_to_gradebook(root, graded, log_path) if graded else set()
    timings["nbgrader autograde"] += time.monotonic() - mark
    scores = {lesson: read_scores(root, lesson) for lesson in lessons}
    for (student, lesson), item in graded.items():
        entry = scores[lesson].get(student)
        if (student, lesson) not in written or entry is None:
            failed[(student, lesson)] = f"nbgrader autograde did not record it; see {log_path}"
            continue
        cells = {gid: score for gid, (score, _) in entry["cells"].items()}
        wanted = {gid: v["points"] for gid, v in item["verdicts"].items()}
        disagree = {gid: (cells.get(gid), points) for gid, points in wanted.items() if cells.get(gid) != points}
        results[(student, lesson)] = {
            "score": entry["score"], "max_score": entry["max_score"], "cells": entry["cells"],
            "exercises": exercise_scores(entry["cells"]), "flagged": entry["flagged"],
            "repairs": item["repairs"], "notes": item["result"]["notes"],
            "reasons": {gid: v["reasons"] for gid, v in item["verdicts"].items() if v["reasons"]},
            "disagree": disagree, "seconds": item["result"]["seconds"], "runs": item["result"]["runs"]}
    mark = time.monotonic()
    if feedback and results:
        done = sorted({lesson for _, lesson in results})
        target = done[0] if len(done) == 1 else "*"
        others = {os.path.basename(os.path.dirname(folder))
                  for folder in glob.glob(os.path.join(root, "autograded", "*", target))} - {s for s, _ in results}
        only = [f"--CourseDirectory.student_id_exclude={','.join(sorted(others))}"] if others else []
        if nbgrader(["generate_feedback", target, "--force", *only], root, 600 + 5 * len(results),
                    log_path) != 0:
            log(f"nbgrader generate_feedback {target} reported an error; see {log_path}")
    timings["feedback"] = time.monotonic() - mark
    seconds = time.monotonic() - started
    report = {"results": results, "failed": failed, "seconds": seconds, "timings": timings,
              "seconds_per_submission": seconds / max(1, len(results) + len(failed))}
    log(format_report(report))
    return report


def format_report(report):
    lines = []
    for (student, lesson), result in sorted(report["results"].items()):
        exercises = ", ".join(f"{name} {got:g}/{out_of:g}"
                              for name, (got, out_of) in sorted(result["exercises"].items()))
        lines.append(f"{lesson}  {student}: {result['score']:g}/{result['max_score']:g}  ({exercises})")
        for change in result["repairs"]:
            lines.append(f"    repaired: {change}")
        for note in result["notes"]:
            lines.append(f"    note: {note}")
        for gid, reasons in sorted(result["reasons"].items()):
            lines.append(f"    {gid}: " + "; ".join(f"{key}: {why}" for key, why in list(reasons.items())[:3]))
        if result["disagree"]:
            lines.append(f"    GRADEBOOK DISAGREES WITH THE VERDICTS (gradebook, verdict): {result['disagree']}")
        if result["flagged"]:
            lines.append(f"    needs manual grading: {', '.join(result['flagged'])}")
    for (student, lesson), reason in sorted(report["failed"].items()):
        lines.append(f"{lesson}  {student}: NOT GRADED: {reason}")
    lines.append(f"{len(report['results'])} submissions graded in {report['seconds']:.0f} s "
                 f"({report['seconds_per_submission']:.1f} s each), {len(report['failed'])} not graded.")
    lines.append("time: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in report["timings"].items()))
    # a student's text (names, notes, reasons) never moves the cursor, colours or adds a line
    return "\n".join(printable(line).replace("\n", " ").replace("\t", " ") for line in lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lessons", nargs="+", help="lesson names, e.g. 02_loss_functions")
    parser.add_argument("--students", help="comma-separated student ids (default: all)")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT,
                        help=f"seconds per cell and per probe (default {CELL_TIMEOUT})")
    parser.add_argument("--probe-timeout", type=int, help="seconds per probe (default: --timeout)")
    parser.add_argument("--budget", type=int, default=STUDENT_BUDGET,
                        help=f"seconds per submission in all (default {STUDENT_BUDGET})")
    parser.add_argument("--workers", type=int, default=1, help="local worker processes (Dask LocalCluster)")
    parser.add_argument("--scheduler", help="address of a Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--feedback", action="store_true", help="then run nbgrader generate_feedback")
    parser.add_argument("--root", default=os.getcwd(),
                        help="the course folder (default: the current folder; see exchange.py new)")
    parser.add_argument("--in-repository", action="store_true",
                        help="allow a course folder inside this repository (development only)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run submissions without the sandbox (benchmarks only: NOT SAFE)")
    args = parser.parse_args(argv)
    problems = exchange.course_problems(args.root, allow_repository=args.in_repository)
    if problems:
        raise SystemExit("the course folder is not safe to grade in:\n  " + "\n  ".join(problems))
    if os.stat(exchange.REPO).st_mode & 0o005:
        print(f"warning: other accounts can read {exchange.REPO}, which holds the answer key "
              f"(chmod 700 {exchange.REPO} where students have accounts)")
    students = set(args.students.split(",")) if args.students else None
    report = grade(args.lessons, root=args.root, students=students, timeout=args.timeout,
                   budget=args.budget, feedback=args.feedback, workers=args.workers,
                   scheduler=args.scheduler, use_sandbox=not args.no_sandbox,
                   probe_timeout=args.probe_timeout)
    return 1 if report["failed"] or any(r["disagree"] for r in report["results"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
