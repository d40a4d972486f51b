"""Tests for course_utils.diagrams.mappings: the four input/output mappings."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_rgba

from course_utils.diagrams import mappings
from course_utils.diagrams.unrolled import CELL_COLOR


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _gids(ax, prefix):
    return sorted(
        (p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith(prefix)),
        key=lambda g: int(g.split("-")[1]),
    )


@pytest.mark.parametrize(
    ("kind", "inputs", "outputs", "cells"),
    [
        ("seq2seq", [1, 2, 3, 4], [1, 2, 3, 4], 4),
        ("seq2vec", [1, 2, 3, 4], [4], 4),
        ("vec2seq", [1, 2, 3, 4], [1, 2, 3, 4], 4),
        ("encdec", [1, 2, 3, 4, 5, 6, 7], [5, 6, 7], 7),
    ],
)
def test_each_mapping_keeps_the_right_inputs_and_outputs(kind, inputs, outputs, cells):
    ax = mappings.mapping(kind, 4, horizon=3)
    assert _gids(ax, "input-") == [f"input-{t}" for t in inputs]
    assert _gids(ax, "output-") == [f"output-{t}" for t in outputs]
    assert len(_gids(ax, "cell-")) == cells
    assert ax.get_title().startswith(mappings.MAPPINGS[kind])


def test_encoder_and_decoder_cells_differ_in_colour():
    ax = mappings.mapping("encdec", 3, horizon=2)
    colours = [
        next(p for p in ax.patches if p.get_gid() == f"cell-{t}").get_facecolor()
        for t in range(1, 6)
    ]
    assert colours[:3] == [to_rgba(CELL_COLOR)] * 3
    assert colours[3:] == [to_rgba(mappings.DECODER_COLOR)] * 2


def test_vec2seq_feeds_the_same_vector_at_every_step():
    ax = mappings.mapping("vec2seq", 3)
    assert sum(t.get_text() == "$v$" for t in ax.texts) == 3


def test_all_mappings_fills_four_axes_in_order():
    axes = mappings.all_mappings(steps=3, horizon=2)
    assert [ax.get_title().split(" (")[0] for ax in axes] == list(mappings.MAPPINGS.values())
    _, grid = plt.subplots(1, 4)
    assert list(mappings.all_mappings(axes=grid)) == list(grid)


def test_errors_name_the_argument():
    with pytest.raises(
        ValueError,
        match=r"kind: expected one of \('seq2seq', 'seq2vec', 'vec2seq', 'encdec'\), got 'seq2tree'",
    ):
        mappings.mapping("seq2tree")
    with pytest.raises(ValueError, match="horizon: expected a positive integer, got 0"):
        mappings.mapping("encdec", horizon=0)
    _, grid = plt.subplots(1, 2)
    with pytest.raises(ValueError, match=r"axes: expected 4 axes \(one per mapping\), got 2"):
        mappings.all_mappings(axes=grid)
