"""Tests for course_utils.deep: the NumPy stack against Keras, its gradients, the Keras builder options,
layer normalisation and the plot helpers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from course_utils import curves, deep, models
from course_utils import reference as ref
from course_utils.gradcheck import numerical_gradient, rel_error

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")


def random_layers(sizes, rng, scale=0.5):
    """Float64 stack weights for layer sizes (D, H_1, ..., H_L)."""
    return [
        {
            "Wx": scale * rng.normal(size=(d, h)),
            "Wh": scale * rng.normal(size=(h, h)) / np.sqrt(h),
            "b": 0.1 * rng.normal(size=h),
        }
        for d, h in itertools.pairwise(sizes)
    ]


# --- NumPy forward -----------------------------------------------------------------------------------


def test_stack_forward_feeds_each_layer_the_state_sequence_of_the_layer_below():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 7, 2))
    layers = random_layers((2, 4, 5), rng)
    h, cache = deep.stack_rnn_forward(x, layers)
    h1, _ = ref.rnn_forward(x, np.zeros((3, 4)), **layers[0])
    h2, _ = ref.rnn_forward(h1, np.zeros((3, 5)), **layers[1])
    np.testing.assert_allclose(h, h2, atol=1e-12)
    assert cache.sizes == (2, 4, 5) and cache.residual == (False, False)


def test_stack_forward_uses_given_initial_states():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 3))
    layers = random_layers((3, 4, 4), rng)
    h0 = [rng.normal(size=(2, 4)), rng.normal(size=(2, 4))]
    h, _ = deep.stack_rnn_forward(x, layers, h0)
    h_zero, _ = deep.stack_rnn_forward(x, layers)
    h1, _ = ref.rnn_forward(x, h0[0], **layers[0])
    h2, _ = ref.rnn_forward(h1, h0[1], **layers[1])
    np.testing.assert_allclose(h, h2, atol=1e-12)
    assert not np.allclose(h, h_zero)


def test_residual_stack_adds_each_layer_input_above_the_first():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 6, 3))
    layers = random_layers((3, 4, 4, 4), rng)
    h, cache = deep.stack_rnn_forward(x, layers, residual=True)
    s1, _ = ref.rnn_forward(x, np.zeros((2, 4)), **layers[0])
    s2 = s1 + ref.rnn_forward(s1, np.zeros((2, 4)), **layers[1])[0]
    s3 = s2 + ref.rnn_forward(s2, np.zeros((2, 4)), **layers[2])[0]
    np.testing.assert_allclose(h, s3, atol=1e-12)
    assert cache.residual == (False, True, True)


def keras_stack(units, *, t=6, d=3, residual=False, seed=0):
    model = models.build_stacked_rnn((t, d), units, residual=residual, seed=seed)
    rng = np.random.default_rng(seed)
    for layer in model.layers:  # non-zero biases so a bias mix-up would show
        if isinstance(layer, keras.layers.SimpleRNN):
            layer.cell.bias.assign(0.1 * rng.normal(size=layer.cell.bias.shape))
    return model


@pytest.mark.parametrize("residual", [False, True])
def test_numpy_stack_with_transplanted_weights_equals_keras(residual):
    model = keras_stack((5, 5, 5), residual=residual)
    x = np.random.default_rng(3).normal(size=(4, 6, 3)).astype(np.float32)
    layers = deep.stack_params_from_keras(model)
    assert [p["Wx"].shape for p in layers] == [(3, 5), (5, 5), (5, 5)]
    h, _ = deep.stack_rnn_forward(x.astype(np.float64), layers, residual=residual)
    dense = model.get_layer("head")
    w, b = (np.asarray(v, dtype=np.float64) for v in dense.get_weights())
    y_numpy = h[:, -1] @ w + b  # (N, 1)
    y_keras = np.asarray(model(x))
    np.testing.assert_allclose(y_numpy, y_keras, atol=1e-5)
    # And the state of the top layer itself, not only the head's output.
    top = model.get_layer("last_step" if residual else "simple_rnn_3")
    states = np.asarray(keras.Model(model.input, top.output)(x))
    np.testing.assert_allclose(h[:, -1], states, atol=1e-5)


def test_stack_params_from_keras_needs_a_simple_rnn_layer():
    model = models.build_stacked_rnn((None, 2), (3,), cell="gru")
    with pytest.raises(
        ValueError,
        match=r"model: expected at least one SimpleRNN layer \(its layers: \['InputLayer', 'GRU', 'Dense'\]\), got none",
    ):
        deep.stack_params_from_keras(model)


# --- NumPy backward ----------------------------------------------------------------------------------


@pytest.mark.parametrize("residual", [False, True])
def test_stack_backward_matches_numerical_gradients(residual):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 5, 3))
    layers = random_layers((3, 4, 4), rng)
    h0 = [rng.normal(size=(2, 4)) for _ in range(2)]
    h, cache = deep.stack_rnn_forward(x, layers, h0, residual=residual)
    dh = rng.normal(size=h.shape)
    dx, dlayers, dh0 = deep.stack_rnn_backward(dh, cache)

    def top(_):
        return deep.stack_rnn_forward(x, layers, h0, residual=residual)[0]

    assert rel_error(dx, numerical_gradient(top, x, dh)) < 1e-7
    for i in range(2):
        for key in ("Wx", "Wh", "b"):
            num = numerical_gradient(top, layers[i][key], dh)
            assert rel_error(dlayers[i][key], num) < 1e-7, (i, key)
        assert rel_error(dh0[i], numerical_gradient(top, h0[i], dh)) < 1e-7


def test_stack_backward_rejects_a_foreign_cache():
    _, cache = ref.rnn_forward(
        np.zeros((1, 2, 3)), np.zeros((1, 4)), np.zeros((3, 4)), np.zeros((4, 4)), np.zeros(4)
    )
    with pytest.raises(
        TypeError,
        match=r"cache: expected StackCache \(the cache returned by stack_rnn_forward\), got RNNCache",
    ):
        deep.stack_rnn_backward(np.zeros((1, 2, 4)), cache)


def test_stack_backward_checks_dh_shape():
    rng = np.random.default_rng(5)
    _, cache = deep.stack_rnn_forward(rng.normal(size=(2, 3, 1)), random_layers((1, 4, 6), rng))
    with pytest.raises(
        ValueError, match=r"dh: expected shape \(2, 3, 6\) = \(N, T, H\), got \(2, 3, 4\)"
    ):
        deep.stack_rnn_backward(np.zeros((2, 3, 4)), cache)


def test_gradient_by_lag_shrinks_for_contracting_weights():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(8, 30, 1))
    layers = random_layers((1, 8, 8), rng, scale=0.4)
    norms = deep.gradient_norm_by_lag(x, layers)
    assert norms.shape == (30,)
    assert norms[25] < 1e-3 * norms[0]
    # Lag 0 is the input at the very last step, which reaches the output through both layers directly.
    h, cache = deep.stack_rnn_forward(x, layers)
    dh = np.zeros_like(h)
    dh[:, -1] = 1.0
    dx, _, _ = deep.stack_rnn_backward(dh, cache)
    assert norms[0] == pytest.approx(np.linalg.norm(dx[:, -1], axis=1).mean())


# --- validation --------------------------------------------------------------------------------------


def test_stack_forward_names_the_layer_with_the_wrong_shape():
    rng = np.random.default_rng(7)
    layers = random_layers((2, 4, 5), rng)
    layers[1]["Wx"] = np.zeros((3, 5))
    with pytest.raises(
        ValueError, match=r"layers\[1\]\['Wx'\]: expected shape \(4, 5\) = \(D, H\), got \(3, 5\)"
    ):
        deep.stack_rnn_forward(np.zeros((2, 3, 2)), layers)
    layers = random_layers((2, 4), rng)
    layers[0]["b"] = np.zeros(3)
    with pytest.raises(
        ValueError, match=r"layers\[0\]\['b'\]: expected shape \(4,\) = \(H,\), got \(3,\)"
    ):
        deep.stack_rnn_forward(np.zeros((2, 3, 2)), layers)


def test_stack_forward_rejects_bad_arguments():
    rng = np.random.default_rng(8)
    layers = random_layers((2, 4, 5), rng)
    with pytest.raises(
        ValueError,
        match=r"x: expected a 3-D array of shape \(N, T, D\), got a 2-D array of shape \(2, 3\)",
    ):
        deep.stack_rnn_forward(np.zeros((2, 3)), layers)
    with pytest.raises(
        TypeError, match=r"layers: expected a non-empty list of dicts with keys 'Wx', 'Wh', 'b'"
    ):
        deep.stack_rnn_forward(np.zeros((2, 3, 2)), [])
    with pytest.raises(TypeError, match=r"layers\[0\]: expected a 'Wh' entry, got keys \['Wx'\]"):
        deep.stack_rnn_forward(np.zeros((2, 3, 2)), [{"Wx": np.zeros((2, 4))}])
    with pytest.raises(ValueError, match=r"h0: expected 2 initial states \(one per layer\), got 1"):
        deep.stack_rnn_forward(np.zeros((2, 3, 2)), layers, [np.zeros((2, 4))])
    with pytest.raises(
        ValueError, match=r"h0\[1\]: expected shape \(2, 5\) = \(N, H\), got \(2, 4\)"
    ):
        deep.stack_rnn_forward(np.zeros((2, 3, 2)), layers, [np.zeros((2, 4)), np.zeros((2, 4))])
    with pytest.raises(
        ValueError, match=r"residual: layer 1 maps 4 to 5 units; a residual connection needs equal"
    ):
        deep.stack_rnn_forward(np.zeros((2, 3, 2)), layers, residual=True)
    with pytest.raises(TypeError, match=r"residual: expected True or False, got int 1"):
        deep.stack_rnn_forward(np.zeros((2, 3, 2)), layers, residual=1)


# --- layer normalisation -----------------------------------------------------------------------------


def test_layer_norm_forward_normalises_the_summed_inputs():
    rng = np.random.default_rng(9)
    x, h0 = rng.normal(size=(3, 4, 2)), rng.normal(size=(3, 5))
    wx, wh = rng.normal(size=(2, 5)), rng.normal(size=(5, 5))
    gamma, beta = np.ones(5), np.zeros(5)
    h, cache = deep.layer_norm_rnn_forward(x, h0, wx, wh, gamma, beta, epsilon=1e-12)
    np.testing.assert_allclose(cache.z_hat.mean(axis=2), 0.0, atol=1e-10)
    np.testing.assert_allclose(cache.z_hat.std(axis=2), 1.0, atol=1e-8)
    np.testing.assert_allclose(cache.z[:, 0], x[:, 0] @ wx + h0 @ wh)
    np.testing.assert_allclose(h, np.tanh(cache.z_hat))
    # Scaling the weights does not change the states: the normalisation removes it.
    h_scaled, _ = deep.layer_norm_rnn_forward(x, h0, 10 * wx, 10 * wh, gamma, beta, epsilon=1e-12)
    np.testing.assert_allclose(h_scaled, h, atol=1e-9)


def test_layer_norm_keras_cell_equals_numpy():
    model = models.build_stacked_rnn((5, 2), (4,), layer_norm=True, seed=3)
    layer = model.get_layer("ln_simple_rnn_1")
    cell = layer.cell
    rng = np.random.default_rng(10)
    cell.layer_norm.gamma.assign(1 + 0.3 * rng.normal(size=4))
    cell.layer_norm.beta.assign(0.3 * rng.normal(size=4))
    x = rng.normal(size=(3, 5, 2)).astype(np.float32)
    h_keras = np.asarray(keras.Model(model.input, layer.output)(x))
    weights = [
        np.asarray(v, dtype=np.float64)
        for v in (cell.kernel, cell.recurrent_kernel, cell.layer_norm.gamma, cell.layer_norm.beta)
    ]
    h, _ = deep.layer_norm_rnn_forward(x.astype(np.float64), np.zeros((3, 4)), *weights)
    np.testing.assert_allclose(h[:, -1], h_keras, atol=1e-5)


def test_layer_norm_forward_checks_shapes_and_epsilon():
    z = np.zeros
    with pytest.raises(ValueError, match=r"gamma: expected shape \(4,\) = \(H,\), got \(3,\)"):
        deep.layer_norm_rnn_forward(z((1, 2, 3)), z((1, 4)), z((3, 4)), z((4, 4)), z(3), z(4))
    with pytest.raises(ValueError, match=r"epsilon: expected a finite number > 0, got 0"):
        deep.layer_norm_rnn_forward(
            z((1, 2, 3)), z((1, 4)), z((3, 4)), z((4, 4)), z(4), z(4), epsilon=0
        )
    with pytest.raises(ValueError, match=r"units: expected a positive integer, got 0"):
        deep.layer_norm_simple_rnn_cell(0)


# --- Keras builder -----------------------------------------------------------------------------------


def test_builder_returns_sequences_on_all_but_the_last_layer():
    model = models.build_stacked_rnn((None, 1), (8, 6, 4))
    rnns = [layer for layer in model.layers if isinstance(layer, keras.layers.SimpleRNN)]
    assert [layer.return_sequences for layer in rnns] == [True, True, False]
    assert [layer.units for layer in rnns] == [8, 6, 4]
    assert model.output_shape == (None, 1)
    assert model.count_params() == models.param_count("simple_rnn", (8, 6, 4), 1, outputs=1)


@pytest.mark.parametrize(
    ("d", "units", "outputs"), [(1, (20, 20), 1), (3, (7,), 5), (2, (4, 9, 3), 10)]
)
def test_param_count_formula_matches_keras(d, units, outputs):
    model = models.build_stacked_rnn((None, d), units, outputs=outputs)
    assert models.param_count("simple_rnn", units, d, outputs=outputs) == model.count_params()


def test_builder_dropout_masks_are_constant_over_time_between_layers():
    model = models.build_stacked_rnn((None, 1), (8, 8), dropout=0.25, recurrent_dropout=0.1, seed=0)
    first, last = model.get_layer("dropout_1"), model.get_layer("dropout_2")
    assert first.noise_shape == (None, 1, 8) and last.noise_shape is None
    assert model.get_layer("simple_rnn_1").cell.recurrent_dropout == pytest.approx(0.1)
    seq = keras.Model(model.input, first.output)
    out = np.asarray(seq(np.ones((4, 6, 1), dtype=np.float32), training=True))
    dropped = out == 0.0  # (N, T, H): a unit dropped at one step is dropped at every step
    assert dropped.any()
    assert np.all(dropped == dropped[:, :1, :])


def test_builder_is_reproducible_with_a_seed():
    a = models.build_stacked_rnn((None, 1), (4, 4), seed=5)
    b = models.build_stacked_rnn((None, 1), (4, 4), seed=5)
    c = models.build_stacked_rnn((None, 1), (4, 4), seed=6)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert not np.allclose(a.get_weights()[0], c.get_weights()[0])


def test_builder_seeds_explicitly_and_leaves_the_global_random_state_alone():
    np.random.seed(1)  # noqa: NPY002 - the global generator is what the builder must not touch
    expected = np.random.random()  # noqa: NPY002
    np.random.seed(1)  # noqa: NPY002
    models.build_stacked_rnn((None, 1), (4, 4), dropout=0.1, seed=5)
    assert np.random.random() == expected  # noqa: NPY002
    with pytest.raises(ValueError, match=r"seed: expected a non-negative integer or None, got -1"):
        models.build_stacked_rnn((None, 1), (4,), seed=-1)
    unseeded = models.build_stacked_rnn((None, 1), (4,), seed=None)
    assert unseeded.output_shape == (None, 1)


@pytest.mark.parametrize("kwargs", [{}, {"residual": True}, {"dropout": 0.2}, {"layer_norm": True}])
def test_builder_every_step_applies_the_head_at_every_step(kwargs):
    model = models.build_stacked_rnn((None, 1), (5, 5), outputs=3, every_step=True, **kwargs)
    x = np.random.default_rng(2).normal(size=(2, 6, 1)).astype(np.float32)
    full = np.asarray(model(x))
    assert full.shape == (2, 6, 3)
    # the forecast after step t depends only on steps up to t (causal): a prefix gives the same outputs
    np.testing.assert_allclose(np.asarray(model(x[:, :4])), full[:, :4], atol=1e-5)
    if "dropout" in kwargs:
        assert model.get_layer("dropout_2").noise_shape == (None, 1, 5)


def test_layer_norm_builder_is_seeded():
    a = models.build_stacked_rnn((None, 2), (3,), layer_norm=True, seed=4).get_weights()
    b = models.build_stacked_rnn((None, 2), (3,), layer_norm=True, seed=4).get_weights()
    for wa, wb in zip(a, b, strict=True):
        np.testing.assert_array_equal(wa, wb)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_builder_stacks_gated_cells(cell):
    model = models.build_stacked_rnn((None, 2), (4, 4), cell=cell, outputs=3)
    assert model.output_shape == (None, 3)
    assert model.get_layer(f"{cell}_1").return_sequences


def test_builder_rejects_bad_options():
    with pytest.raises(
        ValueError, match=r"cell: expected one of \('simple_rnn', 'lstm', 'gru'\), got 'rnn'"
    ):
        models.build_stacked_rnn((None, 1), (4,), cell="rnn")
    with pytest.raises(
        ValueError, match=r"dropout: expected a finite number >= 0 and < 1, got 1.0"
    ):
        models.build_stacked_rnn((None, 1), (4,), dropout=1.0)
    with pytest.raises(
        ValueError, match=r"recurrent_dropout: expected a finite number >= 0 and < 1, got -0.1"
    ):
        models.build_stacked_rnn((None, 1), (4,), recurrent_dropout=-0.1)
    with pytest.raises(
        ValueError,
        match=r"cell: expected one of \('simple_rnn',\) \(the only cell with layer_norm=True\), got 'gru'",
    ):
        models.build_stacked_rnn((None, 1), (4,), cell="gru", layer_norm=True)
    with pytest.raises(
        ValueError,
        match=r"recurrent_dropout: expected 0 \(the layer-norm cell has none\), got float 0.2",
    ):
        models.build_stacked_rnn((None, 1), (4,), layer_norm=True, recurrent_dropout=0.2)
    with pytest.raises(ValueError, match=r"residual: layer 1 maps 4 to 6 units"):
        models.build_stacked_rnn((None, 1), (4, 6), residual=True)
    with pytest.raises(ValueError, match=r"units: expected a list of layer sizes, got int 4"):
        models.build_stacked_rnn((None, 1), 4)
    with pytest.raises(ValueError, match=r"units\[1\]: expected a positive integer, got 0"):
        models.build_stacked_rnn((None, 1), (4, 0))
    with pytest.raises(ValueError, match=r"input_shape: expected 2 sizes \(T and D\), got 1"):
        models.build_stacked_rnn((5,), (4,))


def test_layer_norm_and_residual_models_train():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(32, 8, 1)).astype(np.float32)
    y = x[:, -1] * 0.5
    for kwargs in ({"layer_norm": True}, {"residual": True, "dropout": 0.1}):
        model = models.build_stacked_rnn((None, 1), (6, 6), **kwargs, seed=0)
        model.compile(keras.optimizers.Adam(1e-2), "mse")
        before = model.evaluate(x, y, verbose=0)
        model.fit(x, y, epochs=15, batch_size=32, verbose=0)
        assert model.evaluate(x, y, verbose=0) < 0.5 * before, kwargs


# --- plots -------------------------------------------------------------------------------------------


def test_plot_learning_curves_draws_train_and_validation_per_run():
    import matplotlib

    matplotlib.use("Agg")
    histories = {
        "plain": {"loss": [1.0, 0.5], "val_loss": [1.1, 0.9]},
        "dropout": {"loss": [1.0, 0.7], "val_loss": [1.0, 0.8]},
    }
    ax = curves.plot_curves(histories)
    assert len(ax.lines) == 4 and ax.get_yscale() == "log"
    assert [line.get_linestyle() for line in ax.lines] == ["-", "--", "-", "--"]
    assert ax.lines[0].get_color() == ax.lines[1].get_color() != ax.lines[2].get_color()
    with pytest.raises(
        ValueError,
        match=r"histories\['plain'\]: expected a 'mae' entry, got keys \['loss', 'val_loss'\]",
    ):
        curves.plot_curves(histories, metric="mae")
    with pytest.raises(
        TypeError,
        match=r"histories\['a'\]: expected Mapping \(a Keras History or its \.history dict\), got list",
    ):
        curves.plot_curves({"a": [1.0]})


def test_plot_gradient_by_lag_uses_the_given_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    out = deep.plot_gradient_by_lag({"1 layer": np.array([1.0, 0.1, 0.01])}, ax=ax)
    assert out is ax and ax.get_yscale() == "log"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1.0, 0.1, 0.01])
    plt.close("all")
