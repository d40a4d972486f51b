"""Tests for course_utils.diagrams.cells: the LSTM and GRU cell diagrams."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
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
