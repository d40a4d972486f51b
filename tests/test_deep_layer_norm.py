"""BPTT through the layer-normalised SimpleRNN: ``deep.layer_norm_rnn_backward`` against numerical
gradients (float64, relative error < 1e-7, fixed and random sizes) and against ``tf.GradientTape`` on the
Keras ``LayerNormSimpleRNNCell`` with the same weights (float64, to 1e-8)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import deep
from course_utils.gradcheck import numerical_gradient, rel_error

GRAD_TOL = 1e-7
KERAS_TOL = 1e-8
NAMES = ("x", "h0", "Wx", "Wh", "gamma", "beta")


def problem(seed, n=3, t=4, d=2, h=5):
    """Float64 inputs, initial state and weights (gamma away from 1, beta non-zero) and an upstream dh."""
    rng = np.random.default_rng(seed)
    args = {
        "x": rng.normal(size=(n, t, d)),
        "h0": rng.normal(size=(n, h)),
        "Wx": rng.normal(size=(d, h)),
        "Wh": rng.normal(size=(h, h)) / np.sqrt(h),
        "gamma": 1.0 + 0.3 * rng.normal(size=h),
        "beta": 0.3 * rng.normal(size=h),
    }
    return args, rng.normal(size=(n, t, h))


def gradient_errors(args, dh, epsilon=1e-3, step=1e-6):
    """Relative error of every gradient of layer_norm_rnn_backward against the numerical one.

    The central difference's own error grows as ``(step / spread)**2`` where the spread of the summed
    inputs over the units is small (the normalisation curves sharply there; random draws with 3 or 4
    units get spreads near 0.05), so the step is 1e-6 rather than gradcheck's 1e-5: over 600 random
    problems with 3-5 units the largest error was then 4e-8; with 1e-5 it reached 1.8e-7 in 450.
    """
    _, cache = deep.layer_norm_rnn_forward(**args, epsilon=epsilon)
    grads = deep.layer_norm_rnn_backward(dh, cache)
    assert len(grads) == len(NAMES)
    errors = {}
    for name, grad in zip(NAMES, grads, strict=True):
        assert grad.shape == args[name].shape, name
        num = numerical_gradient(
            lambda _: deep.layer_norm_rnn_forward(**args, epsilon=epsilon)[0], args[name], dh, step
        )
        errors[name] = rel_error(grad, num)
    return errors


@pytest.mark.parametrize(("seed", "epsilon"), [(0, 1e-3), (1, 1e-3), (2, 1e-1)])
def test_layer_norm_backward_matches_numerical_gradients(seed, epsilon):
    args, dh = problem(seed)
    errors = gradient_errors(args, dh, epsilon)
    assert max(errors.values()) < GRAD_TOL, errors


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 3),
    t=st.integers(1, 4),
    d=st.integers(1, 3),
    h=st.integers(3, 6),  # 2 units: test below; 1 unit: z_hat = 0, every gradient but dbeta is 0
    seed=st.integers(0, 2**16),
)
def test_layer_norm_backward_matches_numerical_gradients_for_random_shapes(n, t, d, h, seed):
    args, dh = problem(seed, n, t, d, h)
    errors = gradient_errors(args, dh)
    assert max(errors.values()) < GRAD_TOL, errors


@pytest.mark.parametrize("seed", [10, 11, 12])
def test_layer_norm_backward_of_two_units_matches_numerical_gradients(seed):
    # With 2 units z_hat = +-(z1 - z2) / sqrt((z1 - z2)**2 + 4 epsilon): +-1 up to epsilon, so with a
    # small epsilon every gradient through the norm is ~ epsilon / |z1 - z2|**3, so small that rounding
    # in the central difference dominates. epsilon = 1 keeps the norm away from that flat part.
    rng = np.random.default_rng(seed)
    n, t, d = (int(v) for v in rng.integers(1, [4, 5, 4]))
    args, dh = problem(seed, n, t, d, h=2)
    errors = gradient_errors(args, dh, epsilon=1.0, step=1e-5)
    assert max(errors.values()) < GRAD_TOL, errors


def test_layer_norm_backward_of_one_unit_passes_only_beta():
    args, dh = problem(3, h=1)
    out, cache = deep.layer_norm_rnn_forward(**args)
    grads = dict(zip(NAMES, deep.layer_norm_rnn_backward(dh, cache), strict=True))
    for name in NAMES[:-1]:
        np.testing.assert_array_equal(grads[name], 0.0, err_msg=name)
    np.testing.assert_allclose(grads["beta"], (dh * (1 - out**2)).sum(axis=(0, 1)))


def test_layer_norm_backward_loss_on_the_last_state_reaches_the_first_input():
    args, _ = problem(4, t=6)
    out, cache = deep.layer_norm_rnn_forward(**args)
    dh = np.zeros_like(out)
    dh[:, -1] = 1.0
    dx, dh0, *_ = deep.layer_norm_rnn_backward(dh, cache)
    assert np.all(np.abs(dx[:, 0]) > 0) and np.all(np.abs(dh0) > 0)


# --- Keras: the same weights, tf.GradientTape ----------------------------------------------------------


@pytest.fixture
def float64_keras():
    keras = pytest.importorskip("keras")
    pytest.importorskip("tensorflow")
    # The cell's inner LayerNormalization ignores the cell's dtype and takes the global dtype policy,
    # which Keras fixes from floatx on first use, so set both (and put both back).
    floatx, policy = keras.backend.floatx(), keras.config.dtype_policy()
    keras.backend.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    yield keras
    keras.config.set_dtype_policy(policy)
    keras.backend.set_floatx(floatx)


def keras_gradients(keras, args, dh, epsilon):
    """h and the gradients of sum(h * dh) from a float64 Keras RNN(LayerNormSimpleRNNCell) with the
    NumPy weights transplanted."""
    import tensorflow as tf

    from course_utils.layers import LayerNormSimpleRNNCell

    units = args["h0"].shape[1]
    layer = keras.layers.RNN(
        LayerNormSimpleRNNCell(units, epsilon=epsilon, dtype="float64"),
        return_sequences=True,
        dtype="float64",
    )
    x, h0 = tf.constant(args["x"]), tf.constant(args["h0"])
    layer(x, initial_state=[h0])  # build
    cell = layer.cell
    weights = {
        "Wx": cell.kernel,
        "Wh": cell.recurrent_kernel,
        "gamma": cell.layer_norm.gamma,
        "beta": cell.layer_norm.beta,
    }
    for name, variable in weights.items():
        assert variable.dtype == "float64", name
        variable.assign(args[name])
    with tf.GradientTape() as tape:
        tape.watch([x, h0])
        h = layer(x, initial_state=[h0])
        loss = tf.reduce_sum(h * tf.constant(dh))
    grads = tape.gradient(loss, [x, h0, *(w.value for w in weights.values())])
    return np.asarray(h), dict(zip(NAMES, (np.asarray(g) for g in grads), strict=True))


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_layer_norm_backward_equals_keras_autodiff(float64_keras, seed):
    rng = np.random.default_rng(seed)
    n, t, d, h = (int(v) for v in rng.integers([1, 1, 1, 2], [5, 7, 6, 7]))
    args, dh = problem(seed, n, t, d, h)
    epsilon = 1e-3
    h_keras, g_keras = keras_gradients(float64_keras, args, dh, epsilon)
    out, cache = deep.layer_norm_rnn_forward(**args, epsilon=epsilon)
    np.testing.assert_allclose(out, h_keras, rtol=0, atol=1e-12)
    grads = deep.layer_norm_rnn_backward(dh, cache)
    for name, grad in zip(NAMES, grads, strict=True):
        assert rel_error(grad, g_keras[name]) < KERAS_TOL, name


# --- validation ----------------------------------------------------------------------------------------


def test_layer_norm_backward_checks_dh_and_cache():
    args, _ = problem(8, n=2, t=3, d=1, h=5)
    _, cache = deep.layer_norm_rnn_forward(**args)
    with pytest.raises(
        ValueError, match=r"dh: expected shape \(2, 3, 5\) = \(N, T, H\), got \(2, 3, 4\)"
    ):
        deep.layer_norm_rnn_backward(np.zeros((2, 3, 4)), cache)
    with pytest.raises(
        ValueError,
        match=r"dh: expected a 3-D array of shape \(2, 3, 5\) = \(N, T, H\), got a 2-D array of shape \(2, 5\)",
    ):
        deep.layer_norm_rnn_backward(np.zeros((2, 5)), cache)
    stack_cache = deep.stack_rnn_forward(
        args["x"], [{"Wx": args["Wx"], "Wh": args["Wh"], "b": args["beta"]}]
    )[1]
    with pytest.raises(
        TypeError,
        match=r"cache: expected LayerNormRNNCache \(the cache returned by layer_norm_rnn_forward\), got StackCache",
    ):
        deep.layer_norm_rnn_backward(np.zeros((2, 3, 5)), stack_cache)


def test_layer_norm_backward_writes_its_loop_over_time():
    import inspect

    source = inspect.getsource(deep.layer_norm_rnn_backward)
    body = source[source.index("for t in reversed(range(t_len)):") :].splitlines()
    assert body[-1].strip().startswith("return dx, dprev_h")
    assert len(body) <= 10
    assert "_layer_norm_backward(" in inspect.getsource(deep._layer_norm_rnn_step_backward)
