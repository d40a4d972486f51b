"""``make slides``: build the lecture decks as reveal.js HTML that opens from the file system offline.

Deck sources are jupytext notebooks in ``slides/src/`` whose cells carry reveal.js slide metadata
(``slide``, ``subslide``, ``fragment``, ``notes``, ``skip``); their code cells only call ``course_utils``
(diagrams, curves, numbers), so the slides draw the very figures the notebooks draw. Each deck is executed,
exported with nbconvert's reveal exporter through ``slides/templates/offline`` (code inputs hidden) and
written to ``slides/_build/<deck>.slides.html``. reveal.js and MathJax are installed from the npm registry
(``slides/package.json``, ``package-lock.json``) and copied next to the decks; no CDN URL remains.

    python tools/slides.py            # build every deck
    python tools/slides.py lecture    # build one deck
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import time
from pathlib import Path

import jupytext
from kernel_env import kernel_env
from nbclient import NotebookClient
from nbconvert import SlidesExporter

ROOT = Path(__file__).resolve().parents[1]
SLIDES = ROOT / "slides"
SOURCES = SLIDES / "src"
BUILD = SLIDES / "_build"
NODE_MODULES = SLIDES / "node_modules"
MATHJAX_CONFIG = "TeX-AMS_CHTML-full"
# Only what TeX input and CommonHTML output need: MathJax 2's npm package is 73 MB, this is ~3 MB.
MATHJAX_PARTS = [
    "MathJax.js",
    "config",
    "extensions",
    "jax/input/TeX",
    "jax/output/CommonHTML",
    "jax/element",
    "fonts/HTML-CSS/TeX/woff",
    "localization/en",
]
REMOTE = re.compile(
    r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|@import\s+url\(\s*["']?(?:https?:)?//|url\(\s*["']?https?://""",
    re.I,
)


def install_vendor() -> None:
    """``npm ci`` the pinned reveal.js and MathJax (skipped when already installed at the locked versions)."""
    marker = NODE_MODULES / ".package-lock.json"
    lock = SLIDES / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "make slides needs npm (Node.js) to install reveal.js and MathJax from the npm registry"
        )
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=SLIDES, check=True
    )


def copy_vendor() -> None:
    """Copy reveal.js and the MathJax subset next to the decks."""
    reveal = BUILD / "reveal.js"
    mathjax = BUILD / "mathjax"
    for target in (reveal, mathjax):
        shutil.rmtree(target, ignore_errors=True)
    for part in ("dist", "plugin/notes", "LICENSE"):
        src = NODE_MODULES / "reveal.js" / part
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, reveal / part)
    for part in [*MATHJAX_PARTS, "LICENSE"]:
        src = NODE_MODULES / "mathjax" / part
        (mathjax / part).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, mathjax / part)


def exporter() -> SlidesExporter:
    exp = SlidesExporter(
        template_name="offline",
        extra_template_basedirs=[str(SLIDES / "templates")],
        reveal_url_prefix="reveal.js",
        reveal_theme="white",
        reveal_transition="none",
        reveal_number="c/t",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exp.mathjax_url = f"mathjax/MathJax.js?config={MATHJAX_CONFIG}"
    # Not loaded by the offline template; blank them so no CDN address can leak into the output.
    for trait in (
        "jquery_url",
        "require_js_url",
        "mermaid_js_url",
        "mermaid_layout_elk_js_url",
        "font_awesome_url",
        "jupyter_widgets_base_url",
    ):
        if exp.has_trait(trait):
            setattr(exp, trait, "")
    return exp


def remote_references(html: str) -> list[str]:
    """Every script, stylesheet, font or image reference in ``html`` that points at the network."""
    return [html[max(0, m.start() - 40) : m.end() + 60] for m in REMOTE.finditer(html)]


def build_deck(src: Path) -> tuple[Path, int, float]:
    """Execute one deck source and write its HTML; return the path, slide count and build seconds."""
    start = time.perf_counter()
    nb = jupytext.read(src)
    env = kernel_env()
    NotebookClient(nb, timeout=600, kernel_name="python3").execute(cwd=str(SOURCES), env=env)
    html, _ = exporter().from_notebook_node(nb, resources={"metadata": {"name": src.stem}})
    leaks = remote_references(html)
    if leaks:
        raise SystemExit(
            f"{src.name}: network references remain in the deck:\n  " + "\n  ".join(leaks)
        )
    target = BUILD / f"{src.stem}.slides.html"
    target.write_text(html, encoding="utf-8")
    slides = sum(
        1
        for c in nb.cells
        if c.metadata.get("slideshow", {}).get("slide_type") in ("slide", "subslide")
    )
    return target, slides, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("decks", nargs="*", help="deck names (default: all in slides/src)")
    args = parser.parse_args(argv)
    sources = sorted(SOURCES.glob("*.py"))
    unknown = sorted(set(args.decks) - {s.stem for s in sources})
    if unknown:
        raise SystemExit(
            f"no deck named {unknown} in slides/src; have {sorted(s.stem for s in sources)}"
        )
    BUILD.mkdir(parents=True, exist_ok=True)
    install_vendor()
    copy_vendor()
    if args.decks:
        sources = [s for s in sources if s.stem in args.decks]
    else:  # a full build leaves no deck whose source is gone
        for stale in BUILD.glob("*.slides.html"):
            if not (SOURCES / f"{stale.name.removesuffix('.slides.html')}.py").exists():
                stale.unlink()
    for src in sources:
        target, count, seconds = build_deck(src)
        print(f"built {target.relative_to(ROOT)}: {count} slides in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
