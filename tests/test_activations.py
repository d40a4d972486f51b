"""Tests for course_utils.activations: the one sigmoid and softmax of the package."""

from __future__ import annotations

import numpy as np

from course_utils.activations import log_softmax, sigmoid, softmax


def test_sigmoid_is_the_logistic_function_without_overflow():
    a = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(sigmoid(a), 1 / (1 + np.exp(-a)), rtol=1e-12, atol=1e-15)
    with np.errstate(over="raise"):
        assert sigmoid(np.array([-1e4, 1e4])).tolist() == [0.0, 1.0]


def test_softmax_and_log_softmax_agree_and_are_shift_invariant():
    z = np.random.default_rng(0).normal(size=(3, 4, 5)) * 50
    p = softmax(z)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    np.testing.assert_allclose(np.log(p), log_softmax(z), atol=1e-9)
    np.testing.assert_allclose(softmax(z + 1000.0), p)
    np.testing.assert_allclose(softmax(z, axis=0).sum(axis=0), 1.0)
    assert softmax(np.array([-np.inf, 0.0])).tolist() == [0.0, 1.0]
