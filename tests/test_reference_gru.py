"""Tests for ``reference.gru``: both Keras variants (``reset_after`` True and False), known gate behaviour and
gradient checks of the step. Keras agreement is in ``test_reference_keras.py``; sequence, mask and
truncation gradient checks for every cell in ``test_reference_rnn.py``."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import reference as ref
from course_utils.gradcheck import numerical_gradient, rel_error

GRAD_TOL = 1e-7


def params(d, h, reset_after, rng, scale=0.5):
    b_shape = (2, 3 * h) if reset_after else (3 * h,)
    return (
        scale * rng.normal(size=(d, 3 * h)),
        scale * rng.normal(size=(h, 3 * h)),
        scale * rng.normal(size=b_shape),
    )


@pytest.mark.parametrize("reset_after", [True, False])
def test_update_gate_in_keras_order_z_r_h(reset_after):
    """z = 1 (large bias on the first block) keeps the old state; z = 0 takes the candidate."""
    n, d, h = 2, 3, 4
    rng = np.random.default_rng(0)
    x, h_prev = rng.normal(size=(n, d)), rng.normal(size=(n, h))
    Wx, Wh, b = params(d, h, reset_after, rng)
    for z_bias, expect_keep in [(40.0, True), (-40.0, False)]:
        b2 = b.copy()
        if reset_after:
            b2[0, :h] = z_bias
        else:
            b2[:h] = z_bias
        Wx2, Wh2 = Wx.copy(), Wh.copy()
        Wx2[:, :h] = Wh2[:, :h] = 0.0
        h_next, cache = ref.gru_step_forward(x, h_prev, Wx2, Wh2, b2, reset_after=reset_after)
        if expect_keep:
            np.testing.assert_allclose(h_next, h_prev, atol=1e-12)
        else:
            np.testing.assert_allclose(h_next, cache.g, atol=1e-12)


def test_the_two_variants_differ_where_the_reset_is_applied():
    rng = np.random.default_rng(1)
    x, h_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    Wx, Wh, b2 = params(3, 4, True, rng)
    after, _ = ref.gru_step_forward(x, h_prev, Wx, Wh, b2, reset_after=True)
    before, _ = ref.gru_step_forward(x, h_prev, Wx, Wh, b2[0], reset_after=False)
    assert np.abs(after - before).max() > 1e-3  # r * (h Wh) differs from (r * h) Wh
    # ... but with a fully open reset gate (r = 1) and no recurrent bias they coincide.
    b2[0, 4:8] = 40.0
    b2[1] = 0.0
    Wx[:, 4:8] = Wh[:, 4:8] = 0.0
    after, _ = ref.gru_step_forward(x, h_prev, Wx, Wh, b2, reset_after=True)
    before, _ = ref.gru_step_forward(x, h_prev, Wx, Wh, b2[0], reset_after=False)
    np.testing.assert_allclose(after, before, atol=1e-12)


@pytest.mark.parametrize("reset_after", [True, False])
def test_step_backward_matches_numerical_gradient(reset_after):
    rng = np.random.default_rng(2)
    n, d, h = 3, 4, 5
    x, h_prev = rng.normal(size=(n, d)), rng.normal(size=(n, h))
    Wx, Wh, b = params(d, h, reset_after, rng)
    out, cache = ref.gru_step_forward(x, h_prev, Wx, Wh, b, reset_after=reset_after)
    dh = rng.normal(size=out.shape)
    grads = ref.gru_step_backward(dh, cache)
    for name, arr, grad in zip(
        ["x", "h_prev", "Wx", "Wh", "b"], [x, h_prev, Wx, Wh, b], grads, strict=True
    ):
        num = numerical_gradient(
            lambda _: ref.gru_step_forward(x, h_prev, Wx, Wh, b, reset_after=reset_after)[0],
            arr,
            dh,
        )
        assert grad.shape == arr.shape
        assert rel_error(grad, num) < GRAD_TOL, name


@pytest.mark.parametrize("reset_after", [True, False])
def test_sequence_is_the_steps_in_a_loop(reset_after):
    rng = np.random.default_rng(3)
    x, h0 = rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 5))
    Wx, Wh, b = params(3, 5, reset_after, rng)
    h, cache = ref.gru_forward(x, h0, Wx, Wh, b, reset_after=reset_after)
    assert cache.reset_after is reset_after
    prev = h0
    for t in range(4):
        prev, _ = ref.gru_step_forward(x[:, t], prev, Wx, Wh, b, reset_after=reset_after)
        np.testing.assert_array_equal(h[:, t], prev)
    db = ref.gru_backward(np.ones_like(h), cache)[-1]
    assert db.shape == b.shape
