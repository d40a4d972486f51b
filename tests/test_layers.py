"""Tests for course_utils.layers: every custom layer saves to a .keras file and loads back unchanged."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from course_utils import layers, models  # noqa: E402


def layer_norm_model():
    return models.build_stacked_rnn((None, 3), (4,), layer_norm=True, seed=1)


def last_step_model():
    model = models.build_stacked_rnn((None, 3), (4, 4), residual=True, seed=2)
    assert isinstance(model.get_layer("last_step"), layers.LastStep)
    return model


def cell_in_rnn_model():
    inputs = keras.Input((None, 2))
    cell = layers.LayerNormSimpleRNNCell(
        5, epsilon=1e-2, kernel_initializer=keras.initializers.GlorotUniform(seed=3)
    )
    return keras.Model(inputs, keras.layers.RNN(cell, return_sequences=True)(inputs))


def peephole_model():
    inputs = keras.Input((None, 2))
    cell = layers.PeepholeLSTMCell(4, peephole_initializer="random_normal")
    return keras.Model(inputs, keras.layers.RNN(cell, return_sequences=True)(inputs))


def layer_per_device_model():
    from course_utils import distribute

    model = distribute.build_layer_per_device_rnn((6, 3), (4, 3), ["/device:CPU:0"] * 2, outputs=2)
    assert isinstance(model, layers.LayerPerDeviceRNN)
    return model


@pytest.mark.parametrize(
    "build",
    [layer_norm_model, last_step_model, cell_in_rnn_model, peephole_model, layer_per_device_model],
)
def test_a_model_with_each_custom_layer_round_trips_through_a_keras_file(build, tmp_path):
    model = build()
    # a subclassed model (LayerPerDeviceRNN) has no input_shape: its input is (N, 6, 3)
    features = model.input_shape[-1] if getattr(model, "inputs", None) else 3
    x = np.random.default_rng(0).normal(size=(2, 6, features)).astype(np.float32)
    before = np.asarray(model.predict(x, verbose=0))
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(np.asarray(loaded.predict(x, verbose=0)), before)
    assert type(loaded) is type(model)
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]


def test_every_custom_layer_is_registered_with_its_config():
    for cls in (
        layers.LayerNormSimpleRNNCell,
        layers.PeepholeLSTMCell,
        layers.LastStep,
        layers.LayerPerDeviceRNN,
    ):
        name = keras.saving.get_registered_name(cls)
        assert name == f"course_utils>{cls.__name__}"
        assert keras.saving.get_registered_object(name) is cls
    cell = layers.LayerNormSimpleRNNCell(3, epsilon=0.5)
    config = cell.get_config()
    assert config["units"] == 3 and config["epsilon"] == 0.5
    assert layers.LayerNormSimpleRNNCell.from_config(config).get_config() == config
    cell = layers.PeepholeLSTMCell(3, peephole_initializer="ones")
    config = cell.get_config()
    assert config["units"] == 3 and cell.state_size == [3, 3]
    assert layers.PeepholeLSTMCell.from_config(config).get_config() == config
    model = layers.LayerPerDeviceRNN((4, 3), ("/device:CPU:0", "/device:CPU:0"), 2, False)
    config = model.get_config()
    assert config["units"] == [4, 3] and config["outputs"] == 2 and config["unroll"] is False
    assert layers.LayerPerDeviceRNN.from_config(config).get_config() == config


def test_epoch_clock_records_every_epoch_and_stops_at_the_target():
    model = models.build_cell_model("SimpleRNN", 2, 1, seed=0, compile=True)
    x, y = np.zeros((8, 3, 1), np.float32), np.zeros((8, 1), np.float32)
    clock = layers.EpochClock(x, y, target=1e9, stop=True)
    model.fit(x, y, epochs=5, verbose=0, callbacks=[clock])
    assert clock.epoch_reached == 1 and len(clock.val_mse) == len(clock.durations) == 1
    assert clock.seconds_reached == pytest.approx(sum(clock.durations))


def test_layer_norm_cell_keeps_its_dtype_for_gamma_and_beta():
    # under the default float32 policy, a float64 cell must not get a float32 layer norm inside
    import keras

    from course_utils.layers import LayerNormSimpleRNNCell

    assert keras.config.dtype_policy().name == "float32"
    layer = keras.layers.RNN(LayerNormSimpleRNNCell(4, dtype="float64"), dtype="float64")
    layer.build((None, 3, 2))
    assert {str(w.dtype) for w in layer.weights} == {"float64"}, [w.dtype for w in layer.weights]
