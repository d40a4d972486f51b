"""The course's own Keras layers and callbacks, each defined once at module level.

This module imports Keras when it is imported, so only code that already uses Keras imports it (the
builders in :mod:`course_utils.models` import it inside the functions that need it); ``import
course_utils`` and the NumPy modules stay free of TensorFlow. Every layer is registered with
``keras.saving.register_keras_serializable(package="course_utils")`` and has a ``get_config``, so a model
that uses it saves with ``model.save("m.keras")`` and loads with ``keras.models.load_model`` (after
``import course_utils.layers``).

- :class:`LayerNormSimpleRNNCell`: ``h(t) = tanh(LayerNorm(x(t) Wx + h(t-1) Wh))``, the Keras twin of
  :func:`course_utils.deep.layer_norm_rnn_forward`; wrap it in ``keras.layers.RNN``.
- :class:`PeepholeLSTMCell`: an LSTM cell with peepholes, the Keras twin of
  ``reference.lstm_forward(..., peephole=P)``; wrap it in ``keras.layers.RNN``.
- :class:`LastStep`: ``(N, T, H) -> (N, H)``, the state at the last time step.
- :class:`LayerPerDeviceRNN`: a SimpleRNN stack (a ``keras.Model``) whose layer ``l`` lives on its own
  device, built by :func:`course_utils.distribute.build_layer_per_device_rnn`.
- :class:`EpochClock`: a callback that times every epoch, records the validation MSE and can stop
  training once it is below a target (the long-lag experiment, :mod:`course_utils.longlag`). Keras does
  not save callbacks with a model, so it is not registered for serialisation.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from .validation import check_positive_int

__all__ = [
    "EpochClock",
    "LastStep",
    "LayerNormSimpleRNNCell",
    "LayerPerDeviceRNN",
    "PeepholeLSTMCell",
]


@keras.saving.register_keras_serializable(package="course_utils")
class LayerNormSimpleRNNCell(keras.layers.Layer):
    """``h(t) = tanh(LayerNorm(x(t) Wx + h(t-1) Wh))`` for inputs ``x(t)`` (N, D) and states (N, H).

    Weights ``kernel`` (D, H), ``recurrent_kernel`` (H, H) and the layer norm's ``gamma``/``beta`` (H,).
    Wrap in ``keras.layers.RNN`` to run it over ``(N, T, D)``.
    """

    def __init__(
        self,
        units: int,
        epsilon: float = 1e-3,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.units = units
        self.epsilon = epsilon
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.state_size = units
        self.output_size = units
        # the cell's own dtype policy, not Keras' global one: a float64 cell gets a float64 gamma and beta
        self.layer_norm = keras.layers.LayerNormalization(
            epsilon=epsilon, name="layer_norm", dtype=self.dtype_policy
        )

    def build(self, input_shape: tuple) -> None:
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units),
            initializer=self.kernel_initializer,
            name="kernel",
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units),
            initializer=self.recurrent_initializer,
            name="recurrent_kernel",
        )
        self.layer_norm.build((None, self.units))
        self.built = True

    def call(self, inputs: Any, states: Any, training: bool = False) -> tuple[Any, list[Any]]:
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        # (N, H) summed inputs, then normalised over the H units
        z = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel)
        h = ops.tanh(self.layer_norm(z))
        return h, [h]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "epsilon": self.epsilon,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
        }


@keras.saving.register_keras_serializable(package="course_utils")
class PeepholeLSTMCell(keras.layers.Layer):
    """LSTM cell with peepholes, the Keras twin of ``reference.lstm_forward(..., peephole=...)``.

    Weights: ``kernel (D, 4H)``, ``recurrent_kernel (H, 4H)``, ``bias (4H,)`` (gates i, f, c, o, as in
    ``keras.layers.LSTMCell``) and ``peephole (3, H)`` (rows p_i, p_f, p_o). Keras 3 has no peephole
    layer: ``keras.layers.RNN(PeepholeLSTMCell(8), return_sequences=True)`` computes exactly what
    ``lstm_forward(x, h0, Wx, Wh, b, c0=c0, peephole=P)`` does (``reference.from_keras`` reads its weights).
    Extra keyword arguments go to ``keras.layers.Layer`` (``dtype="float64"``, ``name=...``).
    """

    def __init__(self, units: int, peephole_initializer: Any = "zeros", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = check_positive_int(units, "units")
        self.state_size = [self.units, self.units]
        self.output_size = self.units
        self.peephole_initializer = keras.initializers.get(peephole_initializer)

    def build(self, input_shape: Any) -> None:
        d, h = input_shape[-1], self.units
        self.kernel = self.add_weight(shape=(d, 4 * h), initializer="glorot_uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=(h, 4 * h), initializer="orthogonal", name="recurrent_kernel"
        )
        self.bias = self.add_weight(shape=(4 * h,), initializer="zeros", name="bias")
        self.peephole = self.add_weight(
            shape=(3, h), initializer=self.peephole_initializer, name="peephole"
        )
        self.built = True

    def call(self, inputs: Any, states: Any, training: bool = False) -> Any:
        h_prev, c_prev = states[0], states[1]  # (N, H) each
        a = ops.matmul(inputs, self.kernel) + ops.matmul(h_prev, self.recurrent_kernel) + self.bias
        a_i, a_f, a_g, a_o = ops.split(a, 4, axis=-1)
        i = ops.sigmoid(a_i + self.peephole[0] * c_prev)
        f = ops.sigmoid(a_f + self.peephole[1] * c_prev)
        c = f * c_prev + i * ops.tanh(a_g)
        o = ops.sigmoid(a_o + self.peephole[2] * c)
        h = o * ops.tanh(c)
        return h, [h, c]

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "peephole_initializer": keras.initializers.serialize(self.peephole_initializer),
        }


@keras.saving.register_keras_serializable(package="course_utils")
class LastStep(keras.layers.Layer):
    """(N, T, H) -> (N, H): the state at the last time step."""

    def call(self, inputs: Any) -> Any:
        return inputs[:, -1, :]

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0], input_shape[2])

    def get_config(self) -> dict[str, Any]:
        return super().get_config()


@keras.saving.register_keras_serializable(package="course_utils")
class LayerPerDeviceRNN(keras.Model):
    """A SimpleRNN stack whose layer ``l`` (variables and operations) lives on ``layer_devices[l]``, then
    ``Dense(outputs)`` (named ``"head"``, with the top layer) on the top layer's last state.

    Build it with :func:`course_utils.distribute.build_layer_per_device_rnn`, which checks the arguments.
    """

    def __init__(
        self,
        units: Sequence[int],
        layer_devices: Sequence[str],
        outputs: int,
        unroll: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.units = tuple(int(h) for h in units)
        self.layer_devices = tuple(layer_devices)
        self.outputs = int(outputs)
        self.unroll = bool(unroll)
        depth = len(self.units)
        self.rnn_layers = [
            keras.layers.SimpleRNN(
                h, return_sequences=i < depth - 1, unroll=self.unroll, name=f"simple_rnn_{i + 1}"
            )
            for i, h in enumerate(self.units)
        ]
        self.head = keras.layers.Dense(self.outputs, name="head")

    def build(self, input_shape: tuple) -> None:
        # Variables are created where the layer is built: build each under its own device.
        shape = tuple(input_shape)
        for layer, device in zip(self.rnn_layers, self.layer_devices):
            with tf.device(device):
                layer.build(shape)
            shape = layer.compute_output_shape(shape)
        with tf.device(self.layer_devices[-1]):
            self.head.build(shape)
        self.built = True

    def call(self, x: Any) -> Any:
        h = x  # (N, T, D)
        for layer, device in zip(self.rnn_layers, self.layer_devices):
            with tf.device(device):  # layer l's operations run on its device
                h = layer(h)  # (N, T, H_l), the last layer (N, H_L)
        with tf.device(self.layer_devices[-1]):
            return self.head(h)  # (N, outputs)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": list(self.units),
            "layer_devices": list(self.layer_devices),
            "outputs": self.outputs,
            "unroll": self.unroll,
        }


class EpochClock(keras.callbacks.Callback):
    """Time every epoch, evaluate the validation MSE on ``(x_val (N, T, D), y_val (N, 1))`` after it, and
    stop training once the MSE is below ``target`` (if ``stop``).

    After training: ``durations`` and ``val_mse`` (one entry per epoch), ``epoch_reached`` (first 1-based
    epoch below the target, or None) and ``seconds_reached`` (training time up to that epoch's end).
    """

    def __init__(self, x_val: np.ndarray, y_val: np.ndarray, target: float, stop: bool) -> None:
        super().__init__()
        self.x_val, self.y_val = x_val, y_val
        self.target, self.stop = float(target), bool(stop)
        self.durations: list[float] = []
        self.val_mse: list[float] = []
        self.epoch_reached: int | None = None
        self.seconds_reached: float | None = None
        self._start = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        mse = float(
            self.model.evaluate(self.x_val, self.y_val, batch_size=len(self.x_val), verbose=0)
        )
        self.durations.append(time.perf_counter() - self._start)
        self.val_mse.append(mse)
        if self.epoch_reached is None and mse < self.target:
            self.epoch_reached = epoch + 1
            self.seconds_reached = float(sum(self.durations))
            if self.stop:
                self.model.stop_training = True
