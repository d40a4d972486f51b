"""Tests for course_utils.models: the Keras builders' shared conventions and the one parameter counter."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import models

keras = pytest.importorskip("keras")


def recurrent_layers(model):
    return [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)]


# --- the textbook's models (Hands-On ML, chapter 15), rebuilt with the builders ------------------------


def test_a_bare_simple_rnn_1_is_the_textbooks_simplest_rnn():
    # keras.Sequential([keras.layers.SimpleRNN(1, input_shape=[None, 1])]): 3 weights
    model = models.seq2vec_model(None, 1, units=1, outputs=None)
    (rnn,) = recurrent_layers(model)
    assert isinstance(rnn, keras.layers.SimpleRNN) and rnn.units == 1 and not rnn.return_sequences
    assert not any(isinstance(layer, keras.layers.Dense) for layer in model.layers)
    assert model.input_shape == (None, None, 1) and model.output_shape == (None, 1)
    assert model.count_params() == 3 == models.param_count("SimpleRNN", 1, 1)


@pytest.mark.parametrize(
    "build",
    [
        lambda: models.build_stacked_rnn((None, 1), [20, 20, 1], outputs=None),
        lambda: models.build_forecaster(units=[20, 20, 1], outputs=None),
    ],
    ids=["build_stacked_rnn", "build_forecaster"],
)
def test_the_textbooks_20_20_1_recurrent_stack(build):
    # SimpleRNN(20, return_sequences=True) -> SimpleRNN(20, return_sequences=True) -> SimpleRNN(1)
    model = build()
    rnns = recurrent_layers(model)
    assert all(isinstance(layer, keras.layers.SimpleRNN) for layer in rnns)
    assert [layer.units for layer in rnns] == [20, 20, 1]
    assert [layer.return_sequences for layer in rnns] == [True, True, False]
    assert not any(isinstance(layer, keras.layers.Dense) for layer in model.layers)
    assert model.output_shape == (None, 1)
    assert model.count_params() == 440 + 820 + 22 == models.param_count("SimpleRNN", [20, 20, 1], 1)


def test_the_textbooks_deep_rnn_with_a_dense_head():
    # SimpleRNN(20, return_sequences=True) -> SimpleRNN(20) -> Dense(1)
    model = models.build_forecaster("deep", units=20, n_layers=2)
    assert [layer.units for layer in recurrent_layers(model)] == [20, 20]
    assert isinstance(model.layers[-1], keras.layers.Dense) and model.output_shape == (None, 1)
    assert model.count_params() == 1281 == models.param_count("SimpleRNN", [20, 20], 1, outputs=1)


# --- the parameter counter ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "kwargs"),
    [
        ("SimpleRNN", {}),
        ("LSTM", {}),
        ("GRU", {"reset_after": True}),
        ("GRU", {"reset_after": False}),
    ],
)
@pytest.mark.parametrize(
    ("d", "units", "outputs"), [(1, [3], 1), (2, [4, 5], None), (3, [6, 2, 4], 7)]
)
def test_param_count_equals_keras_for_every_cell(cell, kwargs, d, units, outputs):
    layers = [keras.Input((None, d))]
    for i, h in enumerate(units):
        layers.append(getattr(keras.layers, cell)(h, return_sequences=i < len(units) - 1, **kwargs))
    if outputs is not None:
        layers.append(keras.layers.Dense(outputs))
    model = keras.Sequential(layers)
    got = models.param_count(cell, units, d, outputs=outputs, **kwargs)
    assert got == model.count_params()


@pytest.mark.parametrize("cell", models.CELLS)
def test_param_count_of_the_builders(cell):
    stack = models.build_stacked_rnn((None, 3), (4, 5), cell=cell, outputs=2)
    assert models.param_count(cell, (4, 5), 3, outputs=2) == stack.count_params()
    one = models.build_cell_model(cell, 6, 2)
    assert models.param_count(cell, 6, 2, outputs=1) == one.count_params()


def test_param_count_names_bad_arguments():
    with pytest.raises(ValueError, match=r"cell: expected one of \('SimpleRNN', 'LSTM', 'GRU'\)"):
        models.param_count("RNN", 4, 2)
    with pytest.raises(
        ValueError,
        match=r"units: expected a non-empty list of layer sizes \(or a positive integer\), got \[\]",
    ):
        models.param_count("LSTM", [], 2)
    with pytest.raises(ValueError, match=r"units\[1\]: expected a positive integer, got 0"):
        models.param_count("LSTM", [3, 0], 2)
    with pytest.raises(ValueError, match=r"outputs: expected a positive integer, got 0"):
        models.param_count("GRU", 3, 2, outputs=0)


# --- shared conventions: seeds, heads, compiling ---------------------------------------------------


BUILDERS = {
    "seq2seq": lambda **kw: models.seq2seq_model(None, 2, 4, **kw),
    "seq2vec": lambda **kw: models.seq2vec_model(None, 2, 4, **kw),
    "vec2seq": lambda **kw: models.vec2seq_model(3, 5, 4, **kw),
    "encoder_decoder": lambda **kw: models.encoder_decoder_model(None, 2, 3, 4, **kw),
    "stacked": lambda **kw: models.build_stacked_rnn((None, 2), (4, 3), **kw),
    "forecaster": lambda **kw: models.build_forecaster("deep", units=4, **kw),
    "cell": lambda **kw: models.build_cell_model("LSTM", 4, 2, **kw),
    "char": lambda **kw: models.build_char_model(6, units=4, embed_dim=3, **kw),
    "feedback": lambda **kw: models.feedback_model(5, 4, **kw).train,
}


@pytest.mark.parametrize("name", BUILDERS)
def test_an_integer_seed_gives_the_same_weights_and_none_uses_the_global_seed(name):
    build = BUILDERS[name]
    a, b, c = (build(seed=s).get_weights() for s in (3, 3, 4))
    for wa, wb in zip(a, b, strict=True):
        np.testing.assert_array_equal(wa, wb)
    assert not all(np.array_equal(wa, wc) for wa, wc in zip(a, c, strict=True))
    keras.utils.set_random_seed(5)
    d = build().get_weights()
    keras.utils.set_random_seed(5)
    e = build(seed=None).get_weights()
    for wd, we in zip(d, e, strict=True):
        np.testing.assert_array_equal(wd, we)


@pytest.mark.parametrize("name", [n for n in BUILDERS if n not in ("char", "feedback")])
def test_outputs_none_leaves_out_the_head(name):
    model = BUILDERS[name](outputs=None)
    assert isinstance(model.layers[-1], keras.layers.RNN)
    assert not any(isinstance(layer, keras.layers.Dense) for layer in model.layers)


def test_compiling_uses_keras_defaults_unless_told_otherwise():
    assert not BUILDERS["stacked"]().compiled  # structural builders: uncompiled by default
    forecaster = BUILDERS["forecaster"]()
    assert isinstance(forecaster.optimizer, keras.optimizers.Adam)
    assert float(forecaster.optimizer.learning_rate) == pytest.approx(1e-3)  # Keras' own default
    fast = models.build_forecaster(units=3, learning_rate=1e-2)
    assert float(fast.optimizer.learning_rate) == pytest.approx(1e-2)
    assert not models.build_forecaster(units=3, compile=False).compiled
    with_metrics = models.build_stacked_rnn(
        (None, 1), (3,), compile=True, loss="mae", compile_kwargs={"metrics": ["mse"]}
    )
    history = with_metrics.fit(np.zeros((4, 5, 1)), np.zeros((4, 1)), epochs=1, verbose=0)
    assert {"loss", "mse"} <= set(history.history)
    assert with_metrics.loss == "mae"
    sgd = models.seq2vec_model(
        None, 1, 2, compile=True, compile_kwargs={"optimizer": keras.optimizers.SGD(0.1)}
    )
    assert isinstance(sgd.optimizer, keras.optimizers.SGD)
    char = models.build_char_model(5, units=3, embed_dim=2)
    assert isinstance(char.loss, keras.losses.SparseCategoricalCrossentropy)
    assert not BUILDERS["feedback"]().compiled
    feedback = models.feedback_model(5, 3, compile=True, learning_rate=5e-3)
    assert feedback.train.loss == "sparse_categorical_crossentropy"
    assert float(feedback.train.optimizer.learning_rate) == pytest.approx(5e-3)


def test_compile_options_are_checked():
    with pytest.raises(
        ValueError,
        match=r"learning_rate: expected None \(used only with compile=True\), got float 0.01",
    ):
        models.build_stacked_rnn((None, 1), (3,), learning_rate=1e-2)
    with pytest.raises(
        ValueError,
        match=r"learning_rate: expected None \(compile_kwargs has an optimizer\), got float",
    ):
        models.build_forecaster(
            units=3, learning_rate=1e-2, compile_kwargs={"optimizer": keras.optimizers.SGD()}
        )
    with pytest.raises(ValueError, match=r"learning_rate: expected a finite number > 0, got -1.0"):
        models.build_char_model(5, learning_rate=-1.0)
    with pytest.raises(TypeError, match=r"compile: expected True or False, got str 'yes'"):
        models.build_cell_model("GRU", 3, 2, compile="yes")
    with pytest.raises(ValueError, match=r"seed: expected a non-negative integer or None, got -2"):
        models.seq2seq_model(None, 1, seed=-2)


def test_builders_take_either_spelling_of_a_cell():
    a = models.build_cell_model("lstm", 3, 2, seed=0)
    b = models.build_cell_model("LSTM", 3, 2, seed=0)
    assert (
        [layer.name for layer in a.layers]
        == [layer.name for layer in b.layers]
        == ["lstm", "readout"]
    )
    assert models.param_count("gru", 3, 2) == models.param_count("GRU", 3, 2)
