"""``make site``: build the course website into ``site/_build/html`` without the network.

The site is Sphinx with myst-nb and sphinx-book-theme (configuration in ``site/conf.py``). This script
stages a Sphinx project in ``site/_build/src`` and builds it:

* every lecture notebook ``notebooks/NN_*.ipynb`` in lecture order, with its stored outputs (never
  executed), "Open in Colab / Launch on Binder / Download .ipynb" buttons from :mod:`course_utils.links`
  under its title, and an alt text on every figure (the cell's own ``mystnb.image.alt`` metadata, or one
  made from the section heading, the figure's titles and the ``course_utils`` calls that drew it);
* the notation note (``docs/notation.md`` when it exists, else the letters table of the package docstring);
* the assignments' student editions, built by ``course_utils.grading.release`` into a temporary folder
  (solutions and hidden tests never reach the site);
* the slide decks (``slides/_build`` when ``make slides`` has built them, else how to build them),
  ``BENCHMARKS.md`` and the claims report ``docs/claims.md`` (a placeholder when it is absent).

MathJax 2.7 is the npm package the slides already pin (``slides/package.json``; ``npm ci`` installs it
once), copied into ``_static/mathjax``; a last pass fails the build if any page loads a script, style
sheet, font or image from the network.

    python tools/site.py            # the whole site (make site)
    python tools/site.py --fast     # every page, but outputs only for notebooks 00, 01, 06; one assignment
    python tools/site.py --out DIR  # build somewhere else (the tests build into a temporary folder)
"""

from __future__ import annotations

import argparse
import copy
import html
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
NOTEBOOKS = ROOT / "notebooks"
DEFAULT_OUT = SITE / "_build"
# --fast keeps the outputs of the welcome page, of 01 (maths, figures) and of 06 (peepholes)
FAST_LECTURES = ("00", "01", "06")
FAST_ASSIGNMENTS = ("a1_rnn_bptt",)
HEADER_TAG = "course-header"  # tools/nbtools.py tags the generated badge and setup cells with it
# A reference the browser would fetch while rendering: src=, <link href=>, CSS url(), @import.
REMOTE_ASSET = re.compile(
    r"""<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:url\()?\s*["']?(?:https?:)?//""",
    re.I,
)
# A course_utils call that draws, e.g. ``unrolled.neuron(`` or ``curves.plot_curves(``.
DRAWING_CALL = re.compile(r"\b([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)\(")
NOT_DRAWING = ("plt.", "np.", "keras.", "tf.", "math.", "ref.", "rng.", "fig.", "self.", "claims.")
TITLE_ARG = re.compile(r"""(?:title|set_title|suptitle)\s*[=(]\s*f?(["'])(.+?)\1""")


def lecture_notebooks() -> list[Path]:
    """``notebooks/NN_*.ipynb`` in lecture order."""
    found = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not found:
        raise SystemExit(f"no lecture notebook found in {NOTEBOOKS}")
    return found


def launch_buttons(notebook_path: str, download: str, *, binder: bool = True) -> str:
    """The HTML row of launch buttons for one notebook page.

    ``notebook_path`` is relative to the repository root (what ``course_utils.links`` expects) and
    ``download`` the site-relative address of the ``.ipynb`` to download.
    """
    from course_utils import links

    buttons = []
    if binder:
        buttons += [
            ("Open in Colab", links.colab_url(notebook_path)),
            ("Launch on Binder", links.binder_url(notebook_path)),
        ]
    buttons.append(("Download .ipynb", download))
    anchors = "\n".join(
        f'<a href="{html.escape(url)}"{" download" if url == download else ""}>{label}</a>'
        for label, url in buttons
    )
    return (
        '<div class="course-launch" role="group" aria-label="Run this notebook">\n'
        f"{anchors}\n</div>\n"
    )


def figure_alt(cell: dict, heading: str) -> str:
    """An alt text for the figure(s) that ``cell`` drew: its section, its titles, the calls that drew it."""
    source = "".join(cell.get("source", ""))
    titles = [m.group(2) for m in TITLE_ARG.finditer(source) if "{" not in m.group(2)]
    calls = []
    for name in DRAWING_CALL.findall(source):
        if not name.startswith(NOT_DRAWING) and name not in calls:
            calls.append(name)
    parts = [f"Figure in the section “{heading}”" if heading else "Figure"]
    if titles:
        parts.append("titled " + "; ".join(f"“{t}”" for t in titles[:3]))
    if calls:
        parts.append("drawn by " + ", ".join(calls[:4]))
    return ", ".join(parts) + "."


def _heading_of(markdown: str) -> str | None:
    headings = re.findall(r"^#{1,3}\s+(.+?)\s*$", markdown, flags=re.M)
    # plain words for a screen reader: "$W_y$" -> "W_y", "\\phi" -> "phi"
    return re.sub(r"[$\\*`]", "", headings[-1]).strip() if headings else None


def prepare_notebook(nb: dict, buttons: str, *, note: str = "") -> dict:
    """A copy of ``nb`` for the site: buttons (and a note) under the title, alt text on every figure.

    Outputs are kept as stored; nothing is executed.
    """
    nb = copy.deepcopy(nb)
    # The generated badge cell (tools/nbtools.py) loads its images from the badge services: the buttons
    # replace it.
    nb["cells"] = [
        c
        for c in nb["cells"]
        if not (
            c["cell_type"] == "markdown" and HEADER_TAG in c.get("metadata", {}).get("tags", [])
        )
    ]
    inserted = False
    heading = ""
    for cell in nb["cells"]:
        source = "".join(cell.get("source", ""))
        if cell["cell_type"] == "markdown":
            if not inserted:
                lines = source.splitlines(keepends=True)
                for i, line in enumerate(lines):
                    if line.startswith("# "):
                        lines.insert(i + 1, "\n" + buttons + note + "\n")
                        break
                else:
                    lines.insert(0, buttons + note + "\n")
                cell["source"] = "".join(lines)
                inserted = True
            heading = _heading_of(source) or heading
        elif cell["cell_type"] == "code":
            has_image = any(
                key.startswith("image/")
                for out in cell.get("outputs", [])
                for key in out.get("data", {})
            )
            if has_image:
                mystnb = cell.setdefault("metadata", {}).setdefault("mystnb", {})
                image_options = mystnb.setdefault("image", {})
                image_options.setdefault("alt", figure_alt(cell, heading))
    if not inserted:
        nb["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": buttons})
    return nb


def notation_page() -> tuple[str, str]:
    """(file name, text) of the notation note: ``docs/notation.md``, else the package docstring."""
    note = ROOT / "docs" / "notation.md"
    if note.exists():
        return "notation.md", note.read_text(encoding="utf-8")
    import course_utils

    body = (course_utils.__doc__ or "").strip()
    first, _, rest = body.partition("\n")
    text = (
        "Notation\n========\n\n"
        f"{first}\n{rest}\n\n"
        "The lecture writes one sequence's vectors with a time superscript, :math:`x^{(t)}`, "
        ":math:`y^{(t)}`, :math:`h^{(t)}`, and the weights :math:`W_x`, :math:`W_y`, :math:`b` with an "
        "activation :math:`\\phi`; for a batch, :math:`Y^{(t)} = \\phi(X^{(t)} W_x + Y^{(t-1)} W_y + b)`.\n"
    )
    return "notation.rst", text


# Repository pages the site publishes, and their documents there: a link between them is rewritten to
# the site's page (BENCHMARKS.md links the claims report as docs/claims.md).
PUBLISHED_PAGES = {"BENCHMARKS.md": "benchmarks.md", "docs/claims.md": "claims.md"}


def site_links(text: str, page: Path) -> str:
    """``text`` of the repository page ``page`` with its links to other published pages pointing at the site's
    (``[the report](docs/claims.md#coverage)`` in BENCHMARKS.md becomes ``[the report](claims.md#coverage)``)."""

    def repl(match: re.Match) -> str:
        target, anchor = match.group(1), match.group(2) or ""
        if re.match(r"[a-z]+:", target):
            return match.group(0)
        resolved = (page.parent / target).resolve()
        for source, document in PUBLISHED_PAGES.items():
            if resolved == (ROOT / source).resolve():
                return f"]({document}{anchor})"
        return match.group(0)

    return re.sub(r"\]\(([^)\s#]+)(#[^)\s]*)?\)", repl, text)


def copy_markdown_page(page: Path, target: Path, missing: str) -> None:
    """Copy a Markdown page of the repository, with the local images it shows, or write ``missing``."""
    if not page.exists():
        target.write_text(missing, encoding="utf-8")
        return
    text = page.read_text(encoding="utf-8")
    target.write_text(site_links(text, page), encoding="utf-8")
    for image in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text):
        if not re.match(r"[a-z]+:", image) and (page.parent / image).is_file():
            (target.parent / image).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(page.parent / image, target.parent / image)


def release_student_editions(ids: list[str] | None, into: Path) -> list[Path]:
    """Student editions (solutions replaced, hidden tests removed) built by the course's release."""
    from course_utils.grading.release import release

    return [folder / f"{folder.name}.ipynb" for folder in release(ids, dist=into)]


def stage(src: Path, *, fast: bool) -> dict[str, list[str]]:
    """Write the Sphinx project into ``src``; return the documents of each sidebar section."""
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    shutil.copy2(SITE / "conf.py", src / "conf.py")
    shutil.copytree(SITE / "_static", src / "_static")
    extra = src / "_extra"
    (extra / "ipynb").mkdir(parents=True)
    sections: dict[str, list[str]] = {"Lectures": [], "Assignments": [], "Reference": []}

    for path in lecture_notebooks():
        rel = path.relative_to(ROOT).as_posix()
        nb = json.loads(path.read_text(encoding="utf-8"))
        if fast and path.name[:2] not in FAST_LECTURES:  # prose and code, links intact, no outputs
            for cell in nb["cells"]:
                if cell["cell_type"] == "code":
                    cell["outputs"] = []
        buttons = launch_buttons(rel, f"ipynb/{path.name}")
        (src / path.name).write_text(json.dumps(prepare_notebook(nb, buttons)), encoding="utf-8")
        shutil.copy2(path, extra / "ipynb" / path.name)
        sections["Lectures"].append(path.stem)

    from course_utils.grading import assignments

    ids = [i for i in assignments.ASSIGNMENTS if not fast or i in FAST_ASSIGNMENTS]
    with tempfile.TemporaryDirectory(prefix="course-site-release-") as tmp:
        for student in release_student_editions(ids, Path(tmp)):
            nb = json.loads(student.read_text(encoding="utf-8"))
            note = (
                '<p class="course-note">Student edition, read-only here: the parts you write are '
                "left as <code>...</code>. Download it and open it in JupyterLab (or upload it to "
                'Colab); <code>grader.check("q1")</code> runs the public checks of question 1.</p>\n'
            )
            buttons = launch_buttons("", f"ipynb/{student.name}", binder=False)
            page = prepare_notebook(nb, buttons, note=note)
            (src / student.name).write_text(json.dumps(page), encoding="utf-8")
            shutil.copy2(student, extra / "ipynb" / student.name)
            sections["Assignments"].append(student.stem)

    name, text = notation_page()
    (src / name).write_text(text, encoding="utf-8")
    sections["Reference"].append("notation")

    decks = sorted((ROOT / "slides" / "_build").glob("*.slides.html"))
    if decks:
        shutil.copytree(ROOT / "slides" / "_build", extra / "slides")
        listing = "\n".join(
            f'- <a href="slides/{d.name}">{d.name.removesuffix(".slides.html")}</a> '
            "(reveal.js, opens offline; press <kbd>S</kbd> for the speaker notes)"
            for d in decks
        )
    else:
        listing = (
            "The decks are not part of this build. Build them with `make slides` (it installs "
            "reveal.js and MathJax from the npm registry into `slides/node_modules`), then `make site` "
            "again to link them here; or open `slides/_build/*.slides.html` directly."
        )
    (src / "slides.md").write_text(
        "# Slides\n\nThe lecture decks, drawn by the same `course_utils` code as the notebooks.\n\n"
        + listing
        + "\n",
        encoding="utf-8",
    )
    sections["Reference"].append("slides")

    pages = (
        (
            "benchmarks",
            ROOT / "BENCHMARKS.md",
            "# Benchmarks\n\nNot measured yet: run `make bench`.\n",
        ),
        (
            "claims",
            ROOT / "docs" / "claims.md",
            "# Claims report\n\nNot generated yet: `python tools/claims.py` runs every notebook over "
            "seeds 0-4 with default and perturbed floats and writes `docs/claims.md`.\n",
        ),
    )
    for name, page, missing in pages:
        copy_markdown_page(page, src / f"{name}.md", missing)
        sections["Reference"].append(name)

    toctrees = "".join(
        f"\n```{{toctree}}\n:caption: {caption}\n:maxdepth: 1\n\n" + "\n".join(docs) + "\n```\n"
        for caption, docs in sections.items()
        if docs
    )
    (src / "index.md").write_text(
        (SITE / "index.md").read_text(encoding="utf-8") + toctrees, encoding="utf-8"
    )
    return sections


def copy_mathjax(static: Path) -> None:
    """MathJax 2.7 (TeX input, CommonHTML output, TeX web fonts) from the npm package the slides pin.

    ``slides/package.json`` and its lock pin it; ``npm ci`` installs it once into ``slides/node_modules``
    (skipped when already there), and the same subset as the decks' is copied into ``_static/mathjax``.
    """
    sys.path.insert(0, str(ROOT / "tools"))
    import slides

    slides.install_vendor()
    target = static / "mathjax"
    shutil.rmtree(target, ignore_errors=True)
    # one combined configuration file is all the pages load (the whole config folder is 7.6 MB)
    parts = [p for p in slides.MATHJAX_PARTS if p != "config"] + [
        f"config/{slides.MATHJAX_CONFIG}.js"
    ]
    for part in [*parts, "LICENSE"]:
        src = slides.NODE_MODULES / "mathjax" / part
        (target / part).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, target / part)


def remote_assets(text: str) -> list[str]:
    """Every reference in an HTML or CSS ``text`` that a browser would fetch from the network."""
    return [text[max(0, m.start() - 20) : m.end() + 60] for m in REMOTE_ASSET.finditer(text)]


def check_offline(html_dir: Path) -> list[str]:
    """``file: excerpt`` for every page or style sheet of the built site that loads a remote asset."""
    leaks = []
    for path in sorted(html_dir.rglob("*")):
        if path.suffix in (".html", ".css") and "slides" not in path.relative_to(html_dir).parts:
            for excerpt in remote_assets(path.read_text(encoding="utf-8", errors="replace")):
                leaks.append(f"{path.relative_to(html_dir)}: {excerpt}")
    return leaks


def build(out: Path = DEFAULT_OUT, *, fast: bool = False, quiet: bool = True) -> Path:
    """Stage and build the site into ``out/html``; return that folder. Warnings fail the build."""
    from sphinx.cmd.build import build_main

    out = Path(out)
    src, html_dir = out / "src", out / "html"
    stage(src, fast=fast)
    shutil.rmtree(html_dir, ignore_errors=True)
    args = [
        "-b",
        "html",
        "-W",
        "--keep-going",
        "-d",
        str(out / "doctrees"),
        str(src),
        str(html_dir),
    ]
    if quiet:
        args.insert(0, "-q")
    if build_main(args) != 0:
        raise SystemExit("sphinx-build failed (warnings count as errors): see the messages above")
    copy_mathjax(html_dir / "_static")
    (html_dir / ".nojekyll").touch()  # GitHub Pages' Jekyll would hide _static/ and _images/
    leaks = check_offline(html_dir)
    if leaks:
        raise SystemExit("pages load assets from the network:\n  " + "\n  ".join(leaks))
    return html_dir


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fast", action="store_true", help="a small subset (what make test builds)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: site/_build")
    parser.add_argument("--verbose", action="store_true", help="show Sphinx's progress")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    html_dir = build(args.out, fast=args.fast, quiet=not args.verbose)
    pages = len(list(html_dir.glob("*.html")))
    print(
        f"site: {pages} pages, {size_mb(html_dir):.1f} MB in {html_dir} "
        f"({time.perf_counter() - start:.0f} s); open {html_dir / 'index.html'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
