"""Tests for course_utils.gradflow: Jacobian norms through time and the rho^k bound."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils import gradflow as gf
from course_utils import reference as ref


@pytest.mark.parametrize("rho", [0.5, 0.9, 1.0, 1.2])
def test_scaled_orthogonal_has_spectral_radius_and_norm_rho(rho):
    W = gf.scaled_orthogonal(16, rho, seed=1)
    np.testing.assert_allclose(W @ W.T, rho**2 * np.eye(16), atol=1e-12)
    assert gf.spectral_radius(W) == pytest.approx(rho, rel=1e-10)
    assert np.linalg.norm(W, 2) == pytest.approx(rho, rel=1e-10)
    assert not np.allclose(W, gf.scaled_orthogonal(16, rho, seed=2))


def test_spectral_radius_scaling():
    rng = np.random.default_rng(0)
    W = rng.normal(size=(5, 5))
    for rho in (0.3, 1.0, 2.5):
        assert gf.spectral_radius(gf.scale_spectral_radius(W, rho)) == pytest.approx(rho)
    assert gf.spectral_radius(np.array([[0.0, -3.0], [3.0, 0.0]])) == pytest.approx(3.0)
    with pytest.raises(ValueError, match="rho: expected a finite number >= 0, got -1"):
        gf.scale_spectral_radius(W, -1)
    with pytest.raises(ValueError, match=r"W: expected shape \(2, 2\) = \(H, H\), got \(2, 3\)"):
        gf.spectral_radius(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="W: expected a matrix with a non-zero eigenvalue"):
        gf.scale_spectral_radius(np.zeros((2, 2)), 1.0)


@pytest.mark.parametrize("rho", [0.7, 1.0, 1.1])
def test_linear_orthogonal_follows_rho_to_the_k_exactly(rho):
    norms = gf.jacobian_norms(gf.scaled_orthogonal(12, rho, seed=0), 40, activation="linear")
    np.testing.assert_allclose(norms, gf.rho_power_bound(rho, 40), rtol=1e-9)


def test_linear_norms_are_powers_of_the_transposed_matrix():
    W = np.random.default_rng(0).normal(size=(5, 5)) / 3
    norms = gf.jacobian_norms(W, 6, activation="linear")
    for k in range(7):
        assert norms[k] == pytest.approx(np.linalg.norm(np.linalg.matrix_power(W.T, k), 2))


def test_tanh_norms_match_a_product_of_reference_jacobians_and_stay_below_the_bound():
    H, steps, burn_in, seed = 6, 8, 3, 4
    Wh = gf.scaled_orthogonal(H, 1.3, seed=seed)
    norms = gf.jacobian_norms(Wh, steps, activation="tanh", burn_in=burn_in, seed=seed, drive=0.5)
    # rebuild the trajectory and the Jacobian product by hand from the reference step function
    u = 0.5 * np.random.default_rng(seed).standard_normal((1, burn_in + steps, H))
    h = np.zeros((1, H))
    hs = []
    for t in range(burn_in + steps):
        h, _ = ref.rnn_step_forward(u[:, t], h, np.eye(H), Wh, np.zeros(H))
        hs.append(h[0])
    jac = np.eye(H)
    T = burn_in + steps - 1
    for k in range(1, steps + 1):
        step_jac = np.diag(1 - hs[T - k + 1] ** 2) @ Wh.T  # d h(s) / d h(s-1), s = T-k+1
        jac = jac @ step_jac
        assert norms[k] == pytest.approx(np.linalg.norm(jac, 2), rel=1e-10)
    assert np.all(norms <= gf.rho_power_bound(1.3, steps) * (1 + 1e-12))
    assert norms[-1] < 1.3**steps  # tanh' < 1 strictly shrinks it


def test_tanh_vanishes_faster_with_more_saturation():
    Wh = gf.scaled_orthogonal(16, 1.0, seed=0)
    gentle = gf.jacobian_norms(Wh, 20, drive=0.1, seed=0)
    strong = gf.jacobian_norms(Wh, 20, drive=2.0, seed=0)
    assert strong[-1] < 1e-3 * gentle[-1]


def test_rho_power_bound_values():
    np.testing.assert_allclose(gf.rho_power_bound(2.0, 4), [1, 2, 4, 8, 16])


def test_plot_gradient_flow_draws_curves_and_bounds():
    fig, ax = plt.subplots()
    out = gf.plot_gradient_flow({"a": [1, 0.5, 0.25], "b": [1, 1, 1]}, rhos=[0.5], ax=ax)
    assert out is ax and ax.get_yscale() == "log"
    labels = [line.get_label() for line in ax.get_lines()]
    assert "a" in labels and "b" in labels and any("rho" in label for label in labels)
    plt.close(fig)
    new = gf.plot_gradient_flow({"a": [1, 0.5]})
    assert new is not None
    plt.close(new.figure)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: gf.jacobian_norms(np.eye(3), 5, activation="relu"),
            ValueError,
            r"activation: expected one of \('tanh', 'linear'\), got 'relu'",
        ),
        (
            lambda: gf.jacobian_norms(np.ones((3, 4)), 5),
            ValueError,
            r"Wh: expected shape \(3, 3\) = \(H, H\), got \(3, 4\)",
        ),
        (
            lambda: gf.jacobian_norms(np.eye(3), 0),
            ValueError,
            r"steps: expected a positive integer, got 0",
        ),
        (
            lambda: gf.jacobian_norms(np.eye(3), 5, burn_in=-1),
            ValueError,
            r"burn_in: expected a non-negative integer, got -1",
        ),
        (
            lambda: gf.scaled_orthogonal(4, -1.0),
            ValueError,
            r"rho: expected a finite number >= 0, got -1.0",
        ),
        (
            lambda: gf.plot_gradient_flow({}),
            ValueError,
            r"curves: expected at least one curve, got none",
        ),
    ],
)
def test_errors_name_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
