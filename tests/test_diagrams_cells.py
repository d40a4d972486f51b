"""Tests for course_utils.diagrams.cells: the LSTM and GRU cell diagrams."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils.diagrams import cells


def _texts(ax):
    return [t.get_text() for t in ax.texts]


@pytest.mark.parametrize("peephole", [False, True])
def test_lstm_cell_draws_every_gate_on_the_given_axes(peephole):
    fig, ax = plt.subplots()
    out = cells.lstm_cell(ax=ax, peephole=peephole)
    assert out is ax
    texts = _texts(ax)
    for letter in ("i", "f", "g", "o"):
        assert f"${letter}^{{(t)}}$" in texts
    assert texts.count("σ") == 3 and "tanh" in texts
    assert "$c^{(t-1)}$" in texts and "$c^{(t)}$" in texts and "$h^{(t)}$" in texts
    assert ("peepholes" in texts) is peephole
    assert ax.get_title() == ("LSTM cell with peepholes" if peephole else "LSTM cell")
    plt.close(fig)


def test_peephole_variant_adds_wires():
    fig, (a, b) = plt.subplots(1, 2)
    cells.lstm_cell(ax=a)
    cells.lstm_cell(ax=b, peephole=True)
    assert len(b.patches) > len(a.patches)
    plt.close(fig)


def test_gru_cell_draws_its_gates_and_makes_a_figure_when_no_axes():
    ax = cells.gru_cell()
    texts = _texts(ax)
    assert "$r^{(t)}$" in texts and "$z^{(t)}$" in texts and r"$\tilde{h}^{(t)}$" in texts
    assert texts.count("σ") == 2 and "tanh" in texts and "1−" in texts
    assert ax.get_title() == "GRU cell"
    plt.close(ax.figure)


def test_gate_colours_are_shared():
    assert set("ifgo") <= set(cells.GATE_COLORS) and set("zrh") <= set(cells.GATE_COLORS)


def _wire_segments(ax):
    """Every straight piece of wire on the axes, in data coordinates."""
    from matplotlib.patches import FancyArrowPatch

    segments = []
    for line in ax.lines:
        xy = np.asarray(line.get_xydata(), dtype=float)
        segments += list(itertools.pairwise(xy))
    for patch in ax.patches:
        if isinstance(patch, FancyArrowPatch):
            a, b = patch._posA_posB
            segments.append((np.asarray(a, float), np.asarray(b, float)))
    return segments


def crossed_labels(ax) -> list[str]:
    """The gate labels (gid ``label-*``) that some wire runs through."""
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    out = []
    for text in ax.texts:
        if not (text.get_gid() or "").startswith("label-"):
            continue
        box = text.get_window_extent(renderer).transformed(ax.transData.inverted())
        for a, b in _wire_segments(ax):
            pts = a + np.linspace(0, 1, 200)[:, None] * (b - a)
            inside = (
                (pts[:, 0] > box.x0)
                & (pts[:, 0] < box.x1)
                & (pts[:, 1] > box.y0)
                & (pts[:, 1] < box.y1)
            )
            if inside.any():
                out.append(text.get_text())
                break
    return out


@pytest.mark.parametrize(
    "draw",
    [lambda: cells.gru_cell(), lambda: cells.lstm_cell(), lambda: cells.lstm_cell(peephole=True)],
    ids=["gru", "lstm", "peephole"],
)
def test_no_wire_runs_through_a_gate_label(draw):
    ax = draw()
    labels = [t for t in ax.texts if (t.get_gid() or "").startswith("label-")]
    assert len(labels) >= 3
    assert crossed_labels(ax) == []
    plt.close(ax.figure)


def test_the_layer_diagrams_wx_label_sits_on_the_bracket_across_the_input_arrows():
    from course_utils.diagrams import unrolled

    ax = unrolled.layer(3)
    (label,) = [t for t in ax.texts if t.get_gid() == "label-wx"]
    (bracket,) = [line for line in ax.lines if line.get_linestyle() == ":"]
    xs, ys = bracket.get_data()
    x, y = label.get_position()
    assert y == ys[0] and x <= xs[0], "the label is at the bracket's left end"
    assert crossed_labels(ax) == []
    plt.close(ax.figure)
