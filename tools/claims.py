"""``make claims``: every empirical claim of the course, checked over seeds and perturbed floats.

Each lecture notebook and each assignment master is executed (stored notebook, fresh kernel, its own
folder, nothing written back) once per seed (``COURSE_SEED``) and float setting:

- ``default``: the settings the stored outputs were made with (oneDNN off, TensorFlow's thread pool);
- ``perturbed``: oneDNN on, one TensorFlow intra-op thread, two BLAS threads: other kernels, other
  summation orders, other rounding, the way another student's CPU would do the arithmetic.

Every ``claims.below/above/record`` call is collected (the runs keep going past a claim that fails, so one
run lists them all) into ``docs/claims.json``, and ``docs/claims.md`` is written from it: one row per claim
with how many runs it held in, the range of its value and its smallest margin. A claim ships only if it
holds in every run; prose ranges in the notebooks are quoted from this table.

    python tools/claims.py                         # seeds 0-4 x {default, perturbed}, everything
    python tools/claims.py --only 05 a1 --merge    # re-run some notebooks, keep the others' rows
    python tools/claims.py --seeds 0 --settings default --json X.json --md -   # a quick look
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import fcntl
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from kernel_env import kernel_env  # noqa: E402

SETTINGS = {
    "default": {"TF_ENABLE_ONEDNN_OPTS": "0"},
    "perturbed": {
        "TF_ENABLE_ONEDNN_OPTS": "1",
        "COURSE_TF_THREADS": "1",
        "COURSE_BLAS_THREADS": "2",
    },
}
JSON_PATH = ROOT / "docs" / "claims.json"
MD_PATH = ROOT / "docs" / "claims.md"


def all_notebooks() -> list[Path]:
    """Lecture notebooks in order, then the assignments' masters (their reference solutions)."""
    lecture = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    masters = sorted((ROOT / "notebooks" / "assignments").glob("*/*.ipynb"))
    return lecture + masters


def short(path: Path) -> str:
    """``05`` for a lecture notebook, ``a1`` for an assignment master."""
    return path.stem[:2]


def pick(only: list[str]) -> list[Path]:
    found = all_notebooks()
    if not only:
        return found
    picked = [p for p in found if any(p.stem.startswith(o) for o in only)]
    missing = [o for o in only if not any(p.stem.startswith(o) for p in found)]
    if missing:
        raise SystemExit(f"no notebook matches {missing}; have {[p.stem for p in found]}")
    return picked


def run_env(seed: int, setting: str, claims_file: Path) -> dict[str, str]:
    """The kernel environment of one run."""
    from course_utils import claims, runtime

    env = kernel_env(
        **SETTINGS[setting],
        **{
            runtime.SEED_ENV: str(seed),
            claims.FILE_ENV: str(claims_file),
            claims.KEEP_GOING_ENV: "1",
        },
    )
    if setting == "default":
        env.pop("COURSE_TF_THREADS", None)
        env.pop("COURSE_BLAS_THREADS", None)
    return env


def execute(path: Path, env: dict[str, str], timeout: int = 900) -> str | None:
    """Run a notebook in a fresh kernel from its folder; return the error text, or None if it ran."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False)
    try:
        client.execute(cwd=str(path.parent), env=env)
    except CellExecutionError as exc:
        lines = [line for line in _strip_ansi(str(exc)).splitlines() if line.strip()]
        return " | ".join(lines[-3:])
    return None


def run_one(path: Path, seed: int, setting: str) -> dict:
    """Execute one notebook at one seed and setting; return its claims and error (if any)."""
    from course_utils import claims

    with tempfile.TemporaryDirectory() as tmp:
        claims_file = Path(tmp) / "claims.jsonl"
        start = time.perf_counter()
        error = execute(path, run_env(seed, setting, claims_file))
        seconds = time.perf_counter() - start
        found = claims.read(claims_file) if claims_file.exists() else []
    return {
        "notebook": str(path.relative_to(ROOT)),
        "seed": seed,
        "setting": setting,
        "seconds": round(seconds, 1),
        "error": error,
        "claims": [vars(c) for c in found],
    }


def _run_in_child(path: Path, seed: int, setting: str) -> dict:
    """:func:`run_one` in a fresh Python process (one kernel each; runs in parallel stay apart)."""
    proc = subprocess.run(
        [sys.executable, __file__, "--one", str(path), str(seed), setting],
        capture_output=True,
        text=True,
        env=kernel_env(),
        check=False,
    )
    if proc.returncode != 0:
        tail = _strip_ansi(proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {
            "notebook": str(path.relative_to(ROOT)),
            "seed": seed,
            "setting": setting,
            "seconds": None,
            "error": " | ".join(tail) or f"exit status {proc.returncode}",
            "claims": [],
        }
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for dist in ("tensorflow", "tensorflow-cpu", "keras", "numpy"):
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:
            pass
    return out


def machine() -> str:
    """The machine line of the report (the same as BENCHMARKS.md's)."""
    from bench import machine as bench_machine

    return bench_machine()


# ---------------------------------------------------------------------------------------------- report


def summarise(runs: list[dict]) -> list[dict]:
    """One row per (notebook, claim name): runs it was checked in, held in, value range, min margin."""
    rows: dict[tuple[str, str], dict] = {}
    for run in runs:
        latest = {
            c["name"]: c for c in run["claims"]
        }  # a name checked twice in a run: the last one
        for claim in latest.values():
            key = (run["notebook"], claim["name"])
            row = rows.setdefault(
                key,
                {
                    "notebook": run["notebook"],
                    "name": claim["name"],
                    "kind": claim["kind"],
                    "bound": claim["bound"],
                    "values": [],
                    "margins": [],
                    "held": 0,
                    "checked": 0,
                    "failed_in": [],
                },
            )
            row["checked"] += 1
            row["values"].append(claim["value"])
            if claim["margin"] is not None:
                row["margins"].append(claim["margin"])
            if claim["held"]:
                row["held"] += 1
            else:
                row["failed_in"].append(f"seed {run['seed']} {run['setting']}")
    return list(rows.values())


def expected_runs(runs: list[dict]) -> dict[str, int]:
    """Runs per notebook (a claim must be checked in every run of its notebook)."""
    out: dict[str, int] = {}
    for run in runs:
        out[run["notebook"]] = out.get(run["notebook"], 0) + 1
    return out


def _fmt(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:.3g}"


def report(data: dict) -> str:
    runs = data["runs"]
    rows = summarise(runs)
    per_nb = expected_runs(runs)
    checked = [r for r in rows if r["kind"] != "record"]
    solid = [r for r in checked if r["held"] == r["checked"] == per_nb[r["notebook"]]]
    errors = [r for r in runs if r["error"]]
    seeds = sorted({r["seed"] for r in runs})
    settings = sorted({r["setting"] for r in runs})
    lines = [
        "# Claims report",
        "",
        "Every empirical claim the notebooks and the assignments' reference solutions make (anything trained",
        "or sampled), checked in every run below. Generated by `make claims` (`tools/claims.py`); do not edit.",
        "A claim ships only if it holds in every run; ranges quoted in the notebooks' prose come from this",
        "table. *Margin*: how far the value sits inside its bound, as a fraction of the bound (> 0 holds).",
        "",
        f"- **{len(solid)} of {len(checked)} claims held in every run** "
        f"({len(runs)} notebook runs: seeds {', '.join(map(str, seeds))} x settings {', '.join(settings)}; "
        f"{len(errors)} run(s) stopped by an error).",
        f"- Settings: `default` = the stored outputs' (oneDNN off); `perturbed` = "
        f"`{' '.join(f'{k}={v}' for k, v in SETTINGS['perturbed'].items())}`.",
        f"- Machine: {data['machine']}; {', '.join(f'{k} {v}' for k, v in data['versions'].items())}.",
        f"- Generated {data['generated']}; the runs took {data['cpu_seconds'] / 60:.1f} min of notebook "
        "time in all (the sum of the runs' wall times; runs may overlap, and several campaigns may be merged).",
        "",
    ]
    full = {(sd, st) for sd in range(5) for st in SETTINGS}
    lines += [
        "## Coverage",
        "",
        "| notebook | runs (of seeds 0-4 x 2 settings) | missing |",
        "|---|---|---|",
    ]
    for notebook in sorted(per_nb, key=lambda n: (("assignments" in n), n)):
        done = {(r["seed"], r["setting"]) for r in runs if r["notebook"] == notebook}
        missing = sorted(full - done)
        gap = ", ".join(f"{sd} {st}" for sd, st in missing) or "none"
        lines.append(f"| `{notebook}` | {len(done & full)}/{len(full)} | {gap} |")
    lines.append("")
    if errors:
        lines += ["## Runs stopped by an error", ""]
        for run in errors:
            lines.append(
                f"- `{run['notebook']}` seed {run['seed']} {run['setting']}: {run['error'][:300]}"
            )
        lines.append("")
    lines += [
        "## Claims",
        "",
        "| notebook | claim | must be | held | value (min - max) | smallest margin |",
        "|---|---|---|---|---|---|",
    ]
    for r in checked:
        must = f"{'<' if r['kind'] == 'below' else '>'} {_fmt(r['bound'])}"
        held = f"{r['held']}/{per_nb[r['notebook']]}"
        if r["failed_in"]:
            held += " (failed: " + "; ".join(r["failed_in"]) + ")"
        values = f"{_fmt(min(r['values']))} - {_fmt(max(r['values']))}"
        margin = f"{min(r['margins']):+.0%}" if r["margins"] else "—"
        lines.append(
            f"| {Path(r['notebook']).stem[:2]} | `{r['name']}` | {must} | {held} | {values} | {margin} |"
        )
    recorded = [r for r in rows if r["kind"] == "record"]
    if recorded:
        lines += [
            "",
            "## Numbers shown (recorded, not asserted)",
            "",
            "| notebook | number | min - max over the runs |",
            "|---|---|---|",
        ]
        for r in recorded:
            lines.append(
                f"| {Path(r['notebook']).stem[:2]} | `{r['name']}` | {_fmt(min(r['values']))} - {_fmt(max(r['values']))} |"
            )
    compat = data.get("compat") or {}
    if compat:
        lines += [
            "",
            "## Other TensorFlow / Keras versions (`make compat`)",
            "",
            "Every notebook at seed 0, default setting, in a fresh venv with that TensorFlow and Keras.",
            "",
            "| TensorFlow | Keras | NumPy | Python | claims held | runs stopped by an error | minutes |",
            "|---|---|---|---|---|---|---|",
        ]
        for _label, c in sorted(compat.items()):
            v = c["versions"]
            c_rows = [r for r in summarise(c["runs"]) if r["kind"] != "record"]
            c_held = sum(r["held"] == r["checked"] for r in c_rows)
            c_errors = [f"{Path(r['notebook']).stem[:2]}" for r in c["runs"] if r["error"]]
            lines.append(
                f"| {v.get('tensorflow') or v.get('tensorflow-cpu')} | {v.get('keras')} | {v.get('numpy')} | "
                f"{v.get('python')} | {c_held}/{len(c_rows)} | {', '.join(c_errors) or 'none'} | "
                f"{c['wall_seconds'] / 60:.1f} |"
            )
            for run in c["runs"]:
                if run["error"]:
                    lines.append(f"|  | `{run['notebook']}`: {run['error'][:200]} | | | | | |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------------ main


def verify(run_file: Path, report_json: Path) -> int:
    """Compare the claim names a ``make test`` pass recorded with the report's; 0 when they match."""
    from course_utils import claims

    seen = (
        {c.name for c in claims.read(run_file) if c.kind != "record"}
        if run_file.exists()
        else set()
    )
    data = json.loads(report_json.read_text())
    lecture = [r for r in data["runs"] if "assignments" not in r["notebook"]]
    known = {c["name"] for r in lecture for c in r["claims"] if c["kind"] != "record"}
    failed = (
        sorted(c.name for c in claims.read(run_file) if not c.held) if run_file.exists() else []
    )
    problems = []
    if not seen:
        problems.append(f"no claims were recorded in {run_file}")
    if seen - known:
        problems.append(f"claims missing from docs/claims.md: {sorted(seen - known)}")
    if known - seen:
        problems.append(
            f"claims in docs/claims.md that no notebook checks now: {sorted(known - seen)}"
        )
    if failed:
        problems.append(f"claims that did not hold: {failed}")
    if problems:
        print("claims: " + "; ".join(problems) + " -- run `make claims` and commit docs/claims.*")
        return 1
    print(f"claims: the {len(seen)} claims checked in this run are the report's, and all held")
    return 0


def _breadth_first(seeds: list[int], settings: list[str]) -> list[tuple[int, str]]:
    """(seed, setting) pairs so that an interrupted run still covers each setting and many seeds."""
    pairs, i = [], 0
    for seed in seeds:
        for k in range(len(settings)):
            pairs.append((seed, settings[(i + k) % len(settings)]))
        i += 1
    first = [p for j, p in enumerate(pairs) if j % len(settings) == 0]
    return first + [p for p in pairs if p not in first]


def store_run(json_path: Path, run: dict) -> None:
    """Merge one run into ``json_path`` (replacing the same notebook, seed and setting) and rewrite the report."""
    with open(json_path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = json.loads(json_path.read_text())
        key = (run["notebook"], run["seed"], run["setting"])
        data["runs"] = [r for r in data["runs"] if (r["notebook"], r["seed"], r["setting"]) != key]
        data["runs"].append(run)
        order = {str(p.relative_to(ROOT)): i for i, p in enumerate(all_notebooks())}
        data["runs"].sort(key=lambda r: (order.get(r["notebook"], 99), r["setting"], r["seed"]))
        data["cpu_seconds"] = round(sum(r["seconds"] or 0 for r in data["runs"]), 1)
        data["wall_seconds"] = round(data.get("wall_seconds", 0) + (run["seconds"] or 0), 1)
        data["generated"] = dt.date.today().isoformat()
        json_path.write_text(json.dumps(data, indent=1) + "\n")
        MD_PATH.write_text(report(data))


def drop_runs(json_path: Path, paths: list[Path]) -> None:
    """Forget the stored runs of ``paths`` (an incremental run of them starts from scratch)."""
    names = {str(p.relative_to(ROOT)) for p in paths}
    with open(json_path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = json.loads(json_path.read_text())
        data["runs"] = [r for r in data["runs"] if r["notebook"] not in names]
        json_path.write_text(json.dumps(data, indent=1) + "\n")
        MD_PATH.write_text(report(data))


def run_all(
    paths: list[Path],
    seeds: list[int],
    settings: list[str],
    jobs: int,
    incremental: Path | None = None,
) -> dict:
    tasks = [(p, s, st) for s, st in _breadth_first(seeds, settings) for p in paths]
    start = time.perf_counter()
    runs = []
    with cf.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_run_in_child, *t): t for t in tasks}
        for future in cf.as_completed(futures):
            run = future.result()
            failed = [c["name"] for c in run["claims"] if not c["held"]]
            status = "ERROR " + run["error"][:120] if run["error"] else "ok"
            if failed:
                status += f"; claims that failed: {failed}"
            print(
                f"{run['notebook']} seed {run['seed']} {run['setting']}: {run['seconds']} s, "
                f"{len(run['claims'])} claims, {status}",
                flush=True,
            )
            runs.append(run)
            if incremental is not None:
                store_run(incremental, run)
    order = {str(p.relative_to(ROOT)): i for i, p in enumerate(all_notebooks())}
    runs.sort(key=lambda r: (order.get(r["notebook"], 99), r["setting"], r["seed"]))
    return {
        "generated": dt.date.today().isoformat(),
        "machine": machine(),
        "versions": versions(),
        "jobs": jobs,
        "wall_seconds": round(time.perf_counter() - start, 1),
        "cpu_seconds": round(sum(r["seconds"] or 0 for r in runs), 1),
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", nargs="*", default=[], help="notebooks (01, a2, ...); default all"
    )
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--settings", nargs="*", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--jobs", type=int, default=2, help="notebook runs at a time")
    parser.add_argument("--merge", action="store_true", help="keep other notebooks' runs in --json")
    parser.add_argument(
        "--incremental",
        action="store_true",
        help="with --only: forget those notebooks' runs, then store each run as it finishes",
    )
    parser.add_argument("--json", type=Path, default=JSON_PATH)
    parser.add_argument("--md", default=str(MD_PATH), help="report path, '-' for stdout only")
    parser.add_argument("--compat", metavar="LABEL", help="store the runs as a compat entry")
    parser.add_argument(
        "--verify",
        type=Path,
        metavar="FILE",
        help="check that the claims a test run wrote to FILE are the report's (lecture notebooks)",
    )
    parser.add_argument(
        "--one", nargs=3, metavar=("PATH", "SEED", "SETTING"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)

    if args.verify:
        return verify(args.verify, args.json)
    if args.one:
        path, seed, setting = args.one
        print(json.dumps(run_one(Path(path).resolve(), int(seed), setting)))
        return 0

    if args.incremental:
        paths = pick(args.only)
        drop_runs(args.json, paths)
        run_all(paths, args.seeds, args.settings, args.jobs, incremental=args.json)
        return 0
    data = run_all(pick(args.only), args.seeds, args.settings, args.jobs)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    with open(args.json.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # several --merge runs may finish at once
        return _store(args, data)


def _store(args: argparse.Namespace, data: dict) -> int:
    old = json.loads(args.json.read_text()) if args.json.exists() else {}
    if args.compat:
        old.setdefault("compat", {})[args.compat] = data
        data = old
    else:
        if args.merge and old:
            redone = {r["notebook"] for r in data["runs"]}
            data["runs"] = [r for r in old["runs"] if r["notebook"] not in redone] + data["runs"]
            data["wall_seconds"] += old.get("wall_seconds", 0)
            data["cpu_seconds"] = round(sum(r["seconds"] or 0 for r in data["runs"]), 1)
            order = {str(p.relative_to(ROOT)): i for i, p in enumerate(all_notebooks())}
            data["runs"].sort(key=lambda r: (order.get(r["notebook"], 99), r["setting"], r["seed"]))
        if old.get("compat"):
            data["compat"] = old["compat"]
    args.json.write_text(json.dumps(data, indent=1) + "\n")
    text = report(data)
    if args.md == "-":
        print(text)
    else:
        Path(args.md).write_text(text)
        print(f"wrote {args.md}")
    rows = [r for r in summarise(data["runs"]) if r["kind"] != "record"]
    per_nb = expected_runs(data["runs"])
    bad = [r["name"] for r in rows if r["held"] != per_nb[r["notebook"]]]
    errors = [r for r in data["runs"] if r["error"]]
    if bad or errors:
        print(f"{len(bad)} claim(s) did not hold in every run: {bad}; {len(errors)} run error(s)")
        return 1
    print(f"all {len(rows)} claims held in every run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
