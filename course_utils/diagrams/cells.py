"""Diagrams of the gated cells: the LSTM cell (optionally with peepholes) and the GRU cell.

Drawn with matplotlib patches and arrows in the lecture's notation, so notebooks 06 and 07 and the slides
show the same picture. Each function takes ``ax=None`` (a new figure is made) and returns the axes.
Gate boxes carry their activation (sigma or tanh) and the gate's letter; circles are element-wise
operations. Wires: the cell state c(t) runs along the top, h(t-1) and x(t) enter at the bottom left.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

__all__ = ["GATE_COLORS", "gru_cell", "lstm_cell"]

#: One colour per gate, shared with the gate explorer (:mod:`course_utils.widgets.gates`).
GATE_COLORS = {
    "i": "#2b8cbe",  # input gate
    "f": "#e6550d",  # forget gate
    "g": "#31a354",  # candidate (LSTM "c" block in Keras' order i, f, c, o)
    "o": "#756bb1",  # output gate
    "z": "#e6550d",  # GRU update gate
    "r": "#2b8cbe",  # GRU reset gate
    "h": "#31a354",  # GRU candidate state
    "c": "#444444",  # cell state
}


def _new_axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("auto")
    ax.axis("off")
    return ax


def _gate(ax: Axes, x: float, y: float, act: str, letter: str, color: str) -> None:
    """A gate: a rounded box with the activation, its letter below and to the right of the box.

    Below-right is the one place no wire passes: inputs enter from below at the box's centre, outputs leave
    from the top or the right side at the box's mid-height.
    """
    ax.add_patch(
        FancyBboxPatch(
            (x - 0.04, y - 0.045),
            0.08,
            0.09,
            boxstyle="round,pad=0.005",
            facecolor=color,
            edgecolor="black",
            alpha=0.85,
            zorder=3,
        )
    )
    ax.text(x, y, act, ha="center", va="center", color="white", fontsize=12, zorder=4)
    ax.text(
        x + 0.045,
        y - 0.05,
        f"${letter}^{{(t)}}$",
        ha="left",
        va="top",
        fontsize=10,
        color=color,
        zorder=4,
        gid=f"label-{letter}",
    )


def _op(ax: Axes, x: float, y: float, symbol: str) -> None:
    """An element-wise operation: a small circle with its symbol."""
    ax.add_patch(Circle((x, y), 0.028, facecolor="#fff3bf", edgecolor="black", zorder=3))
    ax.text(x, y, symbol, ha="center", va="center", fontsize=7 if len(symbol) > 2 else 10, zorder=4)


def _wire(
    ax: Axes,
    points: Sequence[tuple[float, float]],
    *,
    color: str = "black",
    style: str = "-",
    arrow: bool = True,
) -> None:
    """A polyline from the first point to the last, with an arrow head at the end."""
    for (x0, y0), (x1, y1) in itertools.pairwise(points[:-1]):
        ax.plot([x0, x1], [y0, y1], color=color, linestyle=style, lw=1.4, zorder=1)
    (x0, y0), (x1, y1) = points[-2], points[-1]
    ax.add_patch(
        FancyArrowPatch(
            (x0, y0),
            (x1, y1),
            arrowstyle="-|>" if arrow else "-",
            mutation_scale=11,
            color=color,
            linestyle=style,
            lw=1.4,
            shrinkA=0,
            shrinkB=0,
            zorder=2,
        )
    )


def _frame(ax: Axes, title: str) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (0.08, 0.1),
            0.84,
            0.8,
            boxstyle="round,pad=0.01",
            facecolor="#f4f4f4",
            edgecolor="#888888",
            zorder=0,
        )
    )
    ax.set_title(title, fontsize=11)


def lstm_cell(ax: Axes | None = None, *, peephole: bool = False) -> Axes:
    """Draw one LSTM cell: the gates i, f, o, the candidate g, the cell state c(t) and the output h(t).

    Equations drawn (Keras' gate order i, f, c, o; ``[h, x]`` feeds every gate)::

        i = sigma(x Wx_i + h(t-1) Wh_i + b_i)      f = sigma(... f ...)      o = sigma(... o ...)
        g = tanh(x Wx_c + h(t-1) Wh_c + b_c)
        c(t) = f * c(t-1) + i * g                  h(t) = o * tanh(c(t))

    With ``peephole=True`` dashed wires show the peephole connections: c(t-1) into i and f, c(t) into o.

    Args:
        ax: axes to draw on; a new 7x4 figure when None.
        peephole: also draw the peephole connections.

    Returns:
        The axes.
    """
    ax = _new_axes(ax, (7.0, 4.0))
    _frame(ax, "LSTM cell" + (" with peepholes" if peephole else ""))
    top, gate_y, bottom = 0.78, 0.42, 0.2
    xf, xi, xg, xo = 0.24, 0.38, 0.5, 0.66
    # Cell state along the top: c(t-1) -> x f -> + i*g -> c(t)
    _wire(ax, [(0.0, top), (xf - 0.028, top)], color=GATE_COLORS["c"])
    _op(ax, xf, top, "×")
    _wire(ax, [(xf + 0.028, top), (xg - 0.028, top)], color=GATE_COLORS["c"])
    _op(ax, xg, top, "+")
    _wire(ax, [(xg + 0.028, top), (1.0, top)], color=GATE_COLORS["c"])
    ax.text(0.0, top + 0.03, "$c^{(t-1)}$", fontsize=11, va="bottom")
    ax.text(1.0, top + 0.03, "$c^{(t)}$", fontsize=11, va="bottom", ha="right")
    # The shared input [h(t-1), x(t)] along the bottom, branching up into every gate.
    _wire(ax, [(0.0, bottom), (xo, bottom)], arrow=False)
    _wire(ax, [(0.16, 0.0), (0.16, bottom)], arrow=False)
    ax.text(0.0, bottom - 0.03, "$h^{(t-1)}$", fontsize=11, va="top")
    ax.text(0.18, 0.01, "$x^{(t)}$", fontsize=11, va="bottom")
    for x in (xf, xi, xg, xo):
        _wire(ax, [(x, bottom), (x, gate_y - 0.05)])
    _gate(ax, xf, gate_y, "σ", "f", GATE_COLORS["f"])
    _gate(ax, xi, gate_y, "σ", "i", GATE_COLORS["i"])
    _gate(ax, xg, gate_y, "tanh", "g", GATE_COLORS["g"])
    _gate(ax, xo, gate_y, "σ", "o", GATE_COLORS["o"])
    # f gates the old state; i * g is added to it.
    _wire(ax, [(xf, gate_y + 0.05), (xf, top - 0.03)], color=GATE_COLORS["f"])
    _op(ax, (xi + xg) / 2, 0.6, "×")
    _wire(
        ax, [(xi, gate_y + 0.05), (xi, 0.6), ((xi + xg) / 2 - 0.028, 0.6)], color=GATE_COLORS["i"]
    )
    _wire(
        ax, [(xg, gate_y + 0.05), (xg, 0.53), ((xi + xg) / 2 + 0.02, 0.58)], color=GATE_COLORS["g"]
    )
    _wire(ax, [((xi + xg) / 2, 0.63), (xg - 0.02, top - 0.02)])
    # h(t) = o * tanh(c(t)), leaving right and up.
    xt = 0.8
    _wire(ax, [(xt, top), (xt, 0.63)], color=GATE_COLORS["c"])
    _op(ax, xt, 0.6, "tanh")
    _op(ax, xt, gate_y, "×")
    _wire(ax, [(xt, 0.57), (xt, gate_y + 0.03)])
    _wire(ax, [(xo + 0.04, gate_y), (xt - 0.028, gate_y)], color=GATE_COLORS["o"])
    _wire(ax, [(xt, gate_y - 0.03), (xt, bottom), (1.0, bottom)])
    _wire(ax, [(0.88, bottom), (0.88, 1.0)])
    ax.text(1.0, bottom - 0.03, "$h^{(t)}$", fontsize=11, va="top", ha="right")
    ax.text(0.9, 0.98, "$y^{(t)} = h^{(t)}$", fontsize=10, va="top")
    if peephole:
        peep = {"color": "#c51b8a", "style": "--"}
        # c(t-1) into the left side of f and the top of i; c(t) into the top of o.
        _wire(ax, [(0.12, top), (0.12, gate_y), (xf - 0.04, gate_y)], **peep)
        _wire(ax, [(0.12, 0.53), (xi - 0.02, 0.53), (xi - 0.02, gate_y + 0.05)], **peep)
        _wire(
            ax, [(0.72, top), (0.72, 0.53), (xo + 0.02, 0.53), (xo + 0.02, gate_y + 0.05)], **peep
        )
        ax.text(
            0.11, 0.68, "peepholes", color="#c51b8a", fontsize=8, ha="right", rotation=90, va="top"
        )
    return ax


def gru_cell(ax: Axes | None = None) -> Axes:
    """Draw one GRU cell: update gate z, reset gate r, candidate state and the interpolated h(t).

    Equations drawn (Keras' gate order z, r, h)::

        z = sigma(x Wx_z + h(t-1) Wh_z + b_z)      r = sigma(x Wx_r + h(t-1) Wh_r + b_r)
        h~ = tanh(x Wx_h + (r * h(t-1)) Wh_h + b_h)            (reset_after=False)
        h(t) = z * h(t-1) + (1 - z) * h~

    Args:
        ax: axes to draw on; a new 7x4 figure when None.

    Returns:
        The axes.
    """
    ax = _new_axes(ax, (7.0, 4.0))
    _frame(ax, "GRU cell")
    top, gate_y, bottom = 0.78, 0.42, 0.2
    xr, xz, xh = 0.3, 0.46, 0.64
    # h(t-1) along the top, interpolated with the candidate: h = z * h_prev + (1 - z) * h~
    _wire(ax, [(0.0, top), (0.14, top)], arrow=False)
    _wire(ax, [(0.14, top), (0.14, bottom)], arrow=False)
    _wire(ax, [(0.14, top), (xz - 0.028, top)])
    _op(ax, xz, top, "×")
    _wire(ax, [(xz + 0.028, top), (0.78 - 0.028, top)])
    _op(ax, 0.78, top, "+")
    _wire(ax, [(0.78 + 0.028, top), (1.0, top)])
    ax.text(0.0, top + 0.03, "$h^{(t-1)}$", fontsize=11, va="bottom")
    ax.text(1.0, top + 0.03, "$h^{(t)}$", fontsize=11, va="bottom", ha="right")
    # Shared input along the bottom.
    _wire(ax, [(0.14, bottom), (xz, bottom)], arrow=False)
    _wire(ax, [(0.22, 0.0), (0.22, bottom)], arrow=False)
    ax.text(0.24, 0.01, "$x^{(t)}$", fontsize=11, va="bottom")
    for x in (xr, xz):
        _wire(ax, [(x, bottom), (x, gate_y - 0.05)])
    _gate(ax, xr, gate_y, "σ", "r", GATE_COLORS["r"])
    _gate(ax, xz, gate_y, "σ", "z", GATE_COLORS["z"])
    # Reset gate scales h(t-1) on its way into the candidate.
    _op(ax, xr, 0.6, "×")
    _wire(ax, [(xr, gate_y + 0.05), (xr, 0.57)], color=GATE_COLORS["r"])
    _wire(ax, [(0.14, 0.6), (xr - 0.028, 0.6)])
    _wire(ax, [(xr + 0.028, 0.6), (0.55, 0.6), (0.55, gate_y), (xh - 0.04, gate_y)])
    _wire(ax, [(0.22, 0.12), (xh, 0.12), (xh, gate_y - 0.05)])
    _gate(ax, xh, gate_y, "tanh", r"\tilde{h}", GATE_COLORS["h"])
    # z into both branches: z * h(t-1) and (1 - z) * h~; the 1 - z branch leaves above the r * h wire.
    _wire(ax, [(xz, gate_y + 0.05), (xz, top - 0.03)], color=GATE_COLORS["z"])
    _op(ax, 0.78, gate_y, "×")
    _op(ax, 0.7, 0.68, "1−")
    _wire(ax, [(xz, 0.68), (0.7 - 0.028, 0.68)], color=GATE_COLORS["z"])
    _wire(ax, [(0.7 + 0.02, 0.66), (0.78 - 0.02, gate_y + 0.02)], color=GATE_COLORS["z"])
    _wire(ax, [(xh + 0.04, gate_y), (0.78 - 0.028, gate_y)], color=GATE_COLORS["h"])
    _wire(ax, [(0.78, gate_y + 0.028), (0.78, top - 0.028)])
    _wire(ax, [(0.9, top), (0.9, 1.0)])
    ax.text(0.92, 0.98, "$y^{(t)} = h^{(t)}$", fontsize=10, va="top")
    return ax
