"""Tests for the peephole LSTM: with zero peepholes it is the plain LSTM, its gradients (peephole weights
included, step, sequence and truncated) pass numerical checks, and the Keras peephole cell computes the
same states and gradients. Keras 3 has no peephole layer of its own to compare against."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import reference as ref
from course_utils.gradcheck import numerical_gradient, rel_error

GRAD_TOL = 1e-7


def problem(seed, n=2, t=4, d=3, h=3):
    rng = np.random.default_rng(seed)
    return (
        rng.normal(size=(n, t, d)),
        rng.normal(size=(n, h)),
        rng.normal(size=(n, h)),
        {
            "Wx": 0.5 * rng.normal(size=(d, 4 * h)),
            "Wh": 0.5 * rng.normal(size=(h, 4 * h)),
            "b": 0.3 * rng.normal(size=4 * h),
        },
        0.5 * rng.normal(size=(3, h)),
        rng,
    )


def test_zero_peepholes_are_the_plain_lstm():
    x, h0, c0, p, peep, rng = problem(0)
    zero = np.zeros_like(peep)
    h_plain, c_plain = ref.lstm_forward(x, h0, **p, c0=c0)
    h_zero, c_zero = ref.lstm_forward(x, h0, **p, c0=c0, peephole=zero)
    np.testing.assert_array_equal(h_plain, h_zero)
    dh = rng.normal(size=h_plain.shape)
    plain = ref.lstm_backward(dh, c_plain)
    peeped = ref.lstm_backward(dh, c_zero)
    assert len(plain) == 5 and len(peeped) == 6
    for a, b in zip(plain, peeped):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-14)
    assert np.abs(peeped[5]).max() > 1e-3  # the peepholes still get a gradient
    h_peep, _ = ref.lstm_forward(x, h0, **p, c0=c0, peephole=peep)
    assert np.abs(h_peep - h_plain).max() > 1e-3


def test_output_gate_peeps_at_the_new_cell_state():
    """Only p_o non-zero: i, f, c(t) are those of the plain cell; o uses c(t), not c(t-1)."""
    x, h0, c0, p, peep, _ = problem(1, t=1)
    peep[:2] = 0.0
    h, cache = ref.lstm_forward(x, h0, **p, c0=c0, peephole=peep)
    _, plain = ref.lstm_forward(x, h0, **p, c0=c0)
    np.testing.assert_allclose(cache.c, plain.c, atol=1e-15)
    a_o = x[:, 0] @ p["Wx"][:, 9:] + h0 @ p["Wh"][:, 9:] + p["b"][9:] + peep[2] * cache.c[:, 0]
    np.testing.assert_allclose(h[:, 0], np.tanh(cache.c[:, 0]) / (1 + np.exp(-a_o)), atol=1e-14)


def test_step_backward_matches_numerical_gradient():
    x, h0, c0, p, peep, rng = problem(2)
    x_t = x[:, 0]
    h_next, c_next, cache = ref.lstm_step_forward(x_t, h0, c0, **p, peephole=peep)
    dh, dc = rng.normal(size=h_next.shape), rng.normal(size=c_next.shape)
    grads = ref.lstm_step_backward(dh, dc, cache)
    assert len(grads) == 7

    def both(_):
        hn, cn, _ = ref.lstm_step_forward(x_t, h0, c0, **p, peephole=peep)
        return np.stack([hn, cn])

    arrays = [x_t, h0, c0, p["Wx"], p["Wh"], p["b"], peep]
    for arr, grad in zip(arrays, grads, strict=True):
        assert rel_error(grad, numerical_gradient(both, arr, np.stack([dh, dc]))) < GRAD_TOL


@pytest.mark.parametrize("truncate", [None, 2])
def test_sequence_gradients(truncate):
    x, h0, c0, p, peep, rng = problem(3)
    h, cache = ref.lstm_forward(x, h0, **p, c0=c0, peephole=peep)
    dh = rng.normal(size=h.shape)
    grads = ref.lstm_backward(dh, cache, truncate=truncate, return_dc0=True)
    arrays = [x, h0, p["Wx"], p["Wh"], p["b"], peep, c0]
    if truncate is None:
        for arr, grad in zip(arrays, grads, strict=True):
            num = numerical_gradient(
                lambda _: ref.lstm_forward(x, h0, **p, c0=c0, peephole=peep)[0], arr, dh
            )
            assert rel_error(grad, num) < GRAD_TOL
    else:  # truncated gradient checks for every cell: test_reference_rnn.py; here only dc0's reach
        first_two = np.zeros_like(dh)
        first_two[:, :2] = dh[:, :2]
        full = ref.lstm_backward(first_two, cache, return_dc0=True)
        np.testing.assert_allclose(grads[-1], full[-1], rtol=1e-12, atol=1e-15)


def keras_peephole_layer(h, params, x, state):
    keras = pytest.importorskip("keras")
    from course_utils.layers import PeepholeLSTMCell

    layer = keras.layers.RNN(
        PeepholeLSTMCell(h, dtype="float64"), return_sequences=True, dtype="float64"
    )
    layer(x, initial_state=state)
    ref.to_keras(layer, params)
    return layer


@pytest.mark.parametrize("seed", [4, 5])
def test_keras_peephole_cell_equals_numpy(seed):
    rng = np.random.default_rng(seed)
    n, t, d, h = (int(v) for v in rng.integers(1, [4, 6, 5, 5]))
    x, h0, c0, p, peep, rng = problem(seed, n, t, d, h)
    params = {**p, "peephole": peep}
    layer = keras_peephole_layer(h, params, x, [h0, c0])
    got = ref.from_keras(layer)
    assert set(got) == {"Wx", "Wh", "b", "peephole"}
    np.testing.assert_array_equal(got["peephole"], peep)
    dh = rng.normal(size=(n, t, h))
    h_keras, g_keras = ref.keras_forward_backward(layer, x, [h0, c0], dh)
    out, cache = ref.lstm_forward(x, h0, **params, c0=c0)
    np.testing.assert_allclose(out, h_keras, rtol=0, atol=1e-9)
    grads = ref.lstm_backward(dh, cache, return_dc0=True)
    for name, grad in zip(["x", "h0", "Wx", "Wh", "b", "peephole", "c0"], grads, strict=True):
        np.testing.assert_allclose(grad, g_keras[name], rtol=0, atol=1e-8, err_msg=name)


def test_keras_peephole_cell_with_a_mask_and_zero_peepholes():
    x, h0, c0, p, peep, _ = problem(6)
    keras = pytest.importorskip("keras")
    mask = np.array([[True, False, True, True], [True, True, True, False]])
    layer = keras_peephole_layer(3, {**p, "peephole": np.zeros_like(peep)}, x, [h0, c0])
    lstm = keras.layers.LSTM(3, return_sequences=True, dtype="float64")
    lstm(x, initial_state=[h0, c0])
    ref.to_keras(lstm, p)
    np.testing.assert_allclose(
        layer(x, initial_state=[h0, c0], mask=mask),
        lstm(x, initial_state=[h0, c0], mask=mask),
        atol=1e-12,
    )
    ref.to_keras(layer, {**p, "peephole": peep})
    out, _ = ref.lstm_forward(x, h0, **p, c0=c0, mask=mask, peephole=peep)
    np.testing.assert_allclose(out, layer(x, initial_state=[h0, c0], mask=mask).numpy(), atol=1e-9)


def test_keras_peephole_cell_config_and_units_check():
    pytest.importorskip("keras")
    from course_utils.layers import PeepholeLSTMCell

    cell = PeepholeLSTMCell(4, peephole_initializer="ones")
    assert cell.get_config()["units"] == 4 and cell.state_size == [4, 4]
    with pytest.raises(ValueError, match=r"units: expected a positive integer, got 0"):
        PeepholeLSTMCell(0)
