"""Grading throughput: a class of synthetic submissions graded at ``--jobs 1`` and ``--jobs 2``.

For each assignment a fresh release is built in a temporary folder and a class of ``--size`` (default 50)
submissions is derived from it, five kinds in turn: the reference solution, the blank student edition, a
partly wrong one (the first graded function replaced by one that raises ``NotImplementedError``), one
whose every graded function returns ``None``, and one that ends its own process after running the whole
notebook (``os._exit``). The class is graded with ``jobs=1`` and again with ``jobs=2``; the grades (status,
score, per-question scores, messages) must be identical. Printed per assignment: submissions per minute at
each, the ratio, and whether the grades agree (exit status 1 if they do not).

    python tools/bench_grading.py                     # every assignment, classes of 50
    python tools/bench_grading.py --ids a1_rnn_bptt --size 10
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from course_utils.grading import assignments as registry  # noqa: E402
from course_utils.grading.grader import grade_directory, load_tests, with_cells  # noqa: E402
from course_utils.grading.release import release  # noqa: E402

KINDS = ("reference", "blank", "partial", "none", "crash")


def graded_functions(autograder: Path) -> list[str]:
    """The submission's names the tests call, in the order the tests first use them."""
    names: list[str] = []
    for case in load_tests(autograder):
        for name in inspect.signature(case.function).parameters:
            if name not in ("np", "numpy") and name not in names:
                names.append(name)
    return names


def make_class(dist: Path, assignment_id: str, folder: Path, size: int) -> None:
    """Write ``size`` submissions of the five kinds (in turn) into ``folder``."""
    autograder = dist / "autograder" / assignment_id / f"{assignment_id}.ipynb"
    solution = json.loads(autograder.read_text())
    blank = json.loads((dist / "student" / assignment_id / f"{assignment_id}.ipynb").read_text())
    functions = graded_functions(autograder)
    stub = "def {}(*args, **kwargs):\n    {}\n"
    variants = {
        "reference": solution,
        "blank": blank,
        "partial": with_cells(solution, stub.format(functions[0], "raise NotImplementedError")),
        "none": with_cells(solution, "".join(stub.format(f, "return None") for f in functions)),
        "crash": with_cells(solution, "import os\nos._exit(1)\n"),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(size):
        kind = KINDS[k % len(KINDS)]
        (folder / f"s{k:03d}_{kind}.ipynb").write_text(json.dumps(variants[kind]))


def bench(assignment_id: str, size: int, work: Path) -> dict:
    dist = work / "dist"
    release([assignment_id], dist=dist)
    folder = work / assignment_id
    make_class(dist, assignment_id, folder, size)
    out: dict = {"assignment": assignment_id, "size": size}
    load_before = os.getloadavg()[0]
    grades = {}
    for jobs in (1, 2):
        start = time.perf_counter()
        rows = grade_directory(
            assignment_id, folder, work / f"{assignment_id}-jobs{jobs}.csv", dist=dist, jobs=jobs
        )
        seconds = time.perf_counter() - start
        out[f"seconds_jobs{jobs}"] = round(seconds, 1)
        out[f"per_minute_jobs{jobs}"] = round(60 * len(rows) / seconds, 1)
        grades[jobs] = [{k: v for k, v in r.items() if k != "seconds"} for r in rows]
        out[f"statuses_jobs{jobs}"] = {
            s: sum(r["status"] == s for r in rows) for s in sorted({r["status"] for r in rows})
        }
    out["ratio"] = round(out["per_minute_jobs2"] / out["per_minute_jobs1"], 2)
    out["identical_grades"] = grades[1] == grades[2]
    # each row keeps its own date and load: a later run of one assignment merges into the file
    out["date"] = time.strftime("%Y-%m-%d")
    out["load_average"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", nargs="*", default=list(registry.ASSIGNMENTS))
    parser.add_argument("--size", type=int, default=50, help="submissions per class")
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "docs" / "grading_throughput.json",
        help="results file (make bench puts it in BENCHMARKS.md); '-' writes none",
    )
    args = parser.parse_args(argv)
    results = []
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    print("| assignment | class | jobs 1 (subm./min) | jobs 2 (subm./min) | ratio | same grades |")
    print("|---|---:|---:|---:|---:|---|", flush=True)
    for assignment_id in args.ids:
        registry.get(assignment_id)
        with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
            r = bench(assignment_id, args.size, Path(tmp))
        results.append(r)
        print(
            f"| {assignment_id} | {r['size']} | {r['per_minute_jobs1']} ({r['seconds_jobs1']} s) "
            f"| {r['per_minute_jobs2']} ({r['seconds_jobs2']} s) | {r['ratio']} "
            f"| {'yes' if r['identical_grades'] else 'NO'} |",
            flush=True,
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(json.dumps(results))
    if str(args.out) != "-":
        old = json.loads(args.out.read_text()) if args.out.exists() else {}
        rows = {r["assignment"]: r for r in old.get("results", [])}
        rows.update({r["assignment"]: r for r in results})
        args.out.write_text(
            json.dumps(
                # each row carries its own date and load (rows of other runs are kept)
                {"cores": os.cpu_count(), "results": [rows[k] for k in sorted(rows)]},
                indent=1,
            )
            + "\n"
        )
    return 0 if all(r["identical_grades"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
