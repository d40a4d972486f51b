"""Tests for ``course_utils.gradcheck``: numerical gradients of known functions, and rel_error."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.gradcheck import numerical_gradient, rel_error


def test_linear_map_gives_the_transpose_times_upstream():
    rng = np.random.default_rng(0)
    A, x, df = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=(4, 2))
    grad = numerical_gradient(lambda v: A @ v, x, df)
    np.testing.assert_allclose(grad, A.T @ df, rtol=0, atol=1e-9)


def test_elementwise_and_scalar_functions():
    x = np.array([[0.3, -1.2], [2.0, 0.0]])
    x_before = x.copy()
    grad = numerical_gradient(np.tanh, x, np.ones_like(x))
    np.testing.assert_allclose(grad, 1 - np.tanh(x_before) ** 2, atol=1e-9)
    np.testing.assert_array_equal(x, x_before)  # restored after the nudges
    grad = numerical_gradient(lambda v: np.sum(v**3), x, np.array(2.0))  # scalar f, scalar df
    np.testing.assert_allclose(grad, 6 * x**2, atol=1e-8)


def test_a_wrong_gradient_is_caught():
    x = np.linspace(-1, 1, 5)
    num = numerical_gradient(np.sin, x, np.ones(5))
    assert rel_error(np.cos(x), num) < 1e-9
    assert rel_error(np.cos(x) + 1e-4, num) > 1e-5


def test_rel_error_is_scale_aware():
    a = np.array([1.0, 1e-12, 0.0])
    assert rel_error(a, a) == 0.0
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error(a, a + np.array([0.0, 1e-12, 0.0])) == pytest.approx(
        1e-12
    )  # a tiny entry does not blow it up
    assert rel_error(100 * a, 100 * a + np.array([1e-3, 0, 0])) == pytest.approx(
        1e-3 / 100.001, rel=1e-9
    )
    assert rel_error([1.0], [-1.0]) == pytest.approx(2.0)
    with pytest.raises(
        ValueError, match=r"^b: expected shape \(3,\) \(the shape of a\), got \(2,\)$"
    ):
        rel_error(a, a[:2])


def test_numerical_gradient_errors():
    with pytest.raises(
        TypeError,
        match=r"^x: expected a float NumPy array \(it is changed in place\), got ndarray of dtype int64$",
    ):
        numerical_gradient(np.sin, np.arange(3), np.ones(3))
    with pytest.raises(
        TypeError, match=r"^x: expected a float NumPy array \(it is changed in place\), got list$"
    ):
        numerical_gradient(np.sin, [1.0], np.ones(1))
    with pytest.raises(ValueError, match=r"^h: expected a finite number > 0, got 0$"):
        numerical_gradient(np.sin, np.ones(3), np.ones(3), h=0)
    with pytest.raises(
        ValueError, match=r"^df: expected shape \(3,\) \(the shape of f\(x\)\), got \(2,\)$"
    ):
        numerical_gradient(np.sin, np.ones(3), np.ones(2))
