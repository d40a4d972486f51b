"""The basic recurrent cell drawn three ways: one neuron, a layer of them, and the network unrolled in time.

Notebook 01, the time-step explorer (:mod:`course_utils.widgets.timestep`), the I/O mapping diagrams
(:mod:`course_utils.diagrams.mappings`, built on :func:`unrolled`) and the slides all use these figures.
Time steps are numbered 1..T; ``y(0)`` is the initial state. Every function takes ``ax=None`` (a new figure
is made) and returns the axes. Patches carry a ``gid`` (``"cell-3"``, ``"input-3"``, ``"output-3"``) so tests
and callers can find the piece for step 3.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from ..validation import check_int, check_positive_int, check_sequence

__all__ = ["CELL_COLOR", "HIGHLIGHT_COLOR", "layer", "neuron", "unrolled"]

#: Face colour of a recurrent cell, and of the cell at the highlighted step.
CELL_COLOR = "#c6dbef"
HIGHLIGHT_COLOR = "#fd8d3c"


def _new_axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    ax.axis("off")
    return ax


def _arrow(
    ax: Axes, start: tuple[float, float], end: tuple[float, float], *, gid: str | None = None, **kw
) -> FancyArrowPatch:
    style = {
        "arrowstyle": "-|>",
        "mutation_scale": 12,
        "color": "black",
        "linewidth": 1.2,
        "zorder": 1,
        **kw,
    }
    arrow = FancyArrowPatch(start, end, **style)
    arrow.set_gid(gid)
    ax.add_patch(arrow)
    return arrow


def _box(ax: Axes, x: float, y: float, w: float, h: float, color: str, gid: str) -> FancyBboxPatch:
    box = FancyBboxPatch(
        (x - w / 2, y - h / 2),
        w,
        h,
        boxstyle="round,pad=0.04",
        facecolor=color,
        edgecolor="black",
        linewidth=1.2,
        zorder=2,
    )
    box.set_gid(gid)
    ax.add_patch(box)
    return box


def neuron(ax: Axes | None = None) -> Axes:
    """One recurrent neuron: it reads ``x(t)`` and its own previous output ``y(t-1)`` (the loop), emits ``y(t)``.

    >>> ax = neuron(); [p.get_gid() for p in ax.patches if p.get_gid() == "cell"]
    ['cell']
    """
    ax = _new_axes(ax, (2.6, 2.6))
    ax.set_xlim(-1.2, 1.4)
    ax.set_ylim(-1.4, 1.4)
    ax.set_aspect("equal")
    cell = Circle((0, 0), 0.35, facecolor=CELL_COLOR, edgecolor="black", linewidth=1.2, zorder=2)
    cell.set_gid("cell")
    ax.add_patch(cell)
    ax.text(0, 0, r"$\phi$", ha="center", va="center", fontsize=13, zorder=3)
    _arrow(ax, (0, -1.1), (0, -0.36), gid="input")
    ax.text(0, -1.25, r"$x^{(t)}$", ha="center", va="top", fontsize=12)
    _arrow(ax, (0, 0.36), (0, 1.1), gid="output")
    ax.text(0, 1.15, r"$y^{(t)}$", ha="center", va="bottom", fontsize=12)
    # The loop: leaves the output, comes back into the cell one step later.
    _arrow(
        ax, (0.05, 0.75), (0.33, 0.12), gid="loop", connectionstyle="arc3,rad=-1.4", color="#d62728"
    )
    ax.text(0.95, 0.45, r"$y^{(t-1)}$", ha="left", va="center", fontsize=11, color="#d62728")
    return ax


def layer(units: int = 3, ax: Axes | None = None) -> Axes:
    """A layer of ``units`` recurrent neurons: each gets the whole vector ``x(t)`` and the whole ``y(t-1)``.

    >>> ax = layer(4); sum(1 for p in ax.patches if (p.get_gid() or "").startswith("unit-"))
    4
    """
    units = check_positive_int(units, "units")
    ax = _new_axes(ax, (1.2 + 0.9 * units, 3.0))
    width = max(units - 1, 1)
    ax.set_xlim(-1.0, width + 1.6)
    ax.set_ylim(-1.6, 1.6)
    xs = [i * width / max(units - 1, 1) for i in range(units)] if units > 1 else [width / 2]
    _box(ax, width / 2, -1.15, width + 0.6, 0.35, "#f0f0f0", "input")
    ax.text(
        width / 2,
        -1.15,
        r"$\mathbf{x}^{(t)}$ (D values)",
        ha="center",
        va="center",
        fontsize=11,
        zorder=3,
    )
    _box(ax, width / 2, 1.15, width + 0.6, 0.35, "#f0f0f0", "output")
    ax.text(
        width / 2,
        1.15,
        r"$\mathbf{y}^{(t)}$ (H values)",
        ha="center",
        va="center",
        fontsize=11,
        zorder=3,
    )
    for i, x in enumerate(xs):
        unit = Circle(
            (x, 0), 0.28, facecolor=CELL_COLOR, edgecolor="black", linewidth=1.2, zorder=2
        )
        unit.set_gid(f"unit-{i + 1}")
        ax.add_patch(unit)
        ax.text(x, 0, r"$\phi$", ha="center", va="center", fontsize=12, zorder=3)
        _arrow(ax, (x, -0.95), (x, -0.29), gid=f"wx-{i + 1}")
        _arrow(ax, (x, 0.29), (x, 0.95), gid=f"y-{i + 1}")
    # Feedback: the whole output vector returns one step later, into every unit (weights Wy).
    right = width + 0.95
    _arrow(
        ax, (width / 2 + (width + 0.6) / 2, 1.15), (right, 1.15), arrowstyle="-", color="#d62728"
    )
    _arrow(ax, (right, 1.15), (right, 0.45), arrowstyle="-", color="#d62728")
    for i, x in enumerate(xs):
        _arrow(ax, (right, 0.45), (x + 0.2, 0.2), gid=f"wy-{i + 1}", color="#d62728", linewidth=0.8)
    ax.text(
        right + 0.05,
        0.8,
        r"$\mathbf{y}^{(t-1)}$",
        ha="left",
        va="center",
        fontsize=11,
        color="#d62728",
    )
    # W_x labels the input arrows it weights: a bracket across them, the name at its left end.
    ax.plot([xs[0] - 0.15, xs[-1] + 0.15], [-0.62, -0.62], color="black", lw=0.8, ls=":", zorder=1)
    ax.text(xs[0] - 0.2, -0.62, r"$W_x$", fontsize=11, ha="right", va="center", gid="label-wx")
    ax.text(right + 0.05, 0.2, r"$W_y$", fontsize=11, color="#d62728")
    return ax


def _labels(
    value: Sequence[str | None] | None, steps: int, default: str, name: str
) -> list[str | None]:
    if value is None:
        return [default.format(t=t) for t in range(1, steps + 1)]
    return check_sequence(
        list(value), name, what="labels", length=steps, hint="one per time step, None for none"
    )


def unrolled(
    steps: int = 4,
    *,
    highlight: int | None = None,
    x_labels: Sequence[str | None] | None = None,
    y_labels: Sequence[str | None] | None = None,
    cell_colors: Sequence[str] | None = None,
    cell_labels: Sequence[str] | None = None,
    initial_label: str | None = r"$y^{(0)}$",
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The recurrent network unrolled through ``steps`` time steps, optionally highlighting one step.

    The same cell (same ``Wx``, ``Wy``, ``b``) is drawn once per step; the arrow between steps carries
    ``y(t-1)`` into step t.

    Args:
        steps: number of time steps T drawn (numbered 1..T).
        highlight: the step (1..T) to colour, or None.
        x_labels: one label per step for the input arrow (None: no input at that step); default ``x(t)``.
        y_labels: one label per step for the output arrow (None: no output); default ``y(t)``.
        cell_colors: one face colour per cell (e.g. encoder and decoder); default all :data:`CELL_COLOR`.
        cell_labels: one text per cell; default empty.
        initial_label: label of the state entering step 1 (None: no arrow).
        title: axes title.
        ax: axes to draw on (None: a new figure).

    Returns:
        The axes. Patches have gids ``cell-t``, ``input-t``, ``output-t``, ``state-t`` (state into step t).

    >>> ax = unrolled(5, highlight=2)
    >>> [p.get_facecolor()[:3] != (0.0, 0.0, 0.0) for p in ax.patches if p.get_gid() == "cell-2"]
    [True]
    >>> unrolled(3, highlight=4)
    Traceback (most recent call last):
    ...
    ValueError: highlight: expected a time step in 1..3 or None, got 4
    """
    steps = check_positive_int(steps, "steps")
    highlight = check_int(
        highlight, "highlight", low=1, high=steps, what="time step", allow_none=True
    )
    xs = _labels(x_labels, steps, r"$x^{{({t})}}$", "x_labels")
    ys = _labels(y_labels, steps, r"$y^{{({t})}}$", "y_labels")
    colors = list(cell_colors) if cell_colors is not None else [CELL_COLOR] * steps
    check_sequence(colors, "cell_colors", what="colours", length=steps, hint="one per time step")
    texts = list(cell_labels) if cell_labels is not None else [""] * steps
    check_sequence(texts, "cell_labels", what="labels", length=steps, hint="one per time step")

    ax = _new_axes(ax, (1.0 + 1.1 * steps, 2.6))
    gap = 1.3
    ax.set_xlim(-1.1, (steps - 1) * gap + 0.7)
    ax.set_ylim(-1.45, 1.45)
    for i in range(steps):
        t = i + 1
        cx = i * gap
        color = HIGHLIGHT_COLOR if highlight == t else colors[i]
        _box(ax, cx, 0, 0.6, 0.5, color, f"cell-{t}")
        if texts[i]:
            ax.text(cx, 0, texts[i], ha="center", va="center", fontsize=9, zorder=3)
        if xs[i] is not None:
            _arrow(ax, (cx, -0.95), (cx, -0.3), gid=f"input-{t}")
            ax.text(cx, -1.0, xs[i], ha="center", va="top", fontsize=11)
        if ys[i] is not None:
            _arrow(ax, (cx, 0.3), (cx, 0.95), gid=f"output-{t}")
            ax.text(cx, 1.0, ys[i], ha="center", va="bottom", fontsize=11)
        if i > 0:
            _arrow(ax, (cx - gap + 0.34, 0), (cx - 0.34, 0), gid=f"state-{t}", color="#d62728")
        elif initial_label is not None:
            _arrow(ax, (-0.95, 0), (-0.34, 0), gid="state-1", color="#d62728")
            ax.text(
                -0.95, 0.12, initial_label, ha="left", va="bottom", fontsize=10, color="#d62728"
            )
    if title:
        ax.set_title(title, fontsize=11)
    return ax
