"""Command line: release the student editions, grade one notebook or a whole class.

python -m course_utils.grading release [ID ...] [--dist dist]
python -m course_utils.grading grade ID SUBMISSION.ipynb --json
python -m course_utils.grading grade ID SUBMISSIONS_DIR --csv grades.csv
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run ``release`` or ``grade``; return the exit status."""
    from . import assignments as registry

    parser = argparse.ArgumentParser(
        prog="python -m course_utils.grading", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="build dist/student/<id>/ and dist/autograder/<id>/")
    rel.add_argument(
        "ids",
        nargs="*",
        metavar="ID",
        help=f"assignments (default: all of {list(registry.ASSIGNMENTS)})",
    )
    rel.add_argument("--dist", type=Path, default=Path("dist"))
    grd = sub.add_parser(
        "grade", help="grade one notebook (--json) or a folder of notebooks (--csv)"
    )
    grd.add_argument("id", choices=list(registry.ASSIGNMENTS), metavar="ID")
    grd.add_argument("submission", type=Path, help="a notebook, or a folder of notebooks")
    grd.add_argument("--json", action="store_true", help="print one JSON object (single notebook)")
    grd.add_argument("--csv", type=Path, help="write one row per submission to this file (folder)")
    grd.add_argument("--dist", type=Path, default=Path("dist"))
    args = parser.parse_args(argv)

    if args.command == "release":
        from .release import release

        for assignment_id in args.ids:
            try:
                registry.get(assignment_id)
            except ValueError as exc:
                parser.error(str(exc))

        for folder in release(args.ids or None, dist=args.dist):
            print(f"built {folder} and {args.dist / 'autograder' / folder.name}")
        return 0

    from .grader import grade_directory, grade_notebook

    if args.submission.is_dir():
        if not args.csv:
            parser.error("grading a folder needs --csv grades.csv")
        rows = grade_directory(
            args.id,
            args.submission,
            args.csv,
            dist=args.dist,
            progress=lambda line: print(line, file=sys.stderr),
        )
        print(f"graded {len(rows)} submissions -> {args.csv}", file=sys.stderr)
        return 0
    if not args.submission.exists():
        parser.error(f"{args.submission}: no such file")
    report = grade_notebook(args.id, args.submission, dist=args.dist)
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        for test in report.tests:
            print(f"{test.score:5.2f}/{test.max_score:<5.2f} {test.name}: {test.message}")
        for note in report.notes:
            print(f"note: {note}")
        print(f"total {report.score:g}/{report.max_score:g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
