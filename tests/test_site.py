"""The course website (``make site``): complete, offline, free of solutions, and readable in a real browser.

The site is built once per run into a temporary folder by the same code as ``make site``
(``tools/site.py``). The static checks read the HTML; the browser test serves it on 127.0.0.1 and drives
Debian's chromium through Playwright, refusing every request that is not to that server.
"""

from __future__ import annotations

import functools
import html
import importlib.util
import json
import os
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import CHROMIUM_ARGS
from test_grading_editions import _is_hidden_test, _solution_lines

from course_utils import links
from course_utils.grading import assignments

ROOT = Path(__file__).resolve().parents[1]
# Loaded from its path: ``import site`` would give the standard library's module of the same name.
_spec = importlib.util.spec_from_file_location("course_site", ROOT / "tools" / "site.py")
course_site = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(course_site)

LECTURES = sorted(ROOT.glob("notebooks/[0-9][0-9]_*.ipynb"))
IDS = list(assignments.ASSIGNMENTS)
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = pytest.mark.slow  # one build of the whole site (~30 s), shared by every test here


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The whole site, built as ``make site`` builds it, in a temporary folder; its ``html`` folder."""
    return course_site.build(tmp_path_factory.mktemp("site"))


def text_of(page: str) -> str:
    """What a reader sees of an HTML page: tags removed (syntax highlighting splits code into spans)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def sidebar(page: str) -> list[str]:
    nav = re.search(r'<nav class="[^"]*bd-docs-nav.*?</nav>', page, flags=re.S)
    assert nav, "no sidebar navigation"
    return re.findall(r'class="reference internal" href="([^"#]+)"', nav.group(0))


def test_sidebar_lists_every_lecture_in_order_then_assignments_and_reference(site):
    pages = sidebar((site / "index.html").read_text())
    expected = (
        [f"{nb.stem}.html" for nb in LECTURES]
        + [f"{i}.html" for i in IDS]
        + ["notation.html", "slides.html", "benchmarks.html", "claims.html"]
    )
    assert pages == expected
    for page in expected:
        assert (site / page).is_file(), page


def test_previous_and_next_follow_the_lecture_order(site):
    order = ["index", *[nb.stem for nb in LECTURES]]
    for before, here, after in zip(order, order[1:], [*order[2:], None]):
        page = (site / f"{here}.html").read_text()
        prev = re.search(r'<a class="left-prev"\s+href="([^"]+)"', page)
        assert prev and prev.group(1) == f"{before}.html", f"{here}: previous is {prev}"
        if after:
            following = re.search(r'<a class="right-next"\s+href="([^"]+)"', page)
            assert following and following.group(1) == f"{after}.html", f"{here}: next"


@pytest.mark.parametrize("notebook", LECTURES, ids=lambda p: p.stem)
def test_every_lecture_page_has_colab_binder_and_download_buttons(site, notebook):
    page = (site / f"{notebook.stem}.html").read_text()
    rel = notebook.relative_to(ROOT).as_posix()
    buttons = re.search(r'<div class="course-launch".*?</div>', page, flags=re.S)
    assert buttons, f"{notebook.name}: no launch buttons"
    hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', buttons.group(0))]
    assert hrefs == [links.colab_url(rel), links.binder_url(rel), f"ipynb/{notebook.name}"]
    # the download is the stored notebook itself, byte for byte
    assert (site / "ipynb" / notebook.name).read_bytes() == notebook.read_bytes()
    # and the page shows the notebook's stored outputs (no re-execution: same text)
    stored = json.loads(notebook.read_text())
    printed = [
        line.strip()
        for cell in stored["cells"]
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
        for line in "".join(out["text"]).splitlines()
        if len(line.strip()) > 20
    ]
    seen = text_of(page)
    missing = [line for line in printed if line not in seen]
    assert not missing, f"{notebook.name}: stored outputs missing from the page: {missing[:3]}"


def test_every_figure_has_alt_text_and_the_image_exists(site):
    figures = 0
    for notebook in LECTURES:
        page = (site / f"{notebook.stem}.html").read_text()
        for img in re.findall(r"<img\b[^>]*>", page):
            alt = re.search(r'alt="([^"]*)"', img)
            src = re.search(r'src="([^"]+)"', img).group(1)
            assert alt and len(alt.group(1)) > 15 and not alt.group(1).endswith(".png"), (
                f"{notebook.name}: figure without a real alt text: {img[:120]}"
            )
            assert "$" not in alt.group(1) and "\\" not in alt.group(1), alt.group(1)
            assert (site / src).is_file(), src
            figures += 1
    assert figures >= 20, f"only {figures} figures on the lecture pages"


def test_alt_text_names_section_titles_and_drawing_calls():
    cell = {
        "cell_type": "code",
        "source": 'unrolled.unrolled(5, ax=ax, title="unrolled through time")\nplt.show()',
    }
    assert course_site.figure_alt(cell, "2. The recurrent neuron") == (
        "Figure in the section “2. The recurrent neuron”, titled “unrolled through time”, "
        "drawn by unrolled.unrolled."
    )
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# T\n\n## Gates of $W_y$"},
            {**cell, "metadata": {}, "outputs": [{"data": {"image/png": "AA=="}}]},
            {
                **cell,
                "metadata": {"mystnb": {"image": {"alt": "kept as written"}}},
                "outputs": [{"data": {"image/png": "AA=="}}],
            },
        ]
    }
    out = course_site.prepare_notebook(nb, "<div>buttons</div>\n")
    assert out["cells"][0]["source"].startswith("# T\n\n<div>buttons</div>")
    assert out["cells"][1]["metadata"]["mystnb"]["image"]["alt"].startswith(
        "Figure in the section “Gates of W_y”"
    )
    assert out["cells"][2]["metadata"]["mystnb"]["image"]["alt"] == "kept as written"
    assert "mystnb" not in nb["cells"][1]["metadata"], "the stored notebook is not modified"


def _public_lines(master: dict) -> set[str]:
    """Lines of a master notebook outside its solutions and hidden tests: prompts, stubs, given code."""
    lines: set[str] = set()
    in_block = False
    for cell in master["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "raw":
            in_block = source.strip().startswith("# BEGIN SOLUTION") or (
                in_block and not source.strip().startswith("# END SOLUTION")
            )
            continue
        if _is_hidden_test(source) or (in_block and cell["cell_type"] == "markdown"):
            continue
        inside = False
        for line in source.splitlines():
            if line.strip().startswith("# BEGIN SOLUTION"):
                inside = True
            elif line.strip().startswith("# END SOLUTION"):
                inside = False
            elif not inside:
                lines.add(line.strip())
    return lines


def _secrets() -> set[str]:
    """Solution lines and hidden-test lines of every master that no public part also contains.

    Public: what the masters show outside solutions and hidden tests (a stub's signature, given code, a
    public test), and every line of the lecture notebooks (a sigmoid written in notebook 06 is no secret).
    """
    masters = [json.loads(assignments.get(i).master().read_text()) for i in IDS]
    secret: set[str] = set()
    public: set[str] = set()
    for master in masters:
        secret |= _solution_lines(master)
        public |= _public_lines(master)
        for cell in master["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and _is_hidden_test(source):
                secret |= {
                    line.strip()
                    for line in source.splitlines()
                    if len(line.strip()) >= 25 and "TEST CONFIG" not in line
                }
    for notebook in LECTURES:
        for cell in json.loads(notebook.read_text())["cells"]:
            public |= {line.strip() for line in "".join(cell["source"]).splitlines()}
    public_text = "\n".join(public)  # a secret quoted inside a public line is public too
    return {line for line in secret if line not in public_text}


def _site_texts(site: Path):
    for path in sorted(site.rglob("*")):
        if not path.is_file() or "_static" in path.parts:  # the theme's and MathJax's own files
            continue
        if path.suffix not in (".html", ".js", ".ipynb", ".json", ".txt"):
            continue
        raw = path.read_text(errors="replace")
        yield path, raw
        if path.suffix == ".html":
            yield path, text_of(raw)
        if path.suffix == ".ipynb":
            yield path, "\n".join(_strings(json.loads(raw)))


def _strings(obj):
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _strings(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _strings(value)


def _leaks(site: Path, secret: set[str]) -> list[tuple[str, str]]:
    return [
        (path.name, line) for path, text in _site_texts(site) for line in secret if line in text
    ]


def test_assignments_are_student_editions_without_solutions_or_hidden_tests(site):
    secret = _secrets()
    assert len(secret) > 60, "the scan must have solution and hidden-test lines to look for"
    assert not _leaks(site, secret), f"the site leaks: {_leaks(site, secret)[:5]}"
    for assignment_id in IDS:
        page = text_of((site / f"{assignment_id}.html").read_text())
        assert "Student edition" in page and "q1" in page, assignment_id
        assert (site / "ipynb" / f"{assignment_id}.ipynb").is_file()


def test_leak_scan_finds_a_solution_line_even_inside_highlighted_code(site, tmp_path):
    line = sorted(_secrets())[0]
    words = line.split(" ")
    highlighted = " ".join(f'<span class="n">{html.escape(w)}</span>' for w in words)
    copy = tmp_path / "site"
    copy.mkdir()
    page = (site / "a1_rnn_bptt.html").read_text()
    (copy / "a1_rnn_bptt.html").write_text(
        page.replace("</article>", f"<pre>{highlighted}</pre></article>")
    )
    assert _leaks(copy, {line}) == [("a1_rnn_bptt.html", line)]


def test_no_page_loads_anything_from_the_network(site):
    assert course_site.check_offline(site) == []
    # every page typesets with the bundled MathJax, never a CDN copy
    local = "_static/mathjax/MathJax.js?config=TeX-AMS_CHTML-full"
    for page in site.glob("*.html"):
        scripts = re.findall(r'<script[^>]*src="([^"]*MathJax[^"]*)"', page.read_text())
        assert scripts in ([], [local]), page.name  # Sphinx adds MathJax to pages with maths only
    for notebook in LECTURES[1:]:
        assert local in (site / f"{notebook.stem}.html").read_text(), notebook.name
    assert (site / "_static" / "mathjax" / "config" / "TeX-AMS_CHTML-full.js").is_file()
    assert (site / ".nojekyll").is_file(), "GitHub Pages would not publish _static/ without it"
    # and the check itself can fail
    assert course_site.remote_assets('<script src="https://cdn.example/x.js"></script>')
    assert course_site.remote_assets('<link rel="stylesheet" href="//fonts.example/a.css">')
    assert course_site.remote_assets("body { background: url('https://example.org/a.png') }")
    assert not course_site.remote_assets('<a href="https://colab.research.google.com/x">Colab</a>')


def test_reference_pages_notation_benchmarks_claims_and_slides(site):
    notation = text_of((site / "notation.html").read_text())
    assert "batch-first" in notation and "(N, T, D)" in notation
    bench = (site / "benchmarks.html").read_text()
    if (ROOT / "BENCHMARKS.md").exists():
        for img in re.findall(r'<img[^>]*src="([^"]+)"', bench):
            assert (site / img).is_file(), img
    claims = text_of((site / "claims.html").read_text())
    if (ROOT / "docs" / "claims.md").exists():
        assert "Not generated yet" not in claims
    else:
        assert "tools/claims.py" in claims
    slides = (site / "slides.html").read_text()
    for deck in sorted((ROOT / "slides" / "_build").glob("*.slides.html")):
        assert f'href="slides/{deck.name}"' in slides and (site / "slides" / deck.name).is_file()
    assert "make slides" in text_of(slides) or "slides/" in slides


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def served(site):
    """The built site on a local HTTP server; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _screenshot(page, tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    page.screenshot(path=str(target), full_page=False)
    artifacts = os.environ.get("COURSE_ARTIFACTS_DIR")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy2(target, Path(artifacts) / name)


@pytest.mark.browser
def test_site_in_a_real_browser_offline(site, served, chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    remote: list[str] = []
    errors: list[str] = []
    failed: list[str] = []

    def only_local(route):
        url = route.request.url
        if url.startswith((served + "/", "data:", "blob:")):
            route.continue_()
        else:
            remote.append(url)
            route.abort()

    def watch(page, name: str):
        page.on(
            "console", lambda m: errors.append(f"{name}: {m.text}") if m.type == "error" else None
        )
        page.on("pageerror", lambda e: errors.append(f"{name}: {e}"))
        # a missing file answers 404; a request that fails otherwise counts too, except one that
        # the next navigation cancelled (a web font still on its way when the test moves on)
        page.on(
            "response",
            lambda r: failed.append(f"{name}: {r.status} {r.url}") if r.status >= 400 else None,
        )
        page.on(
            "requestfailed",
            lambda r: (
                None
                if "ERR_ABORTED" in (r.failure or "")
                else failed.append(f"{name}: {r.url} {r.failure}")
            ),
        )

    def typeset(page) -> int:
        """Wait until MathJax has typeset the page (a callback queued behind its work has run)."""
        page.wait_for_function(
            "!!(window.MathJax && MathJax.Hub && MathJax.Hub.queue)", timeout=30_000
        )
        # MathJax 2 loads its configuration and input/output jax asynchronously: a callback queued
        # before its startup has queued the first typeset would run at once, on untypeset maths. The
        # "End" startup hook fires once that typeset is done (and at once if it already was); the hook
        # must not return the queued callback, or the startup signal waits on it and neither finishes.
        page.evaluate(
            "window.typesetDone = false;"
            " MathJax.Hub.Register.StartupHook('End', () => {"
            " MathJax.Hub.Queue(() => { window.typesetDone = true; }); })"
        )
        page.wait_for_function("window.typesetDone === true", timeout=120_000)
        page.evaluate("document.fonts.ready.then(() => true)")
        assert page.evaluate("document.querySelectorAll('.MathJax_Error, .mjx-merror').length") == 0
        return page.evaluate("document.querySelectorAll('.MathJax_CHTML').length")

    def no_horizontal_scroll(page) -> bool:
        return page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
        )

    pages = sorted(p.name for p in site.glob("*.html"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            # every page, on a 375 px phone: loads with no console error, no failed and no remote
            # request, its maths typesets, and nothing scrolls sideways
            phone = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
            phone.route("**/*", only_local)
            page = phone.new_page()
            watch(page, "phone")
            wide = []
            for name in pages:
                page.goto(f"{served}/{name}", wait_until="load")
                formulas = page.evaluate("document.querySelectorAll('.math').length")
                if formulas:
                    shown = typeset(page)
                    assert shown == formulas, f"{name}: {shown} of {formulas} formulas typeset"
                if not no_horizontal_scroll(page):
                    wide.append((name, page.evaluate("document.documentElement.scrollWidth")))
                if name == "index.html":
                    _screenshot(page, tmp_path, "site-home-phone.png")
                if name == "01_basic_recurrent_cell.html":
                    _screenshot(page, tmp_path, "site-notebook-phone.png")
            assert not wide, f"pages wider than 375 px: {wide}"
            phone.close()

            desktop = browser.new_context(viewport=DESKTOP, color_scheme="light")
            desktop.route("**/*", only_local)
            page = desktop.new_page()
            watch(page, "desktop")
            page.goto(f"{served}/01_basic_recurrent_cell.html", wait_until="load")
            assert typeset(page) >= 20, "the maths of notebook 01 was not typeset"
            # display maths sits in the middle of the text column (MathJax may re-render once its
            # web fonts arrive, so wait for the settled layout)
            page.wait_for_function(
                "(() => { const box = document.querySelector('div.math').getBoundingClientRect();"
                " const eq = document.querySelector('div.math .MathJax_CHTML')"
                ".getBoundingClientRect();"
                " return eq.width > 0"
                " && Math.abs((eq.left + eq.right) / 2 - (box.left + box.right) / 2) < 5; })()",
                timeout=30_000,
            )
            alts = page.evaluate(
                "[...document.querySelectorAll('.cell_output img')]"
                ".map(i => [i.alt, i.complete && i.naturalWidth > 0])"
            )
            assert alts and all(len(alt) > 15 and shown for alt, shown in alts), alts
            _screenshot(page, tmp_path, "site-notebook-desktop.png")
            page.goto(f"{served}/index.html", wait_until="load")
            _screenshot(page, tmp_path, "site-home-desktop.png")

            # offline full-text search
            page.goto(f"{served}/search.html?q=peephole", wait_until="load")
            page.wait_for_selector("#search-results li a", timeout=30_000)
            hits = page.evaluate(
                "[...document.querySelectorAll('#search-results li a')]"
                ".map(a => a.getAttribute('href'))"
            )
            assert any(h.startswith("06_lstm.html") for h in hits), hits
            desktop.close()

            # dark mode: the theme follows the system, and figures (black ink on a transparent
            # background) sit on a light panel
            dark = browser.new_context(viewport=DESKTOP, color_scheme="dark")
            dark.route("**/*", only_local)
            page = dark.new_page()
            watch(page, "dark")
            page.goto(f"{served}/01_basic_recurrent_cell.html", wait_until="load")
            typeset(page)
            assert page.evaluate("document.documentElement.dataset.theme") == "dark"
            background = page.evaluate(
                "getComputedStyle(document.querySelector('.cell_output img')).backgroundColor"
            )
            channels = [int(c) for c in re.findall(r"\d+", background)[:3]]
            assert len(channels) == 3 and min(channels) >= 180, background
            _screenshot(page, tmp_path, "site-notebook-dark.png")
            dark.close()
        finally:
            browser.close()
    assert remote == [], f"requests to the network: {remote[:10]}"
    assert errors == [], f"console errors: {errors[:10]}"
    assert failed == [], f"failed requests: {failed[:10]}"


def test_links_between_published_pages_point_at_the_site():
    # BENCHMARKS.md links the claims report by its repository path; on the site it is claims.md
    bench = ROOT / "BENCHMARKS.md"
    text = "see [`docs/claims.md`](docs/claims.md), [a row](docs/claims.md#coverage), [x](https://a.b/c.md)"
    assert course_site.site_links(text, bench) == (
        "see [`docs/claims.md`](claims.md), [a row](claims.md#coverage), [x](https://a.b/c.md)"
    )
    assert course_site.site_links("[b](../BENCHMARKS.md)", ROOT / "docs" / "claims.md") == (
        "[b](benchmarks.md)"
    )
