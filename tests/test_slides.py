"""The lecture decks: built offline from the course's sources, complete, and working in a real browser."""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from conftest import CHROMIUM_ARGS  # noqa: E402

import slides  # noqa: E402

# Each topic of the lecture outline and a pattern that one of the deck's slide headings must match.
OUTLINE = {
    "introduction: why sequences": r"sequence",
    "the basic recurrent cell": r"recurrent (cell|neuron)",
    "the recurrent layer": r"recurrent layer",
    "sequence-to-sequence": r"sequence[- ]to[- ]sequence",
    "sequence-to-vector": r"sequence[- ]to[- ]vector",
    "vector-to-sequence": r"vector[- ]to[- ]sequence",
    "encoder-decoder": r"encoder",
    "TensorFlow examples": r"tensorflow|keras",
    "training with BPTT": r"backpropagation through time|bptt",
    "vanishing and exploding gradients": r"vanishing|exploding",
    "deep RNNs": r"deep rnn",
    "LSTM": r"lstm|long short-term memory",
    "peephole connections": r"peephole",
    "GRU": r"gru|gated recurrent unit",
}


@pytest.fixture(scope="module")
def decks() -> list[Path]:
    """Build every deck once (the same code as `make slides`)."""
    assert slides.main([]) == 0
    built = sorted(slides.BUILD.glob("*.slides.html"))
    assert built, "no deck was built"
    return built


def headings(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", h).strip()
        for h in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", html, flags=re.S)
    ]


def test_every_outline_topic_has_its_slides(decks):
    text = "\n".join(h.lower() for deck in decks for h in headings(deck.read_text()))
    missing = [topic for topic, pattern in OUTLINE.items() if not re.search(pattern, text)]
    assert not missing, f"no slide heading covers: {missing}"


def test_no_network_reference_and_every_asset_present(decks):
    for deck in decks:
        html = deck.read_text()
        assert slides.remote_references(html) == [], f"{deck.name} references the network"
        for ref in re.findall(r"""(?:src|href)="([^"#][^"]*)\"""", html):
            if ref.startswith("data:"):
                continue
            local = (deck.parent / ref.split("?")[0]).resolve()
            assert local.exists(), f"{deck.name} references {ref}, which is not next to it"


def test_decks_have_speaker_notes_and_figures(decks):
    for deck in decks:
        html = deck.read_text()
        assert html.count('<aside class="notes">') >= 10, f"{deck.name}: speaker notes are missing"
        assert html.count("data:image/png;base64") >= 4, (
            f"{deck.name}: the course_utils figures are missing"
        )


def test_every_figure_has_alt_text_a_screen_reader_can_use(decks):
    for deck in decks:
        images = re.findall(r"<img\b[^>]*>", deck.read_text())
        assert images
        for img in images:
            alt = re.search(r'alt="([^"]*)"', img)
            assert alt, f"{deck.name}: an image without alt text"
            assert alt.group(1).startswith("Figure: "), f"{deck.name}: alt text {alt.group(1)!r}"
            assert "&lt;Figure size" not in alt.group(1)


def test_no_slide_shows_a_literal_backslash_or_ascii_greek(decks):
    for deck in decks:
        html = deck.read_text()
        assert "\\_" not in html, "an escaped underscore renders as a backslash in MathJax text"
        text = re.sub(r"<[^>]+>", " ", html)
        assert not re.search(r"\b(rho|tau) =", text), "write ρ and τ, not rho and tau"


@pytest.mark.browser
def test_decks_open_offline_in_a_real_browser(decks, chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            for deck in decks:
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                errors: list[str] = []
                failed: list[str] = []
                page.on(
                    "console",
                    lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None,
                )
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                page.on("requestfailed", lambda r, failed=failed: failed.append(r.url))
                page.goto(deck.as_uri())
                page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=20_000)
                total = page.evaluate("Reveal.getTotalSlides()")
                assert total >= 10
                page.screenshot(path=str(tmp_path / f"{deck.stem}-title.png"))
                seen = 0
                for _ in range(total + 40):  # fragments add steps; stop at the end
                    seen = max(seen, page.evaluate("Reveal.getSlidePastCount() + 1"))
                    if page.evaluate("Reveal.isLastSlide() && !Reveal.availableFragments().next"):
                        break
                    page.evaluate("Reveal.next()")
                    time.sleep(0.05)
                assert seen == total, f"{deck.name}: stepped through {seen} of {total} slides"
                page.wait_for_function(
                    "window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0",
                    timeout=30_000,
                )
                rendered = page.evaluate("document.querySelectorAll('.MathJax_CHTML').length")
                assert rendered >= 10, f"{deck.name}: only {rendered} formulas rendered"
                assert (
                    page.evaluate("document.querySelectorAll('.MathJax_Error, .mjx-merror').length")
                    == 0
                )
                assert errors == [], f"{deck.name}: console errors {errors}"
                assert failed == [], f"{deck.name}: failed requests {failed}"
                page.close()
        finally:
            browser.close()


def test_live_presenting_with_rise_reads_the_same_metadata():
    """RISE in JupyterLab presents the deck source itself (opened as a notebook through jupytext)."""
    import importlib.metadata as md

    import jupytext

    assert md.version("jupyterlab-rise") and md.version("jupytext")
    labext = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    assert (labext / "jupyterlab-rise").is_dir() and (labext / "jupyterlab-jupytext").is_dir()
    for src in sorted(slides.SOURCES.glob("*.py")):
        nb = jupytext.read(src)
        kinds = [cell.metadata.get("slideshow", {}).get("slide_type") for cell in nb.cells]
        assert None not in kinds, (
            f"{src.name}: every cell says what it is on a slide (RISE reads this)"
        )
        assert kinds[0] == "slide" and kinds.count("notes") >= 10


def test_an_unknown_deck_name_is_an_error_before_anything_is_installed(monkeypatch):
    monkeypatch.setattr(slides, "install_vendor", lambda: pytest.fail("installed before checking"))
    with pytest.raises(
        SystemExit, match=r"no deck named \['lectrue'\] in slides/src; have \['lecture'\]"
    ):
        slides.main(["lectrue"])
