"""Gradient-flow explorer: how far back a gradient reaches, as the spectral radius and activation change.

:func:`draw` is the plain function (tests call it): for a recurrent matrix ``Wh = rho * Q`` (``Q``
orthogonal) it measures ``|| d h(T) / d h(T-k) ||_2`` with :func:`course_utils.gradflow.jacobian_norms`,
draws it on a log scale against the bound ``rho^k`` and returns the axes. :func:`explore` is the thin
ipywidgets layer: a slider for ``rho`` and a choice of activation (tanh or linear).
Used in notebook 04.
"""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes

from ..gradflow import ACTIVATIONS, jacobian_norms, plot_gradient_flow, scaled_orthogonal
from ..validation import check_choice, check_positive_int
from ._display import explorer_axes, show_figure

__all__ = ["draw", "explore"]


def draw(
    rho: float = 0.9,
    activation: str = "tanh",
    *,
    H: int = 32,
    steps: int = 50,
    seed: int = 0,
    ax: Axes | None = None,
) -> Axes:
    """Draw ``|| d h(T) / d h(T-k) ||_2`` for ``Wh = rho * Q`` and the bound ``rho^k``; return the axes.

    Args:
        rho: spectral radius of the recurrent matrix ``Wh (H, H)``.
        activation: ``"tanh"`` or ``"linear"``.
        H: hidden units.
        steps: largest distance ``k = T - t`` drawn.
        seed: seed for ``Q`` and for the random inputs of the tanh trajectory.
        ax: axes to draw on; a new figure when None.
    """
    check_choice(activation, "activation", ACTIVATIONS)
    steps = check_positive_int(steps, "steps")
    Wh = scaled_orthogonal(H, rho, seed=seed)
    norms = jacobian_norms(Wh, steps, activation=activation, seed=seed)
    ax = plot_gradient_flow({rf"{activation}, $\rho$ = {rho:.2f}": norms}, rhos=[rho], ax=ax)
    positive = norms[norms > 0]
    low = max(
        float(positive.min()) if positive.size else 1e-30, 1e-30
    )  # lowest curve point, floored
    ax.set_ylim(min(low, 1e-3) / 2, max(float(norms.max()), rho**steps, 10.0) * 2)
    ax.set_title(
        rf"after {steps} steps the gradient is scaled by {norms[-1]:.2g} (bound {rho**steps:.2g})",
        fontsize=10,
    )
    return ax


def explore(H: int = 32, steps: int = 50, *, rho: float = 0.9, activation: str = "tanh") -> Any:
    """The widget: a FloatSlider "rho" and a Dropdown "activation" that redraw :func:`draw`.

    Returns a ``VBox`` of the two controls and an ``Output`` widget holding the figure. The output's
    content is replaced directly (as in ``widgets.timestep``), so notebook runners store nothing stale;
    ``box.drawn`` is the ``(rho, activation)`` last drawn, so tests can check that a change redraws.
    """
    import ipywidgets as widgets

    check_choice(activation, "activation", ACTIVATIONS)
    rho_slider = widgets.FloatSlider(
        value=rho, min=0.5, max=1.5, step=0.05, description="rho", continuous_update=False
    )
    act_menu = widgets.Dropdown(
        options=list(ACTIVATIONS), value=activation, description="activation"
    )
    output = widgets.Output()
    box = widgets.VBox([rho_slider, act_menu, output])

    def redraw(change: Any = None) -> None:
        rho_now, act_now = float(rho_slider.value), str(act_menu.value)
        fig, ax = explorer_axes()
        draw(rho_now, act_now, H=H, steps=steps, ax=ax)
        show_figure(output, fig, f"<rho {rho_now:.2f}, {act_now}>")
        box.drawn = (rho_now, act_now)

    rho_slider.observe(redraw, names="value")
    act_menu.observe(redraw, names="value")
    redraw()
    return box
