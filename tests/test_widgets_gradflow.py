"""Tests for course_utils.widgets.gradflow without a browser."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils import gradflow as gf
from course_utils.widgets import gradflow


@pytest.mark.parametrize(("rho", "activation"), [(0.8, "linear"), (1.2, "linear"), (1.0, "tanh")])
def test_show_draws_the_measured_curve_and_the_bound(rho, activation):
    fig, ax = plt.subplots()
    out = gradflow.draw(rho, activation, H=8, steps=12, ax=ax)
    assert out is ax
    measured, bound = ax.get_lines()[0].get_ydata(), ax.get_lines()[1].get_ydata()
    expected = gf.jacobian_norms(
        gf.scaled_orthogonal(8, rho, seed=0), 12, activation=activation, seed=0
    )
    np.testing.assert_allclose(measured, expected)
    np.testing.assert_allclose(bound, rho ** np.arange(13))
    assert f"{rho:.2f}" in ax.get_lines()[0].get_label()
    plt.close(fig)


def test_show_rejects_unknown_activation():
    with pytest.raises(
        ValueError, match=r"activation: expected one of \('tanh', 'linear'\), got 'sigmoid'"
    ):
        gradflow.draw(0.9, "sigmoid")


def test_explore_has_rho_and_activation_controls_that_redraw():
    box = gradflow.explore(H=4, steps=5)
    rho, activation, output = box.children
    assert (rho.description, activation.description) == ("rho", "activation")
    assert rho.min < 1.0 < rho.max and set(activation.options) == {"tanh", "linear"}
    assert box.drawn == (0.9, "tanh") and "image/png" in output.outputs[0]["data"]
    rho.value = 1.2
    assert box.drawn == (1.2, "tanh")
    activation.value = "linear"
    assert box.drawn == (1.2, "linear")
    assert output.outputs[0]["data"]["text/plain"].endswith(" [rho 1.20, linear]")
    assert plt.get_fignums() == []  # every redraw closes its figure
