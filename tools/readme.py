"""Regenerate the README's generated blocks from ``course_utils.links`` and the notebook sources.

The launch badges and the ordered notebook list live between ``<!-- NAME:start -->`` and
``<!-- NAME:end -->`` markers; ``tests/test_readme.py`` fails when they are stale. Run ``make readme``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course_utils import links  # noqa: E402

README = ROOT / "README.md"


def notebook_titles() -> list[tuple[str, str]]:
    """(file name, title) of every lecture notebook, in course order, from the first line of each source."""
    out = []
    for src in sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py")):
        first = next(line for line in src.read_text().splitlines() if line.startswith("# # "))
        out.append((f"{src.stem}.ipynb", first[4:].strip()))
    return out


def blocks() -> dict[str, str]:
    badges = (
        f"[![Launch on Binder]({links.BINDER_BADGE})]({links.binder_url('notebooks/00_welcome.ipynb')}) "
        f"[![Open In Colab]({links.COLAB_BADGE})]({links.colab_url('notebooks/00_welcome.ipynb')})"
    )
    rows = ["| notebook | | |", "|---|---|---|"]
    for name, title in notebook_titles():
        path = f"notebooks/{name}"
        rows.append(
            f"| [{name[:2]} — {title}]({path}) | [Colab]({links.colab_url(path)}) | [Binder]({links.binder_url(path)}) |"
        )
    return {"badges": badges, "notebooks": "\n".join(rows)}


def render(text: str) -> str:
    """``text`` with every generated block replaced by its current content."""
    for name, body in blocks().items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(
                f"README.md lacks the <!-- {name}:start --> ... <!-- {name}:end --> block"
            )
        text = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), text)
    return text


if __name__ == "__main__":
    README.write_text(render(README.read_text()))
    print("README.md regenerated")
