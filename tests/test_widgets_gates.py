"""Tests for course_utils.widgets.gates: the LSTM gate explorer, without a browser."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils import reference as ref
from course_utils.widgets import gates


def test_gate_traces_match_the_reference_cell_step_by_step():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(7, 3))
    Wx, Wh, b = rng.normal(size=(3, 8)), rng.normal(size=(2, 8)), rng.normal(size=(8,))
    tr = gates.gate_traces(x, Wx, Wh, b)
    assert tr.i.shape == tr.f.shape == tr.o.shape == tr.c.shape == tr.h.shape == (7, 2)
    h, c = np.zeros((1, 2)), np.zeros((1, 2))
    for t in range(7):
        h, c, step = ref.lstm_step_forward(x[None, t], h, c, Wx, Wh, b)
        np.testing.assert_allclose(tr.i[t], step.i[0])
        np.testing.assert_allclose(tr.f[t], step.f[0])
        np.testing.assert_allclose(tr.o[t], step.o[0])
        np.testing.assert_allclose(tr.c[t], c[0])
        np.testing.assert_allclose(tr.h[t], h[0])
    # a batch of one gives the same
    np.testing.assert_allclose(gates.gate_traces(x[None], Wx, Wh, b).c, tr.c)


def test_toy_lstm_stores_the_pulse_for_as_long_as_the_forget_bias_says():
    x = gates.pulse(40, at=5)
    short = gates.gate_traces(x, **gates.toy_lstm(forget_bias=1.0))
    long = gates.gate_traces(x, **gates.toy_lstm(forget_bias=5.0))
    assert np.all(short.c[:5] == 0) and short.c[5, 0] > 0.9  # written when the input gate opens
    assert short.i[5, 0] > 0.95 and short.i[10, 0] < 0.05
    # decays like sigmoid(b_f) ** t
    expected = short.c[5, 0] * (1 / (1 + np.exp(-1.0))) ** 34
    np.testing.assert_allclose(short.c[-1, 0], expected, rtol=0.1)
    assert short.c[-1, 0] < 1e-3 and long.c[-1, 0] > 0.7


def test_pulse_and_unit_are_validated():
    with pytest.raises(ValueError, match=r"at: expected a step in 0\.\.9, got 10"):
        gates.pulse(10, at=10)
    tr = gates.gate_traces(gates.pulse(10, 2), **gates.toy_lstm())
    with pytest.raises(ValueError, match=r"unit: expected a hidden unit in 0\.\.0, got 1"):
        gates.draw(tr, unit=1)
    with pytest.raises(ValueError, match=r"x: expected a 3-D array"):
        gates.gate_traces(np.zeros(5), **gates.toy_lstm())


def test_draw_uses_the_given_axes():
    x = gates.pulse(12, 3)
    tr = gates.gate_traces(x, **gates.toy_lstm())
    fig, ax = plt.subplots()
    assert gates.draw(tr, ax=ax, x=x) is ax
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["input gate i(t)", "forget gate f(t)", "output gate o(t)", "cell state c(t)"]
    np.testing.assert_allclose(ax.get_lines()[3].get_ydata(), tr.c[:, 0])
    plt.close(fig)


def test_explore_builds_sliders_and_redraws_on_change():
    box = gates.explore(T=20)
    sliders = {child.description: child for child in box.children if hasattr(child, "description")}
    assert {"forget bias", "input bias", "pulse at"} <= set(sliders)
    image = box.children[-1]
    first = bytes(image.value)
    assert first.startswith(b"\x89PNG") and box.drawn == (1.0, -4.0, 5)
    sliders["forget bias"].value = 5.0
    assert box.drawn == (5.0, -4.0, 5) and bytes(image.value) != first
    assert sliders["pulse at"].max == 19
    plt.close("all")
