"""Tests for ``reference.lstm`` without peepholes: known behaviour of the gates and gradient checks of the
step (with its cell-state gradient) and of the sequence (with the initial cell state). Keras agreement is in
``test_reference_keras.py``, masks and truncation for every cell in ``test_reference_rnn.py``."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import reference as ref
from course_utils.gradcheck import numerical_gradient, rel_error

GRAD_TOL = 1e-7


def weights(d, h, rng, scale=0.5):
    return (
        scale * rng.normal(size=(d, 4 * h)),
        scale * rng.normal(size=(h, 4 * h)),
        scale * rng.normal(size=4 * h),
    )


def test_gates_in_keras_order_i_f_c_o():
    """Zero weights and a bias that shuts the input gate and opens the forget gate: the cell keeps c(t-1);
    the output gate open gives h = tanh(c)."""
    n, d, h = 2, 3, 4
    rng = np.random.default_rng(0)
    x, h_prev, c_prev = rng.normal(size=(n, d)), rng.normal(size=(n, h)), rng.normal(size=(n, h))
    b = np.concatenate(
        [np.full(h, -40.0), np.full(h, 40.0), np.zeros(h), np.full(h, 40.0)]
    )  # i, f, c, o
    h_next, c_next, _ = ref.lstm_step_forward(
        x, h_prev, c_prev, np.zeros((d, 4 * h)), np.zeros((h, 4 * h)), b
    )
    np.testing.assert_allclose(c_next, c_prev, atol=1e-12)
    np.testing.assert_allclose(h_next, np.tanh(c_prev), atol=1e-12)
    # Swap: forget everything, write the candidate tanh(0) = 0 ... then write tanh(2) through the "c" block.
    b = np.concatenate([np.full(h, 40.0), np.full(h, -40.0), np.full(h, 2.0), np.full(h, 40.0)])
    _, c_next, _ = ref.lstm_step_forward(
        x, h_prev, c_prev, np.zeros((d, 4 * h)), np.zeros((h, 4 * h)), b
    )
    np.testing.assert_allclose(c_next, np.tanh(2.0), atol=1e-12)


def test_step_backward_matches_numerical_gradient():
    rng = np.random.default_rng(1)
    n, d, h = 3, 4, 5
    x, h_prev, c_prev = rng.normal(size=(n, d)), rng.normal(size=(n, h)), rng.normal(size=(n, h))
    Wx, Wh, b = weights(d, h, rng)
    _h_next, _c_next, cache = ref.lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
    dh, dc = rng.normal(size=(n, h)), rng.normal(size=(n, h))
    grads = ref.lstm_step_backward(dh, dc, cache)
    assert len(grads) == 6

    def both(_):  # h and c stacked: the upstream gradient is (dh, dc)
        hn, cn, _ = ref.lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b)
        return np.stack([hn, cn])

    for name, arr, grad in zip(
        ["x", "h_prev", "c_prev", "Wx", "Wh", "b"], [x, h_prev, c_prev, Wx, Wh, b], grads
    ):
        assert grad.shape == arr.shape
        assert rel_error(grad, numerical_gradient(both, arr, np.stack([dh, dc]))) < GRAD_TOL, name


def test_sequence_gradients_including_the_initial_cell_state():
    rng = np.random.default_rng(2)
    n, t, d, h = 2, 4, 3, 3
    x, h0, c0 = rng.normal(size=(n, t, d)), rng.normal(size=(n, h)), rng.normal(size=(n, h))
    Wx, Wh, b = weights(d, h, rng)
    out, cache = ref.lstm_forward(x, h0, Wx, Wh, b, c0=c0)
    assert out.shape == (n, t, h) and cache.c.shape == (n, t, h)
    dh = rng.normal(size=out.shape)
    grads = ref.lstm_backward(dh, cache, return_dc0=True)
    assert len(grads) == 6 and len(ref.lstm_backward(dh, cache)) == 5
    for name, arr, grad in zip(["x", "h0", "Wx", "Wh", "b", "c0"], [x, h0, Wx, Wh, b, c0], grads):
        num = numerical_gradient(lambda _: ref.lstm_forward(x, h0, Wx, Wh, b, c0=c0)[0], arr, dh)
        assert rel_error(grad, num) < GRAD_TOL, name


def test_c0_defaults_to_zeros_and_cell_states_are_kept():
    rng = np.random.default_rng(3)
    x, h0 = rng.normal(size=(2, 3, 2)), rng.normal(size=(2, 4))
    Wx, Wh, b = weights(2, 4, rng)
    h_default, cache = ref.lstm_forward(x, h0, Wx, Wh, b)
    h_zeros, _ = ref.lstm_forward(x, h0, Wx, Wh, b, c0=np.zeros((2, 4)))
    np.testing.assert_array_equal(h_default, h_zeros)
    # h(t) = o(t) * tanh(c(t)) with |o| < 1: |h| < |tanh(c)|
    assert np.all(np.abs(h_default) < np.abs(np.tanh(cache.c)) + 1e-15)


def test_backward_rejects_a_foreign_cache():
    rng = np.random.default_rng(4)
    _, rnn_cache = ref.rnn_forward(
        rng.normal(size=(1, 2, 2)),
        np.zeros((1, 3)),
        np.zeros((2, 3)),
        np.zeros((3, 3)),
        np.zeros(3),
    )
    with pytest.raises(
        TypeError,
        match=r"cache: expected LSTMCache \(the cache returned by lstm_forward\), got RNNCache",
    ):
        ref.lstm_backward(np.zeros((1, 2, 3)), rnn_cache)
