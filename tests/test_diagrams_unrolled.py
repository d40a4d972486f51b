"""Tests for course_utils.diagrams.unrolled: neuron, layer and the unrolled network."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_rgba

from course_utils.diagrams import unrolled


def _gids(ax, prefix):
    return sorted(p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith(prefix))


def _patch(ax, gid):
    (found,) = [p for p in ax.patches if p.get_gid() == gid]
    return found


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_neuron_has_input_output_and_loop():
    ax = unrolled.neuron()
    assert {"cell", "input", "output", "loop"} <= {p.get_gid() for p in ax.patches}
    assert any("y^{(t-1)}" in t.get_text() for t in ax.texts)


def test_layer_draws_each_unit_with_input_and_recurrent_connections():
    ax = unrolled.layer(4)
    assert _gids(ax, "unit-") == [f"unit-{i}" for i in range(1, 5)]
    assert len(_gids(ax, "wx-")) == 4 and len(_gids(ax, "wy-")) == 4


def test_unrolled_draws_one_cell_per_step_and_highlights_one():
    _, ax = plt.subplots()
    assert unrolled.unrolled(5, highlight=3, ax=ax) is ax
    assert _gids(ax, "cell-") == [f"cell-{t}" for t in range(1, 6)]
    assert _gids(ax, "state-") == [f"state-{t}" for t in range(1, 6)]
    assert _patch(ax, "cell-3").get_facecolor() == to_rgba(unrolled.HIGHLIGHT_COLOR)
    assert _patch(ax, "cell-2").get_facecolor() == to_rgba(unrolled.CELL_COLOR)
    labels = {t.get_text() for t in ax.texts}
    assert {"$x^{(1)}$", "$y^{(5)}$", "$y^{(0)}$"} <= labels


def test_moving_the_highlight_moves_the_colour():
    a = unrolled.unrolled(4, highlight=1)
    b = unrolled.unrolled(4, highlight=4)
    assert _patch(a, "cell-1").get_facecolor() != _patch(b, "cell-1").get_facecolor()
    assert _patch(b, "cell-4").get_facecolor() == to_rgba(unrolled.HIGHLIGHT_COLOR)


def test_missing_inputs_and_outputs_are_left_out():
    ax = unrolled.unrolled(
        3, x_labels=["a", None, None], y_labels=[None, None, "z"], initial_label=None
    )
    assert _gids(ax, "input-") == ["input-1"]
    assert _gids(ax, "output-") == ["output-3"]
    assert _gids(ax, "state-") == ["state-2", "state-3"]


def test_errors_name_the_argument():
    with pytest.raises(
        ValueError, match=r"highlight: expected a time step in 1\.\.3 or None, got 0"
    ):
        unrolled.unrolled(3, highlight=0)
    with pytest.raises(ValueError, match="x_labels: expected 3 labels"):
        unrolled.unrolled(3, x_labels=["a"])
    with pytest.raises(ValueError, match="cell_colors: expected 2 colours"):
        unrolled.unrolled(2, cell_colors=["red"])
    with pytest.raises(ValueError, match="steps: expected a positive integer, got 0"):
        unrolled.unrolled(0)
    with pytest.raises(ValueError, match="units: expected a positive integer, got -1"):
        unrolled.layer(-1)
