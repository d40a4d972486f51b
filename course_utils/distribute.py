"""Distributing a deep RNN over several devices: data parallelism and model parallelism.

Notebook 05, section 5 (lecture part *Deep RNNs*, "distributing across devices"). Two ways to use K devices:

- **Data parallelism** (``tf.distribute.MirroredStrategy``): every device holds a copy (*replica*) of the
  whole model and gets ``N / K`` of each global batch of N examples; the gradients are summed across
  replicas before every update, so one step on the global batch is the step one device would take on the
  same N examples. :func:`mirrored_step` checks exactly that.
- **Model parallelism** (``tf.device``): every layer of the stack lives on its own device, and layer ``l``
  sends its state sequence ``(N, T, H_l)`` up to the device of layer ``l + 1``. Unrolled over time, layer
  ``l + 1`` can compute step ``t`` while layer ``l`` computes step ``t + 1``: the layers pipeline along time.
  :func:`build_layer_per_device_rnn` builds such a stack and :func:`placement` says where its variables and
  operations live.

Both need at least two devices. :func:`devices` returns the first two GPUs when there are two, and
otherwise splits the CPU into two *logical* devices (``tf.config.set_logical_device_configuration``), so
the same code runs, with the same results, on a laptop. TensorFlow fixes its devices when it runs its first
operation, so :func:`devices` must be called before that (right after ``runtime.setup()``, which only lists
the physical devices).

All arrays are batch-first: ``x (N, T, D)``, targets ``(N, O)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .validation import (
    check_array,
    check_int,
    check_positive,
    check_positive_int,
    check_sequence,
    check_string,
)

__all__ = [
    "MirroredStep",
    "Placement",
    "build_layer_per_device_rnn",
    "device_index",
    "devices",
    "mirrored_step",
    "placement",
]


def devices(count: int = 2) -> tuple[str, ...]:
    """``count`` devices to distribute over: GPUs when there are enough, else logical CPUs.

    With at least ``count`` GPUs the first ``count`` are used. Otherwise the one physical CPU is split into
    ``count`` logical CPU devices that share its cores (the work still runs, just not faster); calling
    again returns the same devices.

    Must run before TensorFlow's first operation: TensorFlow fixes its logical devices then.

    Args:
        count: how many devices (at least 1).

    Returns:
        Device names, e.g. ``("/device:CPU:0", "/device:CPU:1")`` or ``("/device:GPU:0", "/device:GPU:1")``.

    Raises:
        RuntimeError: TensorFlow already initialised its devices with fewer than ``count`` CPUs.
    """
    import tensorflow as tf

    count = check_positive_int(count, "count")
    gpus = tf.config.list_physical_devices("GPU")  # lists only: does not initialise the devices
    if len(gpus) >= count:
        return tuple(f"/device:GPU:{i}" for i in range(count))
    cpu = tf.config.list_physical_devices("CPU")[0]
    config = tf.config.get_logical_device_configuration(cpu)
    if config is None or len(config) < count:
        try:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)]
            )
        except RuntimeError as exc:
            raise RuntimeError(
                f"count: expected to split the CPU into {count} logical devices, but TensorFlow has "
                "already run an operation and fixed its devices; call distribute.devices() before any "
                "TensorFlow work (restart the kernel and run the cells from the top)"
            ) from exc
    return tuple(f"/device:CPU:{i}" for i in range(count))


def device_index(name: str, choices: Sequence[str]) -> int | None:
    """Position in ``choices`` of the device ``name`` (full or short form), None when it is not there.

    >>> device_index("/job:localhost/replica:0/task:0/device:CPU:1", ["/device:CPU:0", "/device:CPU:1"])
    1
    >>> device_index("/device:GPU:0", ["/device:CPU:0"]) is None
    True
    """
    import tensorflow as tf

    def key(device: str) -> tuple[str, int]:
        spec = tf.DeviceSpec.from_string(device)
        return (spec.device_type or "").upper(), int(spec.device_index or 0)

    wanted = key(name)
    for i, choice in enumerate(choices):
        if key(choice) == wanted:
            return i
    return None


# --------------------------------------------------------------------------------------------------
# Data parallelism: MirroredStrategy
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MirroredStep:
    """What :func:`mirrored_step` found."""

    replicas: int  # strategy.num_replicas_in_sync
    replica_devices: tuple[str, ...]  # where each replica runs
    examples_per_replica: tuple[int, ...]  # how many of the global batch each replica got
    copies_per_variable: int  # devices holding a copy of every variable (a MirroredVariable)
    global_batch: int  # examples in the one step
    update_difference: (
        float  # max |mirrored update - single-device update| / max |single-device update|
    )
    half_batch_difference: float  # the same for a step on the first replica's examples only


def _flat(weights: Sequence[np.ndarray]) -> np.ndarray:
    return np.concatenate([np.asarray(w, dtype=np.float64).ravel() for w in weights])


def _sgd_update(
    model: Any, x: np.ndarray, y: np.ndarray, learning_rate: float, scope: Any
) -> np.ndarray:
    """One plain SGD step of ``model`` on all of ``(x, y)``; the change of every weight, flattened."""
    import keras

    before = _flat(model.get_weights())
    with scope:  # the optimizer's variables are created where the model's are
        model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="mse")
    model.fit(x, y, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    return _flat(model.get_weights()) - before


def mirrored_step(
    build_model: Callable[[], Any],
    x: np.ndarray,
    y: np.ndarray,
    device_names: Sequence[str],
    *,
    learning_rate: float = 0.1,
) -> MirroredStep:
    """One SGD step under ``MirroredStrategy(device_names)`` against the same step on one device.

    Three copies of the model start from the same weights: one trained under the strategy (each replica
    gets ``N / replicas`` examples, the gradients are summed across replicas), one on the first device
    alone on all ``N`` examples, and one on the first device on the first replica's examples only. Plain
    SGD makes the update ``-learning_rate * gradient``, so a gradient that was not averaged over the global
    batch (or counted a replica twice) would show; Adam's first step, about ``-learning_rate *
    sign(gradient)``, would hide it.

    Args:
        build_model: no-argument function returning an uncompiled Keras model.
        x: inputs of shape (N, T, D); N must be a multiple of the number of devices.
        y: targets of shape (N, O).
        device_names: the devices, e.g. from :func:`devices`.
        learning_rate: SGD's learning rate.

    Returns:
        A :class:`MirroredStep`.
    """
    import tensorflow as tf

    dims: dict[str, int] = {}
    x = check_array(x, "x", "N,T,D", dims, dtype=np.float32)
    y = check_array(y, "y", "N,O", dims, dtype=np.float32)
    names = _check_devices(device_names)
    check_int(
        dims["N"],
        "x",
        multiple_of=len(names),
        what="number of examples",
        hint="an equal share per device",
    )
    learning_rate = check_positive(learning_rate, "learning_rate")

    with tf.device(names[0]):
        single = build_model()
        start = single.get_weights()
        half = build_model()
        half.set_weights(start)
    strategy = tf.distribute.MirroredStrategy(list(names))
    with strategy.scope():
        mirrored = build_model()
        mirrored.set_weights(start)
    replicas = int(strategy.num_replicas_in_sync)
    per_replica = dims["N"] // replicas

    batch = tf.data.Dataset.from_tensor_slices(x).batch(dims["N"])
    first = next(iter(strategy.experimental_distribute_dataset(batch)))
    examples = tuple(int(t.shape[0]) for t in strategy.experimental_local_results(first))
    copies = min(len(getattr(v.value, "values", (v.value,))) for v in mirrored.trainable_variables)

    single_update = _sgd_update(single, x, y, learning_rate, tf.device(names[0]))
    half_update = _sgd_update(
        half, x[:per_replica], y[:per_replica], learning_rate, tf.device(names[0])
    )
    mirrored_update = _sgd_update(mirrored, x, y, learning_rate, strategy.scope())
    scale = float(np.max(np.abs(single_update)))
    return MirroredStep(
        replicas=replicas,
        replica_devices=tuple(strategy.extended.worker_devices),
        examples_per_replica=examples,
        copies_per_variable=int(copies),
        global_batch=dims["N"],
        update_difference=float(np.max(np.abs(mirrored_update - single_update))) / scale,
        half_batch_difference=float(np.max(np.abs(half_update - single_update))) / scale,
    )


def _check_devices(device_names: Sequence[str], length: int | None = None) -> tuple[str, ...]:
    """The device names as a tuple; ``length`` of them (one per layer) when given."""
    names = check_sequence(
        device_names,
        "device_names",
        what="device names",
        length=length,
        min_length=1,
        hint="such as ['/device:CPU:0', '/device:CPU:1']" if length is None else "one per layer",
    )
    return tuple(
        check_string(n, f"device_names[{i}]", what="a device name") for i, n in enumerate(names)
    )


# --------------------------------------------------------------------------------------------------
# Model parallelism: one layer per device
# --------------------------------------------------------------------------------------------------


def build_layer_per_device_rnn(
    input_shape: tuple[int | None, int],
    units: Sequence[int],
    device_names: Sequence[str],
    *,
    outputs: int = 1,
    unroll: bool = True,
) -> Any:
    """A SimpleRNN stack with one layer per device, then ``Dense(outputs)`` on the top layer's last state.

    The same architecture as ``models.build_stacked_rnn(input_shape, units, outputs=outputs)`` (and the same
    order of weights, so ``model.set_weights(stacked.get_weights())`` transplants them), but layer ``l`` is
    built and run under ``tf.device(device_names[l])``; the head sits with the top layer. With
    ``unroll=True`` every time step is its own operation, so layer ``l + 1`` can start on step ``t`` as
    soon as layer ``l`` has finished it: the devices work along time like a pipeline.

    Args:
        input_shape: ``(T, D)``; T may be None.
        units: H_l of each layer, bottom first; one device per layer.
        device_names: one device per layer, e.g. from :func:`devices`.
        outputs: size of the dense head.
        unroll: unroll the loop over time (needs a fixed T).

    Returns:
        A built, uncompiled :class:`course_utils.layers.LayerPerDeviceRNN` (a ``keras.Model``, registered for
        saving) mapping (N, T, D) to (N, outputs).
    """
    input_shape = check_sequence(input_shape, "input_shape", what="sizes (T, D)", length=2)
    d_in = check_positive_int(input_shape[1], "input_shape[1] (D)")
    units = check_sequence(units, "units", what="layer sizes", min_length=1)
    sizes = [check_positive_int(u, f"units[{i}]") for i, u in enumerate(units)]
    names = _check_devices(device_names, len(sizes))
    if unroll and input_shape[0] is None:
        raise ValueError("input_shape: unroll=True needs a fixed number of steps T, got None")
    from .layers import LayerPerDeviceRNN

    model = LayerPerDeviceRNN(
        sizes, names, check_positive_int(outputs, "outputs"), bool(unroll), name="layer_per_device"
    )
    model.build((None, input_shape[0], d_in))
    return model


@dataclass(frozen=True)
class Placement:
    """Where the variables and operations of one layer live (device names as TensorFlow reports them)."""

    layer: str  # the layer's name
    variables: tuple[str, ...]  # distinct devices of its variables
    operations: tuple[str, ...]  # distinct devices its operations ask for in the traced graph
    n_operations: int  # operations with a device request (variable reads follow their variable)


def placement(model: Any, input_shape: tuple[int | None, int]) -> list[Placement]:
    """Where each layer of ``model`` keeps its variables and runs its operations.

    The model's forward pass is traced into a TensorFlow graph (``tf.function``); every operation created
    inside a layer carries the device that layer's ``tf.device`` scope asked for. Reads of a variable and
    the graph's inputs ask for no device (TensorFlow runs them where the variable lives), so they are left
    out.

    Args:
        model: a built Keras model (e.g. from :func:`build_layer_per_device_rnn`).
        input_shape: ``(T, D)`` of its inputs.

    Returns:
        One :class:`Placement` per layer that has weights, in the model's order.
    """
    import tensorflow as tf

    input_shape = check_sequence(input_shape, "input_shape", what="sizes (T, D)", length=2)
    layers = [layer for layer in _sublayers(model) if layer.weights]
    spec = tf.TensorSpec((None, *input_shape), tf.float32)
    graph = tf.function(lambda x: model(x, training=False)).get_concrete_function(spec).graph
    patterns = {layer.name: re.compile(rf"^{re.escape(layer.name)}(_\d+)?$") for layer in layers}
    ops: dict[str, list[str]] = {layer.name: [] for layer in layers}
    for op in graph.get_operations():
        if not op.device:
            continue
        for part in op.name.split("/"):
            owner = next((name for name, p in patterns.items() if p.match(part)), None)
            if owner is not None:
                ops[owner].append(op.device)
                break
    return [
        Placement(
            layer=layer.name,
            variables=tuple(sorted({v.value.device for v in layer.weights})),
            operations=tuple(sorted(set(ops[layer.name]))),
            n_operations=len(ops[layer.name]),
        )
        for layer in layers
    ]


def _sublayers(model: Any) -> list[Any]:
    explicit = getattr(model, "rnn_layers", None)
    if explicit is not None:
        return [*explicit, model.head]
    return list(model.layers)
