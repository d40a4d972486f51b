"""Tests for course_utils.diagrams.stack: the deep RNN unrolled through time."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from course_utils.diagrams import stack


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_draw_stack_draws_one_cell_per_layer_and_step():
    ax = stack.draw_stack(layers=2, steps=3)
    gids = sorted(p.get_gid() for p in ax.patches if p.get_gid())
    assert gids == [f"cell-{row}-{t}" for row in (1, 2) for t in (1, 2, 3)]
    texts = [t.get_text() for t in ax.texts]
    assert "$y(3)$" in texts and "$y(1)$" not in texts  # sequence-to-vector: one output
    # inputs at the bottom, initial states on the left
    assert "$x(1)$" in texts and "$h^{(2)}(0)$" in texts


def test_draw_stack_sequence_output_and_given_axes():
    _, ax = plt.subplots()
    out = stack.draw_stack(layers=1, steps=2, sequence_output=True, ax=ax)
    assert out is ax
    assert {"$y(1)$", "$y(2)$"} <= {t.get_text() for t in ax.texts}


def test_draw_stack_rejects_bad_sizes():
    with pytest.raises(ValueError, match=r"layers: expected a positive integer, got 0"):
        stack.draw_stack(layers=0)
    with pytest.raises(TypeError, match=r"steps: expected a positive integer, got float 2.5"):
        stack.draw_stack(steps=2.5)
