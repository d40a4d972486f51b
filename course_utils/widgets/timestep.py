"""Time-step explorer (notebook 01): step through one sequence and scale the recurrent weights ``Wy``.

A short input event (a few steps of input, then silence) goes through a simple RNN,
``h(t) = tanh(x(t) Wx + h(t-1) Wy + b)``. Plain functions do the work and tests call them without a browser:

* :func:`make_setup` draws the sequence and the weights (``Wy`` normalised to spectral radius 1);
* :func:`course_utils.gradflow.scale_spectral_radius` rescales ``Wy`` to spectral radius ``rho``;
* :func:`hidden_states` runs :func:`course_utils.reference.rnn_forward` and returns ``h`` (T, H);
* :func:`draw` draws the unrolled network with step t highlighted, a heatmap of the states up to
  step t and the state's size ``||h(t)||`` over time.

With ``rho < 1`` the state left by the event dies out (roughly like ``rho**t``); with ``rho > 1`` it grows
until tanh saturates: the first hint of vanishing and exploding behaviour (notebook 04).
:func:`explore` is the thin ipywidgets layer: an IntSlider "time step" and a FloatSlider "rho" whose
changes redraw the figure in an ``Output`` widget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from .. import reference as ref
from ..diagrams.unrolled import HIGHLIGHT_COLOR, unrolled
from ..gradflow import scale_spectral_radius
from ..validation import check_int, check_positive_int, check_sequence
from ._display import FIGURE_WIDTH, show_figure

__all__ = [
    "ExplorerSetup",
    "draw",
    "explore",
    "hidden_states",
    "make_setup",
]


@dataclass(frozen=True)
class ExplorerSetup:
    """One input sequence and the weights of a simple RNN layer (Keras layouts).

    Attributes:
        x: the input sequence, shape (1, T, D): an event during the first ``event_steps`` steps, then zeros.
        Wx: input weights, (D, H).
        Wy: recurrent weights, (H, H), spectral radius 1
            (rescale with :func:`course_utils.gradflow.scale_spectral_radius`).
        b: bias, (H,) (zeros, so silence keeps the state's origin at 0).
    """

    x: np.ndarray
    Wx: np.ndarray
    Wy: np.ndarray
    b: np.ndarray

    @property
    def steps(self) -> int:
        """T, the number of time steps."""
        return int(self.x.shape[1])


def make_setup(
    steps: int = 16, units: int = 8, features: int = 2, *, event_steps: int = 2, seed: int = 0
) -> ExplorerSetup:
    """Draw an input event and random weights; ``Wy`` gets spectral radius 1.

    Args:
        steps: T, time steps in the sequence.
        units: H, hidden units.
        features: D, input features per step.
        event_steps: the event lasts steps 1..event_steps; later inputs are zero.
        seed: seed of the random generator.

    >>> from course_utils.gradflow import spectral_radius
    >>> s = make_setup(10, 4, 3, seed=1)
    >>> s.x.shape, s.Wx.shape, s.Wy.shape, round(spectral_radius(s.Wy), 6), float(abs(s.x[0, 2:]).sum())
    ((1, 10, 3), (3, 4), (4, 4), 1.0, 0.0)
    """
    steps = check_positive_int(steps, "steps")
    units = check_positive_int(units, "units")
    features = check_positive_int(features, "features")
    event_steps = check_int(
        event_steps, "event_steps", low=1, high=steps, hint=f"at most T = {steps}"
    )
    rng = np.random.default_rng(seed)
    x = np.zeros((1, steps, features))
    x[0, :event_steps] = rng.choice([-1.0, 1.0], size=(event_steps, features))
    Wx = rng.normal(0.0, 1.0 / np.sqrt(features), size=(features, units))
    Wy = scale_spectral_radius(rng.normal(0.0, 1.0, size=(units, units)), 1.0)
    return ExplorerSetup(x=x, Wx=Wx, Wy=Wy, b=np.zeros(units))


def hidden_states(setup: ExplorerSetup, rho: float) -> np.ndarray:
    """The hidden states ``h(1..T)`` (T, H) of the sequence, with ``Wy`` scaled to spectral radius ``rho``."""
    Wy = scale_spectral_radius(setup.Wy, rho)
    h0 = np.zeros((1, setup.Wy.shape[0]))
    h, _ = ref.rnn_forward(setup.x, h0, setup.Wx, Wy, setup.b)  # (1, T, H)
    return h[0]


def draw(setup: ExplorerSetup, t: int, rho: float, ax: Sequence[Axes] | None = None) -> np.ndarray:
    """Draw step ``t`` (1..T) of the sequence with ``Wy`` scaled to spectral radius ``rho``.

    Three panels: the unrolled network with step t highlighted; the heatmap of ``h(1..t)`` (H rows, later
    steps left blank); the state's norm ``||h(k)||`` for every k, with the current step marked.

    Args:
        setup: from :func:`make_setup`.
        t: the time step to show, 1..T.
        rho: spectral radius of ``Wy``.
        ax: three axes to draw on, or None for a new figure.

    Returns:
        The three axes. ``axes[1].images[0].get_array()`` is the masked (H, T) heatmap.
    """
    steps = setup.steps
    t = check_int(t, "t", low=1, high=steps, what="time step")
    h = hidden_states(setup, rho)  # (T, H)
    norms = np.linalg.norm(h, axis=1)  # (T,)
    if ax is None:
        fig = plt.figure(figsize=(FIGURE_WIDTH, 5.6))
        grid = fig.add_gridspec(3, 1, height_ratios=[1.2, 1.1, 1.0], hspace=0.45)
        axes = [fig.add_subplot(grid[i]) for i in range(3)]
    else:
        axes = check_sequence(list(ax), "ax", what="axes", length=3, hint="diagram, heatmap, norm")
    shown = min(steps, 8)  # the diagram shows a window of at most 8 steps around t
    first = min(max(1, t - shown // 2), steps - shown + 1)
    labels = [rf"$x^{{({k})}}$" for k in range(first, first + shown)]
    outs = [rf"$h^{{({k})}}$" for k in range(first, first + shown)]
    unrolled(
        shown,
        highlight=t - first + 1,
        x_labels=labels,
        y_labels=outs,
        initial_label=rf"$h^{{({first - 1})}}$",
        title=rf"step t = {t} of {steps};  $\rho(W_y)$ = {rho:.2f}",
        ax=axes[0],
    )
    future = np.broadcast_to(np.arange(steps)[None, :] >= t, h.T.shape)  # (H, T): steps after t
    heat = np.ma.masked_array(h.T, mask=future)  # future steps left blank
    axes[1].imshow(
        heat,
        aspect="auto",
        cmap="RdBu_r",
        vmin=-1,
        vmax=1,
        extent=(0.5, steps + 0.5, h.shape[1] + 0.5, 0.5),
    )
    axes[1].axvline(t, color=HIGHLIGHT_COLOR, lw=2)
    axes[1].set_yticks(range(1, h.shape[1] + 1, max(1, h.shape[1] // 8)))
    axes[1].set_ylabel("unit")
    axes[1].set_title("hidden state h(t), one row per unit (blue -1 ... red +1)", fontsize=10)
    k = np.arange(1, steps + 1)
    axes[2].semilogy(
        k, np.maximum(norms, 1e-12), "o-", ms=3, color="#3182bd", label=r"$\|h^{(t)}\|$"
    )
    axes[2].plot([t], [max(norms[t - 1], 1e-12)], "o", ms=9, color=HIGHLIGHT_COLOR)
    axes[2].set_xlim(0.5, steps + 0.5)
    axes[2].set_ylim(1e-6, 10)
    axes[2].set_xlabel("time step t")
    axes[2].set_ylabel(r"$\|h^{(t)}\|$")
    axes[2].legend(loc="lower left", fontsize=8)
    return np.asarray(axes, dtype=object)


def explore(setup: ExplorerSetup | None = None, *, t: int = 1, rho: float = 1.0) -> Any:
    """The widget: an IntSlider "time step" (1..T) and a FloatSlider "rho" that redraw :func:`draw`.

    Returns a ``VBox`` of the two sliders and an ``Output`` widget holding the figure. Each change replaces
    the output's content (set directly, not captured with ``with output:``, so notebook runners that
    mimic output widgets store nothing stale). ``box.drawn`` is the ``(t, rho)`` last drawn, so tests can
    check that moving a slider redraws.
    """
    import ipywidgets as widgets

    setup = make_setup() if setup is None else setup
    time_slider = widgets.IntSlider(
        value=t, min=1, max=setup.steps, step=1, description="time step", continuous_update=False
    )
    rho_slider = widgets.FloatSlider(
        value=rho, min=0.1, max=2.0, step=0.05, description="rho", continuous_update=False
    )
    output = widgets.Output()
    box = widgets.VBox([time_slider, rho_slider, output])

    def redraw(change: Any = None) -> None:
        t_now, rho_now = int(time_slider.value), float(rho_slider.value)
        fig = draw(setup, t_now, rho_now)[0].figure
        show_figure(output, fig, f"<time step {t_now}, rho {rho_now:.2f}>")
        box.drawn = (t_now, rho_now)

    time_slider.observe(redraw, names="value")
    rho_slider.observe(redraw, names="value")
    redraw()
    return box
