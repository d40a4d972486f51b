"""The course's own Keras layers and callbacks, each defined once at module level.

This module imports Keras when it is imported, so only code that already uses Keras imports it (the
builders in :mod:`course_utils.models` import it inside the functions that need it); ``import
course_utils`` and the NumPy modules stay free of TensorFlow. Every layer is registered with
``keras.saving.register_keras_serializable(package="course_utils")`` and has a ``get_config``, so a model
that uses it saves with ``model.save("m.keras")`` and loads with ``keras.models.load_model`` (after
``import course_utils.layers``).

- :class:`LayerNormSimpleRNNCell`: ``h(t) = tanh(LayerNorm(x(t) Wx + h(t-1) Wh))``, the Keras twin of
  :func:`course_utils.deep.layer_norm_rnn_forward`; wrap it in ``keras.layers.RNN``.
- :class:`LastStep`: ``(N, T, H) -> (N, H)``, the state at the last time step.
- :class:`EpochClock`: a callback that times every epoch, records the validation MSE and can stop
  training once it is below a target (the long-lag experiment, :mod:`course_utils.longlag`). Keras does
  not save callbacks with a model, so it is not registered for serialisation.
"""

from __future__ import annotations

import time
from typing import Any

import keras
import numpy as np
from keras import ops

__all__ = ["EpochClock", "LastStep", "LayerNormSimpleRNNCell"]


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
        self.layer_norm = keras.layers.LayerNormalization(epsilon=epsilon, name="layer_norm")

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
class LastStep(keras.layers.Layer):
    """(N, T, H) -> (N, H): the state at the last time step."""

    def call(self, inputs: Any) -> Any:
        return inputs[:, -1, :]

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0], input_shape[2])

    def get_config(self) -> dict[str, Any]:
        return super().get_config()


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
