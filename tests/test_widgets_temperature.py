"""Tests for course_utils.widgets.temperature: the plain functions and the slider, without a browser."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils.textgen import CharVocab, apply_temperature
from course_utils.widgets import temperature

VOCAB = CharVocab.from_text("ab\n")  # ids: "\n" 0, "a" 1, "b" 2
MODEL_P = np.array([0.1, 0.6, 0.3])


def fixed_model(ctx: np.ndarray) -> np.ndarray:
    """Next-character distribution that ignores the context: P(\\n, a, b) = (0.1, 0.6, 0.3)."""
    return np.tile(MODEL_P, (ctx.shape[0], 1))


def test_next_char_table_orders_by_the_model_and_scales_by_temperature():
    table = temperature.next_char_table(fixed_model, VOCAB, "ab", 0.5, top_k=2)
    assert [c for c, _ in table] == ["a", "b"]
    scaled = apply_temperature(MODEL_P, 0.5)
    assert table[0][1] == pytest.approx(scaled[1]) and table[1][1] == pytest.approx(scaled[2])
    hot = temperature.next_char_table(fixed_model, VOCAB, "ab", 5.0)
    assert [c for c, _ in hot] == ["a", "b", "\n"]  # order unchanged, spread flattened
    assert hot[0][1] < 0.6 < table[0][1]
    with pytest.raises(ValueError, match="prompt: expected at least one character"):
        temperature.next_char_table(fixed_model, VOCAB, "", 1.0)


def test_continuation_is_seeded_and_stops_at_the_end_character():
    a = temperature.continuation(fixed_model, VOCAB, "a", 1.0, n_chars=50, seed=1)
    assert a == temperature.continuation(fixed_model, VOCAB, "a", 1.0, n_chars=50, seed=1)
    assert len(a) == 50
    cold = temperature.continuation(fixed_model, VOCAB, "a", 0.05, n_chars=50, seed=1)
    assert cold == "a" * 50
    line = temperature.continuation(
        fixed_model, VOCAB, "a", 1.0, n_chars=200, end_char="\n", seed=2
    )
    assert "\n" not in line and len(line) < 200


def test_draw_shows_both_distributions_and_the_sample():
    ax, text = temperature.draw(fixed_model, VOCAB, "ab", 0.5, top_k=3, n_chars=30)
    heights = [p.get_height() for p in ax.patches]
    assert len(heights) == 6  # three filled bars at tau, three outlines at tau = 1
    np.testing.assert_allclose(heights[:3], apply_temperature(MODEL_P, 0.5)[[1, 2, 0]])
    np.testing.assert_allclose(heights[3:], MODEL_P[[1, 2, 0]])
    assert len(text) == 30 and ax.get_title(loc="left").startswith("ab")
    _, given = plt.subplots()
    assert temperature.draw(fixed_model, VOCAB, "a", 1.0, ax=given)[0] is given
    plt.close("all")


def test_explorer_redraws_when_the_slider_moves():
    box = temperature.explore(fixed_model, VOCAB, "ab", temperature=1.0, n_chars=20)
    slider, output = box.children
    assert box.drawn == 1.0
    first = output.outputs
    assert first[0]["data"]["text/plain"].endswith(" [temperature 1.0]")
    assert first[1]["text"].startswith("ab")
    slider.value = 0.3
    assert box.drawn == pytest.approx(0.3)
    assert output.outputs[0]["data"]["text/plain"].endswith(" [temperature 0.3]")
    assert output.outputs[0]["data"]["image/png"] != first[0]["data"]["image/png"]
    plt.close("all")


def test_draw_fits_its_title_and_labels_one_distribution_once():
    # at temperature 1 the scaled and the model's distributions are one: one set of bars, one legend entry
    ax, _ = temperature.draw(fixed_model, VOCAB, "ab", 1.0, n_chars=200, seed=0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["model (temperature 1)"]
    lines = ax.get_title(loc="left").splitlines()
    assert 1 <= len(lines) <= 2 and all(len(line) <= temperature.TITLE_WIDTH for line in lines)
    assert "temperature 1" in ax.figure.get_label()
    ax, _ = temperature.draw(fixed_model, VOCAB, "ab", 0.5, seed=0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "temperature 0.5",
        "model (temperature 1)",
    ]
