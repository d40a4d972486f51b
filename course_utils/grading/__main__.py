"""Command line: release the student editions, grade one notebook or a whole class, or run on Gradescope.

python -m course_utils.grading release [ID ...] [--dist dist]
python -m course_utils.grading grade ID SUBMISSION.ipynb --json
python -m course_utils.grading grade ID SUBMISSIONS_DIR --csv grades.csv [--jobs N] [--canvas gb.csv]
python -m course_utils.grading gradescope ID [--root /autograder]     (what run_autograder calls)

Grading refuses to run where its sandbox is unavailable (exit status 2, the message says what is missing)
unless ``--allow-unsandboxed`` is given; every report and CSV row then says so.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def _parser(ids: list[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.grading", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser(
        "release", help="build dist/student/<id>/, dist/autograder/<id>/ and dist/gradescope/<id>/"
    )
    rel.add_argument("ids", nargs="*", metavar="ID", help=f"assignments (default: all of {ids})")
    rel.add_argument("--dist", type=Path, default=Path("dist"))
    grd = sub.add_parser(
        "grade", help="grade one notebook (--json) or a folder of notebooks (--csv)"
    )
    grd.add_argument("id", choices=ids, metavar="ID")
    grd.add_argument("submission", type=Path, help="a notebook, or a folder of notebooks")
    grd.add_argument("--json", action="store_true", help="print one JSON object (single notebook)")
    grd.add_argument("--csv", type=Path, help="write one row per submission to this file (folder)")
    grd.add_argument(
        "--jobs", type=int, default=None, help="submissions graded at once (default: CPU cores)"
    )
    grd.add_argument("--canvas", type=Path, help="also write a Canvas gradebook CSV (folder)")
    grd.add_argument("--roster", type=Path, help="Canvas gradebook export to match students")
    grd.add_argument("--canvas-column", help="the assignment's column name in Canvas")
    gsc = sub.add_parser(
        "gradescope", help="grade ROOT/submission/*.ipynb into ROOT/results/results.json"
    )
    gsc.add_argument("id", choices=ids, metavar="ID")
    gsc.add_argument(
        "--root", type=Path, default=Path(os.environ.get("GRADESCOPE_ROOT", "/autograder"))
    )
    for p in (grd, gsc):
        p.add_argument("--dist", type=Path, default=Path("dist"))
        p.add_argument(
            "--allow-unsandboxed",
            action="store_true",
            help="grade even where the sandbox is unavailable (every report says so)",
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run ``release``, ``grade`` or ``gradescope``; return the exit status."""
    from . import assignments as registry

    parser = _parser(list(registry.ASSIGNMENTS))
    args = parser.parse_args(argv)

    if args.command == "release":
        from .release import release

        for assignment_id in args.ids:
            try:
                registry.get(assignment_id)
            except ValueError as exc:
                parser.error(str(exc))
        for folder in release(args.ids or None, dist=args.dist):
            print(
                f"built {folder}, {args.dist / 'autograder' / folder.name} and "
                f"{args.dist / 'gradescope' / folder.name / 'autograder.zip'}"
            )
        return 0

    from .grader import (
        IsolationError,
        canvas_gradebook,
        grade_directory,
        grade_gradescope,
        grade_notebook,
    )

    if args.command == "gradescope":
        results = grade_gradescope(
            args.id, args.root, dist=args.dist, allow_unsandboxed=args.allow_unsandboxed
        )
        print(results["output"])
        print(f"total {results['score']:g}")
        return 0
    if args.jobs is not None and args.jobs < 1:
        parser.error(f"--jobs: expected a positive integer, got {args.jobs}")
    if args.submission.is_dir():
        if not args.csv:
            parser.error("grading a folder needs --csv grades.csv")
        try:
            rows = grade_directory(
                args.id,
                args.submission,
                args.csv,
                dist=args.dist,
                jobs=args.jobs,
                allow_unsandboxed=args.allow_unsandboxed,
                progress=lambda line: print(line, file=sys.stderr),
            )
        except IsolationError as exc:
            print(exc, file=sys.stderr)
            return 2
        print(f"graded {len(rows)} submissions -> {args.csv}", file=sys.stderr)
        if args.canvas:
            column = args.canvas_column or registry.get(args.id).title
            canvas_gradebook(rows, args.canvas, column, roster=args.roster)
            print(f"Canvas gradebook -> {args.canvas}", file=sys.stderr)
        return 0
    if not args.submission.exists():
        parser.error(f"{args.submission}: no such file")
    report = grade_notebook(
        args.id, args.submission, dist=args.dist, allow_unsandboxed=args.allow_unsandboxed
    )
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        for test in report.tests:
            print(f"{test.score:5.2f}/{test.max_score:<5.2f} {test.name}: {test.message}")
        for note in report.notes:
            print(f"note: {note}")
        print(
            f"status {report.status}, {report.isolation}; total {report.score:g}/{report.max_score:g}"
        )
    return 2 if report.status == "refused" else 0


if __name__ == "__main__":
    raise SystemExit(main())
