"""The NumPy reference cells equal Keras: weights transplanted from float64 Keras layers of random sizes give
the same hidden states (to 1e-9) and the same gradients from ``tf.GradientTape`` (to 1e-8)."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import reference as ref

keras = pytest.importorskip("keras")

STATE_TOL = 1e-9
GRAD_TOL = 1e-8
KINDS = ["SimpleRNN", "LSTM", "GRU_reset_after", "GRU_reset_before"]


def make_layer(kind: str, units: int, **kwargs):
    kwargs = {"return_sequences": True, "dtype": "float64", **kwargs}
    if kind == "SimpleRNN":
        return keras.layers.SimpleRNN(units, **kwargs)
    if kind == "LSTM":
        return keras.layers.LSTM(units, **kwargs)
    return keras.layers.GRU(units, reset_after=kind == "GRU_reset_after", **kwargs)


def random_problem(kind: str, seed: int, mask: bool = False):
    """A float64 Keras layer of random size with random weights (bias included) and random inputs."""
    rng = np.random.default_rng(seed)
    n, t, d, h = (int(v) for v in rng.integers([1, 1, 1, 1], [5, 7, 6, 7]))
    x = rng.normal(size=(n, t, d))
    state = [rng.normal(size=(n, h)) for _ in range(2 if kind == "LSTM" else 1)]
    layer = make_layer(kind, h)
    layer(x, initial_state=state)  # build
    params = ref.from_keras(layer)
    params = {
        k: v if k == "reset_after" else 0.5 * rng.normal(size=v.shape) for k, v in params.items()
    }
    ref.to_keras(layer, params)
    m = rng.random((n, t)) < 0.7 if mask else None
    return layer, params, x, state, m, rng


def reference_run(kind, params, x, state, mask, dh):
    if kind == "SimpleRNN":
        h, cache = ref.rnn_forward(x, state[0], **params, mask=mask)
        grads = ref.rnn_backward(dh, cache)
    elif kind == "LSTM":
        h, cache = ref.lstm_forward(x, state[0], **params, c0=state[1], mask=mask)
        grads = ref.lstm_backward(dh, cache, return_dc0=True)
    else:
        h, cache = ref.gru_forward(x, state[0], **params, mask=mask)
        grads = ref.gru_backward(dh, cache)
    names = ["x", "h0", "Wx", "Wh", "b"] + (["c0"] if kind == "LSTM" else [])
    return h, cache, dict(zip(names, grads))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("kind", KINDS)
def test_states_and_gradients_equal_keras(kind, seed):
    layer, params, x, state, _, rng = random_problem(kind, seed)
    dh = rng.normal(size=(*x.shape[:2], state[0].shape[1]))
    h_keras, g_keras = ref.keras_forward_backward(layer, x, state, dh)
    h, _, grads = reference_run(kind, params, x, state, None, dh)
    assert h.dtype == np.float64
    np.testing.assert_allclose(h, h_keras, rtol=0, atol=STATE_TOL)
    assert set(g_keras) == set(grads)
    for name, g in grads.items():
        np.testing.assert_allclose(g, g_keras[name], rtol=0, atol=GRAD_TOL, err_msg=name)


@pytest.mark.parametrize("kind", KINDS)
def test_masked_batch_matches_keras_final_state_and_gradients(kind):
    layer, params, x, state, mask, rng = random_problem(kind, seed=10, mask=True)
    mask[0] = [False] * (mask.shape[1] - 1) + [True]  # leading padding (pre-padded sequence)
    layer_states = make_layer(kind, state[0].shape[1], return_state=True)
    layer_states(x, initial_state=state)
    ref.to_keras(layer_states, params)
    out = layer_states(x, initial_state=state, mask=mask)
    h, cache, _ = reference_run(
        kind, params, x, state, mask, np.zeros((*x.shape[:2], state[0].shape[1]))
    )
    np.testing.assert_allclose(h[:, -1], out[1].numpy(), rtol=0, atol=STATE_TOL)  # final h
    if kind == "LSTM":
        np.testing.assert_allclose(
            cache.c[:, -1], out[2].numpy(), rtol=0, atol=STATE_TOL
        )  # final c
    # Gradients of a loss on the final state agree too (padded steps get none).
    dh = np.zeros_like(h)
    dh[:, -1] = rng.normal(size=h[:, -1].shape)
    _, g_keras = ref.keras_forward_backward(layer, x, state, dh, mask=mask)
    _, _, grads = reference_run(kind, params, x, state, mask, dh)
    for name, g in grads.items():
        np.testing.assert_allclose(g, g_keras[name], rtol=0, atol=GRAD_TOL, err_msg=name)
    assert np.all(grads["x"][~mask] == 0.0)


@pytest.mark.parametrize("kind", KINDS)
def test_masked_steps_repeat_the_carried_state_like_keras(kind):
    """Keras returns the previous output at a padded step. After the first real step that is the carried
    state, so every output matches; before it Keras reports zeros while the reference reports the carried
    initial state (the state Keras also carries), so with h0 = 0 everything matches exactly."""
    layer, params, x, state, mask, _ = random_problem(kind, seed=20, mask=True)
    mask[0, :2] = False  # leading padding
    mask[-1, -2:] = False  # trailing padding
    h_keras = layer(x, initial_state=state, mask=mask).numpy()
    h, _, _ = reference_run(kind, params, x, state, mask, np.zeros_like(h_keras))
    started = np.cumsum(mask, axis=1) > 0  # a real step has happened at or before t
    np.testing.assert_allclose(h[started], h_keras[started], rtol=0, atol=STATE_TOL)
    assert np.all(h_keras[~started] == 0.0)
    np.testing.assert_allclose(
        h[0, :2], np.broadcast_to(state[0][0], (2, state[0].shape[1])), rtol=0, atol=0
    )
    # padded steps repeat the state before them
    for n, t in zip(*np.nonzero(~mask)):
        if t > 0:
            assert np.array_equal(h[n, t], h[n, t - 1])
    zero_state = [np.zeros_like(s) for s in state]
    h_keras0 = layer(x, initial_state=zero_state, mask=mask).numpy()
    h0_ref, _, _ = reference_run(kind, params, x, zero_state, mask, np.zeros_like(h_keras))
    np.testing.assert_allclose(h0_ref, h_keras0, rtol=0, atol=STATE_TOL)


@pytest.mark.parametrize("kind", KINDS)
def test_from_keras_layouts_and_round_trip(kind):
    layer, params, *_ = random_problem(kind, seed=30)
    h = layer.cell.units
    d = params["Wx"].shape[0]
    gates = {"SimpleRNN": 1, "LSTM": 4}.get(kind, 3)
    assert params["Wx"].shape == (d, gates * h)
    assert params["Wh"].shape == (h, gates * h)
    expected_b = (2, 3 * h) if kind == "GRU_reset_after" else (gates * h,)
    assert params["b"].shape == expected_b
    assert ("reset_after" in params) == kind.startswith("GRU")
    again = ref.from_keras(layer)
    for key, value in params.items():
        np.testing.assert_array_equal(again[key], value)
    assert ref.from_keras(layer.cell)["Wx"].shape == params["Wx"].shape  # a bare cell works too


def test_from_keras_refuses_unbuilt_and_unsupported_layers():
    with pytest.raises(
        ValueError,
        match=r"layer: expected built=True \(call it on data or build it first\), got built=False",
    ):
        ref.from_keras(keras.layers.LSTM(3))
    dense = keras.layers.Dense(3)
    dense.build((None, 2))
    with pytest.raises(
        ValueError,
        match=r"layer: expected one of \('SimpleRNN', 'LSTM', 'GRU'\), got 'Dense'",
    ):
        ref.from_keras(dense)
    relu = keras.layers.SimpleRNN(3, activation="relu")
    relu.build((None, 4, 2))
    with pytest.raises(
        ValueError,
        match=r"layer: expected activation=tanh \(the reference cells' choice\), got activation=relu",
    ):
        ref.from_keras(relu)
    no_bias = keras.layers.GRU(3, use_bias=False)
    no_bias.build((None, 4, 2))
    with pytest.raises(ValueError, match=r"layer: expected use_bias=True"):
        ref.from_keras(no_bias)


def test_to_keras_checks_shapes_and_variant():
    layer, params, *_ = random_problem("GRU_reset_after", seed=40)
    with pytest.raises(
        ValueError,
        match=r"params: expected reset_after=True \(the layer's\), got reset_after=False",
    ):
        ref.to_keras(layer, {**params, "reset_after": False})
    bad = params["Wh"][:, :-1]
    with pytest.raises(ValueError, match=r"Wh: expected shape \(\d+, \d+\), got \(\d+, \d+\)"):
        ref.to_keras(layer, {**params, "Wh": bad})
    with pytest.raises(
        ValueError, match=r"params: expected a 'b' entry, got keys \['Wh', 'Wx', 'reset_after'\]"
    ):
        ref.to_keras(layer, {k: v for k, v in params.items() if k != "b"})


def test_keras_forward_backward_needs_sequences():
    with pytest.raises(
        ValueError, match=r"layer: expected return_sequences=True, got return_sequences=False"
    ):
        ref.keras_forward_backward(
            keras.layers.SimpleRNN(2), np.zeros((1, 2, 3)), [np.zeros((1, 2))], np.zeros((1, 2, 2))
        )
