"""LSTM gate explorer (notebook 06): feed a sequence, watch the gates i, f, o and the cell state c(t).

Plain functions do the work and tests call them without a browser:

* :func:`gate_traces` runs :func:`course_utils.reference.lstm_forward` on one sequence and collects
  every gate and state over time;
* :func:`toy_lstm` builds a one-unit LSTM whose gate biases are the knobs (the input is written into the
  cell only when the input gate opens; the forget-gate bias decides how long it stays);
* :func:`pulse` makes the input: a single pulse at a chosen step;
* :func:`draw` draws the traces on one axes.

:func:`explore` is the thin ``ipywidgets.interactive`` layer over them: sliders for the forget-gate and
input-gate biases and the time of the pulse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from .. import reference as ref
from ..diagrams.cells import GATE_COLORS
from ..validation import check_array, check_int, check_positive_int
from ._display import explorer_axes, figure_png

__all__ = ["GateTraces", "draw", "explore", "gate_traces", "pulse", "toy_lstm"]


@dataclass(frozen=True)
class GateTraces:
    """Gate activations and states of an LSTM over one sequence, each of shape ``(T, H)``."""

    i: np.ndarray  # input gate i(t)
    f: np.ndarray  # forget gate f(t)
    g: np.ndarray  # candidate g(t)
    o: np.ndarray  # output gate o(t)
    c: np.ndarray  # cell state c(t)
    h: np.ndarray  # hidden state h(t)


def gate_traces(
    x: np.ndarray, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray, peephole: np.ndarray | None = None
) -> GateTraces:
    """Run the reference LSTM on one sequence from zero states and return its gates over time.

    Args:
        x: one sequence ``(T, D)`` or a batch of one ``(1, T, D)``.
        Wx, Wh, b: LSTM weights in Keras' layout, ``(D, 4H)``, ``(H, 4H)``, ``(4H,)``, gates i, f, c, o
            (e.g. ``ref.from_keras(layer)``).
        peephole: optional ``(3, H)`` peephole weights.

    Returns:
        :class:`GateTraces` with arrays of shape ``(T, H)``.
    """
    arr = np.asarray(x)
    if arr.ndim == 2:
        arr = arr[None]
    arr = check_array(arr, "x", "1,T,D")
    Wh = check_array(Wh, "Wh", "H,4H")
    h0 = np.zeros((1, Wh.shape[0]))
    h, cache = ref.lstm_forward(arr, h0, Wx, Wh, b, peephole=peephole)
    steps = cache.steps

    def stack(name: str) -> np.ndarray:
        return np.stack([getattr(s, name)[0] for s in steps])  # (T, H)

    return GateTraces(i=stack("i"), f=stack("f"), g=stack("g"), o=stack("o"), c=cache.c[0], h=h[0])


def toy_lstm(
    forget_bias: float = 1.0, input_bias: float = -4.0, output_bias: float = 2.0
) -> dict[str, np.ndarray]:
    """A one-unit LSTM on a one-feature input, wired so the gate biases are the only knobs.

    The input ``x(t)`` opens the input gate (weight 8) and is the candidate (``g = tanh(2 x)``); with no
    input the input gate sits at ``sigmoid(input_bias)`` (nearly closed). The forget gate is
    ``sigmoid(forget_bias)`` at every step, so a stored value decays like ``sigmoid(forget_bias) ** t``:
    with Keras' initial bias 1 that is ``0.73 ** t``; with bias 5 it is ``0.993 ** t``.

    Returns:
        ``{"Wx": (1, 4), "Wh": (1, 4), "b": (4,)}`` in Keras' gate order i, f, c, o.
    """
    Wx = np.array([[8.0, 0.0, 2.0, 0.0]])  # (D=1, 4H=4): x drives i and g
    Wh = np.zeros((1, 4))  # (H=1, 4H=4): no recurrence through h, so only c carries memory
    b = np.array([float(input_bias), float(forget_bias), 0.0, float(output_bias)])
    return {"Wx": Wx, "Wh": Wh, "b": b}


def pulse(T: int = 40, at: int = 5, amplitude: float = 1.0) -> np.ndarray:
    """A one-feature sequence ``(T, 1)`` that is zero except for ``amplitude`` at step ``at``."""
    T = check_positive_int(T, "T")
    at = check_int(at, "at", low=0, high=T - 1, what="step")
    x = np.zeros((T, 1))
    x[at, 0] = amplitude
    return x


def draw(
    traces: GateTraces, unit: int = 0, ax: Axes | None = None, *, x: np.ndarray | None = None
) -> Axes:
    """Draw i(t), f(t), o(t) and c(t) of one hidden unit over time (and the input, if given).

    Args:
        traces: from :func:`gate_traces`.
        unit: which hidden unit to show.
        ax: axes to draw on; a new figure when None.
        x: optional input ``(T, D)``; its first feature is drawn as grey bars.

    Returns:
        The axes.
    """
    H = traces.c.shape[1]
    unit = check_int(unit, "unit", low=0, high=H - 1, what="hidden unit")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.2))
    steps = np.arange(traces.c.shape[0])
    if x is not None:
        ax.bar(steps, np.asarray(x)[:, 0], color="#cccccc", width=0.8, label="input x(t)")
    for name, label in (
        ("i", "input gate i(t)"),
        ("f", "forget gate f(t)"),
        ("o", "output gate o(t)"),
    ):
        ax.plot(steps, getattr(traces, name)[:, unit], color=GATE_COLORS[name], lw=1.5, label=label)
    ax.plot(steps, traces.c[:, unit], color=GATE_COLORS["c"], lw=2.5, label="cell state c(t)")
    ax.set_xlabel("time step t")
    ax.set_ylabel("value")
    ax.set_ylim(
        min(-0.05, float(traces.c[:, unit].min()) - 0.05),
        max(1.05, float(traces.c[:, unit].max()) + 0.05),
    )
    ax.legend(loc="center right", fontsize=8)
    return ax


def explore(T: int = 40) -> Any:
    """Sliders for the toy LSTM: forget-gate bias, input-gate bias and the time of the input pulse.

    Returns a ``VBox`` of the three sliders and an ``Image`` widget showing :func:`draw`; each
    slider change redraws the image (no captured output, so notebook runners store nothing stale).
    ``box.drawn`` holds the ``(forget_bias, input_bias, at)`` last drawn, so tests can see a redraw.
    """
    import ipywidgets as widgets

    T = check_positive_int(T, "T")
    forget = widgets.FloatSlider(value=1.0, min=-3.0, max=8.0, step=0.5, description="forget bias")
    inp = widgets.FloatSlider(value=-4.0, min=-8.0, max=2.0, step=0.5, description="input bias")
    at = widgets.IntSlider(value=5, min=0, max=T - 1, description="pulse at")
    image = widgets.Image(format="png")
    box = widgets.VBox([forget, inp, at, image])

    def redraw(change: Any = None) -> None:
        x = pulse(T, int(at.value))
        traces = gate_traces(x, **toy_lstm(float(forget.value), float(inp.value)))
        fig, ax = explorer_axes()
        draw(traces, x=x, ax=ax)
        ax.set_title(
            f"forget bias {forget.value:+.1f}: c(t) keeps {traces.f[0, 0]:.3f} of itself per step"
        )
        image.value = figure_png(fig)
        plt.close(fig)
        box.drawn = (float(forget.value), float(inp.value), int(at.value))

    for slider in (forget, inp, at):
        slider.observe(redraw, names="value")
    redraw()
    return box
