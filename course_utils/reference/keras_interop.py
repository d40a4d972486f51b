"""Moving weights between Keras recurrent layers and the NumPy reference cells.

``from_keras(layer)`` reads ``Wx``, ``Wh``, ``b`` (Keras' kernel, recurrent_kernel, bias — the same
layouts, so nothing is transposed or reordered) from a built ``SimpleRNN``, ``LSTM``, ``GRU`` (adds
``reset_after``) or ``RNN(layers.PeepholeLSTMCell(...))`` (adds ``peephole``; the cell is in
:mod:`course_utils.layers`) layer, or from the cell itself;
``to_keras(layer, params)`` writes them back. Keras is imported lazily, inside these functions, so the
NumPy cells work on machines without TensorFlow.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..validation import check_array, check_choice, check_keys, check_setting

__all__ = ["from_keras", "keras_forward_backward", "to_keras"]


def _cell(layer: Any) -> Any:
    cell = getattr(layer, "cell", layer)  # a layer wraps its cell; a bare cell is its own cell
    check_setting(cell, "layer", "built", True, "call it on data or build it first", missing=False)
    return cell


_FAMILIES = (
    "SimpleRNN",
    "LSTM",
    "GRU",
)  # Keras' recurrent cells, by the start of their class names


def _kind(cell: Any) -> str:
    if hasattr(cell, "peephole"):
        return "peephole"
    if hasattr(cell, "reset_after"):
        return "gru"
    name = type(cell).__name__
    family = next((f for f in _FAMILIES if f in name), name)
    check_choice(family, "layer", _FAMILIES)
    return {"SimpleRNN": "rnn", "LSTM": "lstm", "GRU": "gru"}[family]


def _check_cell_config(cell: Any, kind: str) -> None:
    """The reference cells use Keras' default activations; refuse layers that changed them."""
    import keras

    wanted = {"activation": keras.activations.tanh}
    if kind != "rnn":
        wanted["recurrent_activation"] = keras.activations.sigmoid
    for attr, fn in wanted.items():
        # the peephole cell has no such settings: its activations are the reference ones
        check_setting(cell, "layer", attr, fn, "the reference cells' choice", missing=fn)
    check_setting(
        cell, "layer", "use_bias", True, "the reference cells always have a bias", missing=True
    )


def from_keras(layer: Any) -> dict[str, Any]:
    """The weights of a built Keras recurrent layer (or cell) as NumPy arrays in the reference layouts.

    Returns:
        ``{"Wx": (D, kH), "Wh": (H, kH), "b": ...}`` with ``k`` = 1 (SimpleRNN), 4 (LSTM, gates i, f, c, o)
        or 3 (GRU, gates z, r, h). GRU adds ``"reset_after"`` (``b`` is ``(2, 3H)`` when True, ``(3H,)``
        otherwise); a peephole LSTM adds ``"peephole"`` ``(3, H)``. Pass them on as keyword arguments:
        ``ref.gru_forward(x, h0, **ref.from_keras(layer))``.
    """
    cell = _cell(layer)
    kind = _kind(cell)
    _check_cell_config(cell, kind)
    params: dict[str, Any] = {
        "Wx": np.array(cell.kernel.numpy()),
        "Wh": np.array(cell.recurrent_kernel.numpy()),
        "b": np.array(cell.bias.numpy()),
    }
    if kind == "gru":
        params["reset_after"] = bool(cell.reset_after)
    if kind == "peephole":
        params["peephole"] = np.array(cell.peephole.numpy())
    return params


def to_keras(layer: Any, params: dict[str, Any]) -> None:
    """Write ``params`` (as returned by :func:`from_keras`) into a built Keras layer of the same shapes."""
    cell = _cell(layer)
    kind = _kind(cell)
    if kind == "gru" and "reset_after" in params:
        check_setting(params, "params", "reset_after", bool(cell.reset_after), "the layer's")
    names = [("Wx", "kernel"), ("Wh", "recurrent_kernel"), ("b", "bias")]
    if kind == "peephole":
        names.append(("peephole", "peephole"))
    check_keys(params, "params", [key for key, _ in names])
    for key, attr in names:
        var = getattr(cell, attr)
        value = check_array(params[key], key, ",".join(str(s) for s in var.shape))
        var.assign(value.astype(var.dtype))


def keras_forward_backward(
    layer: Any,
    x: np.ndarray,
    initial_state: list[np.ndarray],
    dh: np.ndarray,
    mask: np.ndarray | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Run a Keras recurrent layer and backpropagate ``dh`` with ``tf.GradientTape``: the Keras side of the
    equivalence proofs, the twin of ``*_forward`` followed by ``*_backward``.

    Args:
        layer: a Keras recurrent layer with ``return_sequences=True`` (built or not).
        x: inputs ``(N, T, D)``; initial_state: ``[h0]`` or ``[h0, c0]`` (LSTM), each ``(N, H)``.
        dh: upstream gradient of the layer's output ``(N, T, H)``: the loss is ``sum(dh * output)``.
        mask: optional ``(N, T)`` booleans passed to the layer.

    Returns:
        ``(h, grads)``: the layer's output ``(N, T, H)`` and a dict with ``"x"``, ``"h0"`` (``"c0"``),
        ``"Wx"``, ``"Wh"``, ``"b"`` (and ``"peephole"``) as NumPy arrays.
    """
    import tensorflow as tf

    check_setting(layer, "layer", "return_sequences", True, missing=False)
    xs = tf.constant(x)
    states = [tf.constant(s) for s in initial_state]
    if not layer.built:
        layer(xs, initial_state=states)
    cell = _cell(layer)
    names = [("Wx", "kernel"), ("Wh", "recurrent_kernel"), ("b", "bias")]
    if _kind(cell) == "peephole":
        names.append(("peephole", "peephole"))
    variables = [getattr(cell, attr) for _, attr in names]
    with tf.GradientTape() as tape:
        tape.watch(xs)
        tape.watch(states)
        out = layer(xs, initial_state=states, mask=None if mask is None else tf.constant(mask))
        if isinstance(out, (list, tuple)):  # return_state=True
            out = out[0]
        loss = tf.reduce_sum(out * tf.constant(dh, dtype=out.dtype))
    grads = tape.gradient(loss, [xs, *states, *variables])
    keys = ["x", "h0", "c0"][: 1 + len(states)] + [key for key, _ in names]
    return out.numpy(), {key: np.asarray(g) for key, g in zip(keys, grads)}
