"""``make bench``: how fast and how lean the course runs, and what each demonstration reaches.

Every lecture notebook (and every assignment's reference solution) is executed in a fresh kernel, from
its own folder, as a student would run it. For each we record the wall time, the peak resident memory of
the kernel process, and the headline numbers the notebook recorded or claimed through ``course_utils.claims``.
Then the long-lag memory comparison is repeated over several seeds, and the course's batched NumPy BPTT
trainer is timed against the classic one-sequence-at-a-time NumPy char-RNN. Results go to
``BENCHMARKS.md`` (table, machine, date, budgets), ``docs/benchmarks.png`` and ``docs/benchmarks.json``.

    python tools/bench.py                 # everything (several minutes)
    python tools/bench.py --only 03 06    # some notebooks, no extras
    python tools/bench.py --one PATH      # internal: run one notebook, print one JSON line
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from kernel_env import kernel_env  # noqa: E402

BUDGET_SECONDS = 60.0  # per notebook, 2 CPU cores
BUDGET_MB = 1200.0  # per notebook, peak resident memory of the kernel (Binder gives 2 GB)
BUDGET_TOTAL_SECONDS = 300.0  # the whole course


def run_one(path: Path) -> dict:
    """Execute one notebook in a fresh kernel (this process's only child); time it and read its peak RSS."""
    import nbformat
    from nbclient import NotebookClient

    from course_utils import claims

    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        metrics_file = Path(tmp) / "claims.jsonl"
        env = kernel_env(**{claims.FILE_ENV: str(metrics_file)})
        client = NotebookClient(nb, timeout=900, kernel_name="python3", allow_errors=False)
        start = time.perf_counter()
        client.execute(cwd=str(path.parent), env=env)
        seconds = time.perf_counter() - start
        recorded = {}
        if metrics_file.exists():
            for item in claims.read(metrics_file):
                recorded[item.name] = item.value
    # The kernel has exited and been reaped: its peak RSS is the children's maximum (kB on Linux).
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "notebook": _name(path),
        "seconds": round(seconds, 1),
        "peak_mb": round(peak_mb),
        "metrics": recorded,
    }


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


# The yardstick every row is divided by: a fresh kernel that only imports TensorFlow and Keras and runs one
# operation. Seconds differ 2-3x between machines; a notebook's cost in "bare TensorFlow imports" does not.
BASELINE_SOURCE = "import tensorflow as tf\nimport keras\nprint(float(tf.constant(1.0) + 1.0))"


def bench_baseline() -> dict:
    """:func:`bench_notebook` on a one-cell notebook that imports TensorFlow and Keras (the yardstick)."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(BASELINE_SOURCE)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as tmp:
        path = Path(tmp) / "bare_import_tensorflow.ipynb"
        nbformat.write(nb, path)
        return bench_notebook(path)


def with_ratios(rows: list[dict], baseline: dict) -> list[dict]:
    """Each row with ``x_seconds`` and ``x_memory``: its cost over the baseline's, measured in the same run."""
    if "error" in baseline:
        return rows
    return [
        r
        if "error" in r
        else {
            **r,
            "x_seconds": round(r["seconds"] / baseline["seconds"], 1),
            "x_memory": round(r["peak_mb"] / baseline["peak_mb"], 2),
        }
        for r in rows
    ]


def bench_notebook(path: Path) -> dict:
    """Run :func:`run_one` in a fresh Python process so memory readings do not mix."""
    proc = subprocess.run(
        [sys.executable, __file__, "--one", str(path)],
        capture_output=True,
        text=True,
        env=kernel_env(),
        check=False,
    )
    if proc.returncode != 0:
        tail = strip_ansi(proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {"notebook": _name(path), "error": " | ".join(tail)}
    return json.loads(proc.stdout.strip().splitlines()[-1])


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def strip_ansi(text: str) -> str:
    """``text`` without terminal colour codes (IPython colours the tracebacks nbclient reports)."""
    return _ANSI.sub("", text)


def grading_section(path: Path = ROOT / "docs" / "grading_throughput.json") -> list[str]:
    """BENCHMARKS.md's grading-throughput table, from the last ``tools/bench_grading.py`` run."""
    if not path.exists():
        return []
    data = json.loads(path.read_text())
    lines = [
        "## Grading throughput",
        "",
        f"`python tools/bench_grading.py` ({data['cores']} cores): a class of synthetic "
        "submissions (reference, blank, partly wrong, all-None, crashing, in turn) graded with `--jobs 1` and "
        "again with `--jobs 2`. The ratio is measured in one run; the grades must be identical. With other load "
        "on the machine the ratio is only indicative. Above 2 on 2 cores, one job was not CPU-bound all the time "
        "(each submission starts a sandboxed Python process that waits on its start-up and I/O; at `--jobs 2` "
        "those waits overlap) or the load changed between the two runs.",
        "",
        "| assignment | class | jobs 1 (submissions/min) | jobs 2 (submissions/min) | ratio | identical grades "
        "| measured | load average before → after |",
        "|---|---:|---:|---:|---:|---|---|---|",
    ]
    for r in data["results"]:
        load = r["load_average"]
        lines.append(
            f"| {r['assignment']} | {r['size']} | {r['per_minute_jobs1']} | {r['per_minute_jobs2']} | "
            f"{r['ratio']} | {'yes' if r['identical_grades'] else 'NO'} | {r['date']} "
            f"| {load[0]} → {load[1]} |"
        )
    return [*lines, ""]


def notebooks(only: list[str]) -> list[Path]:
    found = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if only:
        found = [p for p in found if any(p.stem.startswith(o) for o in only)]
    return found


def machine() -> str:
    try:
        model = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return f"{os.cpu_count()} cores ({model}), {mem_gb:.0f} GiB RAM, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def extras(seeds: int) -> dict:
    """The memory-task comparison over seeds and the char-RNN speed ratio (``tools/bench_extras.py``).

    A failure here is reported in the table (and by the exit status) instead of losing the notebook rows.
    """
    import traceback

    try:
        import bench_extras

        return bench_extras.run_all(seeds=seeds)
    except Exception as exc:  # any failure: reported, and the notebook table is still written
        traceback.print_exc()
        message = f"{type(exc).__name__}: {exc}"
        return {"sections": [f"## Extras\n\nFAILED: {message}"], "data": {"error": message}}


def plot(rows: list[dict], target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = [r for r in rows if "error" not in r]
    names = [Path(r["notebook"]).stem for r in ok]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 0.45 * len(names) + 1.5), sharey=True)
    ax1.barh(names, [r["seconds"] for r in ok], color="tab:blue")
    ax1.axvline(BUDGET_SECONDS, color="tab:red", ls="--", label=f"budget {BUDGET_SECONDS:.0f} s")
    ax1.set_xlabel("wall time (s)")
    ax1.legend(loc="lower right")
    ax1.invert_yaxis()
    ax2.barh(names, [r["peak_mb"] for r in ok], color="tab:green")
    ax2.axvline(BUDGET_MB, color="tab:red", ls="--", label=f"budget {BUDGET_MB:.0f} MB")
    ax2.set_xlabel("kernel peak memory (MB)")
    ax2.legend(loc="lower right")
    fig.suptitle("Per-notebook cost on 2 CPU cores (make bench)")
    fig.tight_layout()
    fig.savefig(target, dpi=90)
    plt.close(fig)


def fmt_metrics(metrics: dict) -> str:
    return ", ".join(f"{k} = {v:.4g}" for k, v in metrics.items()) or "—"


def table_cell(text: str) -> str:
    """``text`` safe inside a markdown table cell: pipes escaped, line breaks flattened."""
    return " ".join(str(text).split()).replace("|", "\\|")


def within_budget(row: dict) -> bool:
    """True when a notebook's row is within both per-notebook budgets (a failed row never is)."""
    return "error" not in row and row["seconds"] <= BUDGET_SECONDS and row["peak_mb"] <= BUDGET_MB


def render_markdown(
    rows: list[dict],
    extra: dict,
    total: float,
    *,
    machine_line: str,
    date: str,
    baseline: dict | None = None,
) -> str:
    """The text of ``BENCHMARKS.md``: machine, date, budgets, the per-notebook table, then the extras."""
    failed = sum("error" in r for r in rows)
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`tools/bench.py`); do not edit by hand. Each notebook runs in a fresh kernel",
        "from its own folder, as a student runs it. *Peak memory* is the kernel process's maximum resident set.",
        "The headline numbers are those of the stored run (seed 0); whether each claim holds over seeds 0-4 and",
        "perturbed floats, and the ranges the prose quotes, are in the claims report [`docs/claims.md`](docs/claims.md)",
        "(`make claims`).",
        "",
        f"- **Machine**: {machine_line}",
        f"- **Date**: {date}",
        f"- **Budgets**: each notebook <= {BUDGET_SECONDS:.0f} s and <= {BUDGET_MB:.0f} MB peak on 2 CPU cores; "
        f"the whole course <= {BUDGET_TOTAL_SECONDS / 60:.0f} min.",
        f"- **Whole course**: {total:.0f} s "
        + ("(within budget)" if total <= BUDGET_TOTAL_SECONDS else "(OVER budget)")
        + (f"; {failed} notebook(s) FAILED and not counted" if failed else ""),
    ]
    if baseline and "error" not in baseline:
        lines.append(
            f"- **Yardstick**: a fresh kernel that only imports TensorFlow and Keras took {baseline['seconds']:.1f} s "
            f"and {baseline['peak_mb']} MB in this run; the × columns divide by it, so they travel between "
            "machines better than seconds do."
        )
    lines += [
        "",
        "| notebook | wall time (s) | × bare TF import | peak memory (MB) | × bare TF import | within budget "
        "| headline metrics |",
        "|---|---:|---:|---:|---:|:---:|---|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['notebook']} | — | — | — | — | FAILED | {table_cell(r['error'])} |")
            continue
        lines.append(
            f"| {r['notebook']} | {r['seconds']:.1f} | {r.get('x_seconds', '—')} | {r['peak_mb']} "
            f"| {r.get('x_memory', '—')} | {'yes' if within_budget(r) else 'NO'} | {fmt_metrics(r['metrics'])} |"
        )
    lines += ["", "![time and memory per notebook](docs/benchmarks.png)", ""]
    lines += grading_section()
    for section in extra.get("sections", []):
        lines += [section, ""]
    return "\n".join(lines)


def write_markdown(
    rows: list[dict], extra: dict, total: float, target: Path, baseline: dict | None = None
) -> None:
    target.write_text(
        render_markdown(
            rows,
            extra,
            total,
            machine_line=machine(),
            date=dt.date.today().isoformat(),
            baseline=baseline,
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--only", nargs="*", default=[], help="notebook prefixes, e.g. 03 06 (skips the extras)"
    )
    parser.add_argument("--seeds", type=int, default=3, help="seeds for the memory-task comparison")
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one.resolve())))
        return 0
    baseline = bench_baseline()
    print(json.dumps(baseline), flush=True)
    rows = []
    for path in notebooks(args.only) + assignment_solutions(args.only):
        row = bench_notebook(path)
        print(json.dumps(row), flush=True)
        rows.append(row)
    rows = with_ratios(rows, baseline)
    total = sum(r.get("seconds", 0.0) for r in rows)
    extra = {} if args.only else extras(args.seeds)
    if args.only:
        return 0 if all("error" not in r for r in rows) else 1
    plot(rows, ROOT / "docs" / "benchmarks.png")
    write_markdown(rows, extra, total, ROOT / "BENCHMARKS.md", baseline)
    (ROOT / "docs" / "benchmarks.json").write_text(
        json.dumps(
            {"baseline": baseline, "notebooks": rows, "extras": extra.get("data", {})}, indent=1
        )
        + "\n"
    )
    print(
        f"wrote BENCHMARKS.md, docs/benchmarks.png and docs/benchmarks.json (course total {total:.0f} s)"
    )
    ok = all("error" not in r for r in rows) and "error" not in extra.get("data", {})
    return 0 if ok else 1


def assignment_solutions(only: list[str]) -> list[Path]:
    """The assignments' master notebooks: the reference solution, run top to bottom as a student would."""
    if only:
        return []
    return sorted((ROOT / "notebooks" / "assignments").glob("*/*.ipynb"))


if __name__ == "__main__":
    raise SystemExit(main())
