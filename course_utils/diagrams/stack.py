"""A deep RNN unrolled through time: a grid of cells, layer l (rows) at step t (columns).

Notebook 05 (lecture part *Deep RNNs*) opens with this figure; the NumPy and Keras stacks it depicts are in
:mod:`course_utils.deep`. Steps are numbered 1..T and ``h^(l)(0)`` is layer l's initial state, as in
:mod:`course_utils.diagrams.unrolled`. The function takes ``ax=None`` (a new figure is made) and returns the
axes; each cell's patch has the gid ``cell-l-t`` so tests and callers can find it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import FancyBboxPatch

from ..validation import check_positive_int

__all__ = ["draw_stack"]


def draw_stack(
    layers: int = 3, steps: int = 4, *, sequence_output: bool = False, ax: Axes | None = None
) -> Axes:
    """A deep RNN unrolled through time: a grid of cells, layer l (rows) at step t (columns).

    Horizontal arrows carry ``h^(l)(t-1)`` into step t of the same layer (weights ``Wh^(l)``, shared across
    t); vertical arrows carry ``h^(l-1)(t)`` up into layer l (weights ``Wx^(l)``). Inputs ``x(t)`` enter at
    the bottom; the top layer emits ``y(t)`` at every step when ``sequence_output`` is True, else only at
    the last step (sequence-to-vector, as in :func:`course_utils.models.build_stacked_rnn`).

    Args:
        layers: depth L (rows).
        steps: time steps T drawn (columns).
        sequence_output: draw an output at every step instead of only the last.
        ax: matplotlib axes to draw on; a new figure when None.

    Returns:
        The axes. Cells have gids ``cell-l-t`` (1-based).
    """
    layers = check_positive_int(layers, "layers")
    steps = check_positive_int(steps, "steps")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.6 * steps + 1.2, 1.1 * layers + 1.4))
    w, h = 0.9, 0.5  # cell size; cells sit at x = 1.5 t, y = row
    arrow = {"arrowstyle": "-|>", "color": "0.25", "lw": 1.2, "shrinkA": 0, "shrinkB": 0}
    colours = plt.get_cmap("Blues")(np.linspace(0.25, 0.55, layers))
    for row in range(1, layers + 1):
        for t in range(1, steps + 1):
            cx, cy = 1.5 * t, float(row)
            box = FancyBboxPatch(
                (cx - w / 2, cy - h / 2),
                w,
                h,
                boxstyle="round,pad=0.02",
                facecolor=colours[row - 1],
                edgecolor="0.2",
                gid=f"cell-{row}-{t}",
            )
            ax.add_patch(box)
            ax.text(cx, cy, rf"$h^{{({row})}}({t})$", ha="center", va="center", fontsize=9)
            start = cx - 1.5 + w / 2 if t > 1 else cx - w / 2 - 0.45
            ax.annotate("", xy=(cx - w / 2, cy), xytext=(start, cy), arrowprops=arrow)
            below = cy - 1 + h / 2 if row > 1 else cy - h / 2 - 0.35
            ax.annotate("", xy=(cx, cy - h / 2), xytext=(cx, below), arrowprops=arrow)
            if row == 1:
                ax.text(cx, below - 0.08, rf"$x({t})$", ha="center", va="top", fontsize=9)
            if row == layers and (sequence_output or t == steps):
                ax.annotate(
                    "", xy=(cx, cy + h / 2 + 0.35), xytext=(cx, cy + h / 2), arrowprops=arrow
                )
                ax.text(cx, cy + h / 2 + 0.4, rf"$y({t})$", ha="center", va="bottom", fontsize=9)
        ax.text(
            1.5 - w / 2 - 0.5,
            row + 0.12,
            rf"$h^{{({row})}}(0)$",
            ha="right",
            va="bottom",
            fontsize=8,
        )
    ax.set_xlim(0.2, 1.5 * steps + 0.8)
    ax.set_ylim(0.1, layers + 0.95)
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
