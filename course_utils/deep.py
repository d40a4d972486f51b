"""Deep RNNs: stacks of recurrent layers in NumPy and Keras, their regularisation and distribution.

Notebook 05 (lecture part *Deep RNNs*). A deep RNN stacks L recurrent layers; layer ``l`` reads the whole
state sequence of the layer below, so with ``h^(0) = x``

.. math::

    h^{(l)}(t) = \\phi\\big(h^{(l-1)}(t) W_x^{(l)} + h^{(l)}(t-1) W_h^{(l)} + b^{(l)}\\big),
    \\qquad l = 1, \\dots, L,

(row-batch form, the lecture's ``Y(t) = phi(X(t) Wx + Y(t-1) Wy + b)`` applied layer by layer). With a
residual connection a layer adds its input to its output, ``h^(l) = h^(l-1) + RNN_l(h^(l-1))``.

What lives here, all batch-first (``x (N, T, D)``, states ``(N, T, H)``, initial states ``(N, H)``):

- :func:`stack_rnn_forward` / :func:`stack_rnn_backward`: the NumPy stack built on
  ``course_utils.reference.rnn_forward`` / ``rnn_backward``, with Keras' weight layout per layer.
- :func:`gradient_norm_by_lag`: how much of the loss gradient reaches ``x(t)`` as ``t`` moves away from
  the end of the sequence (why long spans stay hard even for deep stacks).
- :func:`layer_norm_rnn_forward` and :func:`layer_norm_simple_rnn_cell`: layer normalisation inside the
  recurrence, in NumPy and as a Keras cell with the same weights.
- :func:`build_stacked_rnn`: the course's one Keras stack builder (``forecasting.build_forecaster`` uses
  it too), sequence-to-vector or, with ``every_step``, sequence-to-sequence, with dropout between layers,
  recurrent dropout, layer normalisation and residual connections as options;
  :func:`stacked_rnn_param_count` counts its weights.
- Distributing a stack over devices (``MirroredStrategy``, one layer per device) lives in
  :mod:`course_utils.distribute`.
- :func:`plot_learning_curves` and :func:`plot_gradient_by_lag`: figures (``ax=None``, return the axes).
  The diagram of the stack unrolled through time is :func:`course_utils.diagrams.stack.draw_stack`.

TensorFlow/Keras are imported only inside the functions that need them, so the NumPy parts work without.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import reference as ref
from .validation import check_array, check_bool, check_choice, check_instance, check_positive_int

__all__ = [
    "LayerNormRNNCache",
    "StackCache",
    "build_stacked_rnn",
    "gradient_norm_by_lag",
    "layer_norm_rnn_forward",
    "layer_norm_simple_rnn_cell",
    "plot_gradient_by_lag",
    "plot_learning_curves",
    "stack_params_from_keras",
    "stack_rnn_backward",
    "stack_rnn_forward",
    "stacked_rnn_param_count",
]

CELLS = ("simple_rnn", "lstm", "gru")  # the built-in Keras cells build_stacked_rnn can stack


# --------------------------------------------------------------------------------------------------
# NumPy: a stack of SimpleRNN layers
# --------------------------------------------------------------------------------------------------


@dataclass
class StackCache:
    """What :func:`stack_rnn_backward` needs from :func:`stack_rnn_forward`."""

    layer_caches: list[Any]  # the cache of ref.rnn_forward for each layer, bottom first
    residual: tuple[bool, ...]  # whether layer l adds its input to its output
    sizes: tuple[int, ...]  # D, H_1, ..., H_L


def _check_layers(
    layers: Sequence[Mapping[str, Any]], d_in: int
) -> tuple[list[dict[str, np.ndarray]], list[int]]:
    if isinstance(layers, Mapping) or not isinstance(layers, Sequence) or len(layers) == 0:
        raise TypeError(
            "layers: expected a non-empty list of dicts with keys 'Wx', 'Wh', 'b' "
            f"(one per layer, bottom first), got {type(layers).__name__}"
        )
    checked, sizes = [], [d_in]
    for i, params in enumerate(layers):
        if not isinstance(params, Mapping) or not {"Wx", "Wh", "b"} <= set(params):
            raise TypeError(
                f"layers[{i}]: expected a dict with keys 'Wx', 'Wh', 'b', got {params!r:.80}"
            )
        dims = {"D": sizes[-1]}
        wx = check_array(params["Wx"], f"layers[{i}]['Wx']", "D,H", dims)
        wh = check_array(params["Wh"], f"layers[{i}]['Wh']", "H,H", dims)
        b = check_array(params["b"], f"layers[{i}]['b']", "H", dims)
        checked.append({"Wx": wx, "Wh": wh, "b": b})
        sizes.append(dims["H"])
    return checked, sizes


def _residual_flags(residual: bool, sizes: Sequence[int]) -> tuple[bool, ...]:
    """Residual connections on every layer but the first (which maps D inputs to H units)."""
    if not residual:
        return tuple(False for _ in sizes[1:])
    for i in range(1, len(sizes) - 1):
        if sizes[i] != sizes[i + 1]:
            raise ValueError(
                f"residual: layer {i} maps {sizes[i]} to {sizes[i + 1]} units; a residual connection "
                "needs equal input and output sizes (use the same H for every layer above the first)"
            )
    return (False, *(True for _ in sizes[2:]))


def stack_rnn_forward(
    x: np.ndarray,
    layers: Sequence[Mapping[str, np.ndarray]],
    h0: Sequence[np.ndarray] | None = None,
    *,
    residual: bool = False,
) -> tuple[np.ndarray, StackCache]:
    """Run a stack of L SimpleRNN layers (tanh): layer l reads the state sequence of layer l - 1.

    Args:
        x: inputs of shape (N, T, D).
        layers: one dict per layer, bottom first, with Keras' layout: ``Wx`` (D_l, H_l), ``Wh`` (H_l, H_l),
            ``b`` (H_l,), where D_1 = D and D_l = H_(l-1). ``ref.from_keras(layer)`` gives such a dict.
        h0: initial states, one (N, H_l) array per layer; zeros when None.
        residual: add each layer's input to its output, ``h^(l) = h^(l-1) + RNN_l(h^(l-1))``, for every
            layer above the first (so all of them need the same H).

    Returns:
        ``(h, cache)``: the top layer's states of shape (N, T, H_L) and a :class:`StackCache`.

    >>> rng = np.random.default_rng(0)
    >>> layers = [{"Wx": rng.normal(size=(3, 4)), "Wh": rng.normal(size=(4, 4)), "b": np.zeros(4)},
    ...           {"Wx": rng.normal(size=(4, 5)), "Wh": rng.normal(size=(5, 5)), "b": np.zeros(5)}]
    >>> h, cache = stack_rnn_forward(rng.normal(size=(2, 6, 3)), layers)
    >>> h.shape, cache.sizes
    ((2, 6, 5), (3, 4, 5))
    """
    dims: dict[str, int] = {}
    x = check_array(x, "x", "N,T,D", dims)
    params, sizes = _check_layers(layers, dims["D"])
    flags = _residual_flags(check_bool(residual, "residual"), sizes)
    if h0 is None:
        h0 = [np.zeros((dims["N"], h), dtype=x.dtype) for h in sizes[1:]]
    elif len(h0) != len(params):
        raise ValueError(f"h0: expected one initial state per layer ({len(params)}), got {len(h0)}")
    caches, inputs = [], x
    for i, (p, add) in enumerate(zip(params, flags)):
        h_l0 = check_array(h0[i], f"h0[{i}]", "N,H", {"N": dims["N"], "H": sizes[i + 1]})
        h, cache = ref.rnn_forward(inputs, h_l0, p["Wx"], p["Wh"], p["b"])  # (N, T, H_l)
        caches.append(cache)
        inputs = inputs + h if add else h
    return inputs, StackCache(caches, flags, tuple(sizes))


def stack_rnn_backward(
    dh: np.ndarray, cache: StackCache
) -> tuple[np.ndarray, list[dict[str, np.ndarray]], list[np.ndarray]]:
    """Backpropagate through the stack: the gradient of layer l's inputs is layer l-1's upstream gradient.

    Args:
        dh: upstream gradient of the top layer's states, shape (N, T, H_L).
        cache: the :class:`StackCache` from :func:`stack_rnn_forward`.

    Returns:
        ``(dx, dlayers, dh0)`` in the order of the forward's arguments: ``dx`` (N, T, D); one dict
        ``{"Wx", "Wh", "b"}`` of gradients per layer, bottom first; one (N, H_l) gradient per initial state.
    """
    check_instance(cache, "cache", StackCache, "the cache returned by stack_rnn_forward")
    n, t_len = cache.layer_caches[0].x_shape[:2]
    upstream = check_array(dh, "dh", "N,T,H", {"N": n, "T": t_len, "H": cache.sizes[-1]})
    dlayers: list[dict[str, np.ndarray]] = []
    dh0s: list[np.ndarray] = []
    for layer_cache, add in zip(reversed(cache.layer_caches), reversed(cache.residual)):
        dx, dh0, dwx, dwh, db = ref.rnn_backward(upstream, layer_cache)
        dlayers.append({"Wx": dwx, "Wh": dwh, "b": db})
        dh0s.append(dh0)
        # The residual path passes the upstream gradient straight down to the layer's input.
        upstream = dx + upstream if add else dx
    return upstream, dlayers[::-1], dh0s[::-1]


def stack_params_from_keras(model: Any) -> list[dict[str, np.ndarray]]:
    """The ``{"Wx", "Wh", "b"}`` dict of every ``SimpleRNN`` layer of a Keras model, bottom first.

    Feed the result to :func:`stack_rnn_forward` to run the same stack in NumPy.
    """
    import keras

    found = [
        ref.from_keras(layer) for layer in model.layers if isinstance(layer, keras.layers.SimpleRNN)
    ]
    if not found:
        raise ValueError(
            f"model: expected at least one SimpleRNN layer, got layers {[type(x).__name__ for x in model.layers]}"
        )
    return [{k: np.asarray(p[k]) for k in ("Wx", "Wh", "b")} for p in found]


def gradient_norm_by_lag(
    x: np.ndarray,
    layers: Sequence[Mapping[str, np.ndarray]],
    *,
    residual: bool = False,
) -> np.ndarray:
    """How strongly the last output depends on each earlier input: ``||d h_L(T) / d x(T-k)||`` by lag k.

    Steps are numbered 1..T, so lag 0 is the last input ``x(T)`` and lag T - 1 the first, ``x(1)``.

    The loss is the sum of the top layer's last state, so the upstream gradient is ones at the last step
    and zero elsewhere; the norm of ``dx(t)`` is averaged over the batch.

    Args:
        x: inputs of shape (N, T, D).
        layers: the stack's weights, as for :func:`stack_rnn_forward`.
        residual: as for :func:`stack_rnn_forward`.

    Returns:
        Array of shape (T,): entry k is the mean gradient norm for the input k steps before the end.
    """
    h, cache = stack_rnn_forward(x, layers, residual=residual)
    dh = np.zeros_like(h)
    dh[:, -1, :] = 1.0
    dx, _, _ = stack_rnn_backward(dh, cache)
    norms = np.linalg.norm(dx, axis=2).mean(axis=0)  # (T,)
    return norms[::-1].copy()


# --------------------------------------------------------------------------------------------------
# Layer normalisation inside the recurrence
# --------------------------------------------------------------------------------------------------


@dataclass
class LayerNormRNNCache:
    """Intermediate values of :func:`layer_norm_rnn_forward`, bottom of each step first."""

    x: np.ndarray  # (N, T, D) inputs
    h0: np.ndarray  # (N, H) initial state
    z: np.ndarray  # (N, T, H) summed inputs x(t) Wx + h(t-1) Wh, before normalisation
    z_hat: np.ndarray  # (N, T, H) normalised summed inputs
    h: np.ndarray  # (N, T, H) states


def layer_norm_rnn_forward(
    x: np.ndarray,
    h0: np.ndarray,
    Wx: np.ndarray,
    Wh: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    *,
    epsilon: float = 1e-3,
) -> tuple[np.ndarray, LayerNormRNNCache]:
    """A SimpleRNN layer with layer normalisation of the summed inputs at every step (Ba et al., 2016).

    .. math::

        z(t) = x(t) W_x + h(t-1) W_h, \\quad
        h(t) = \\tanh\\Big(\\gamma \\odot \\frac{z(t) - \\mu(t)}{\\sqrt{\\sigma^2(t) + \\epsilon}} + \\beta\\Big),

    with ``mu(t)``, ``sigma^2(t)`` the mean and variance of ``z(t)`` over its H units (per example). The
    bias is ``beta``: a separate ``b`` would be cancelled by the mean subtraction.

    Args:
        x: inputs of shape (N, T, D).
        h0: initial state of shape (N, H).
        Wx: input weights of shape (D, H).
        Wh: recurrent weights of shape (H, H).
        gamma: layer-norm scale of shape (H,).
        beta: layer-norm offset of shape (H,).
        epsilon: added to the variance (Keras' ``LayerNormalization`` default 1e-3).

    Returns:
        ``(h, cache)``: states of shape (N, T, H) and a :class:`LayerNormRNNCache`.
    """
    dims: dict[str, int] = {}
    x = check_array(x, "x", "N,T,D", dims)
    h0 = check_array(h0, "h0", "N,H", dims)
    Wx = check_array(Wx, "Wx", "D,H", dims)
    Wh = check_array(Wh, "Wh", "H,H", dims)
    gamma = check_array(gamma, "gamma", "H", dims)
    beta = check_array(beta, "beta", "H", dims)
    if not np.isfinite(epsilon) or epsilon <= 0:
        raise ValueError(f"epsilon: expected a positive number, got {epsilon!r}")
    n, t_len, h_dim = dims["N"], dims["T"], dims["H"]
    z = np.empty((n, t_len, h_dim), dtype=np.result_type(x, Wx))
    z_hat, h = np.empty_like(z), np.empty_like(z)
    h_prev = h0
    for t in range(t_len):
        z[:, t] = x[:, t] @ Wx + h_prev @ Wh  # (N, H)
        mu = z[:, t].mean(axis=1, keepdims=True)  # (N, 1)
        var = z[:, t].var(axis=1, keepdims=True)  # (N, 1)
        z_hat[:, t] = (z[:, t] - mu) / np.sqrt(var + epsilon)
        h[:, t] = np.tanh(gamma * z_hat[:, t] + beta)
        h_prev = h[:, t]
    return h, LayerNormRNNCache(x=x, h0=h0, z=z, z_hat=z_hat, h=h)


@functools.cache
def _layer_norm_cell_class() -> type:
    """Define (once) the Keras cell; deferred so that importing this module does not import Keras."""
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="course_utils")
    class LayerNormSimpleRNNCell(keras.layers.Layer):
        """``h(t) = tanh(LayerNorm(x(t) Wx + h(t-1) Wh))``; weights ``kernel`` (D, H),
        ``recurrent_kernel`` (H, H) and the layer norm's ``gamma``/``beta`` (H,). Wrap in ``keras.layers.RNN``."""

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

    return LayerNormSimpleRNNCell


def layer_norm_simple_rnn_cell(
    units: int,
    *,
    epsilon: float = 1e-3,
    kernel_initializer: Any = "glorot_uniform",
    recurrent_initializer: Any = "orthogonal",
    name: str | None = None,
) -> Any:
    """A Keras cell computing :func:`layer_norm_rnn_forward`'s step; use it as ``keras.layers.RNN(cell)``.

    Its weights map to the NumPy function as ``Wx = cell.kernel``, ``Wh = cell.recurrent_kernel``,
    ``gamma = cell.layer_norm.gamma``, ``beta = cell.layer_norm.beta``. The initialisers are Keras'
    (names or objects; pass seeded ones for reproducible weights).
    """
    units = check_positive_int(units, "units")
    return _layer_norm_cell_class()(
        units,
        epsilon=epsilon,
        kernel_initializer=kernel_initializer,
        recurrent_initializer=recurrent_initializer,
        name=name,
    )


# --------------------------------------------------------------------------------------------------
# Keras: stacked model builder
# --------------------------------------------------------------------------------------------------


@functools.cache
def _last_step_class() -> type:
    import keras

    @keras.saving.register_keras_serializable(package="course_utils")
    class LastStep(keras.layers.Layer):
        """(N, T, H) -> (N, H): the state at the last time step."""

        def call(self, inputs: Any) -> Any:
            return inputs[:, -1, :]

        def compute_output_shape(self, input_shape: tuple) -> tuple:
            return (input_shape[0], input_shape[2])

    return LastStep


def _check_rate(value: float, name: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float, np.floating))
        or not 0.0 <= value < 1.0
    ):
        raise ValueError(f"{name}: expected a rate in [0, 1), got {value!r}")
    return float(value)


def build_stacked_rnn(
    input_shape: tuple[int | None, int],
    units: Sequence[int] = (32, 32),
    *,
    outputs: int = 1,
    cell: str = "simple_rnn",
    every_step: bool = False,
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
    layer_norm: bool = False,
    residual: bool = False,
    seed: int | None = 0,
    name: str | None = None,
) -> Any:
    """A Keras deep RNN: L recurrent layers, then ``Dense(outputs)`` on the top layer's last state.

    Every recurrent layer but the last has ``return_sequences=True`` so the next one gets a whole sequence;
    the last returns only its final state (sequence-to-vector): inputs ``(N, T, D)``, outputs
    ``(N, outputs)``. With ``every_step=True`` the last layer returns its whole sequence too and the head
    is applied at every step (sequence-to-sequence): outputs ``(N, T, outputs)``. One layer (``units`` of
    length 1) is a plain recurrent layer with a dense head.

    Args:
        input_shape: ``(T, D)``; T may be None for any length.
        units: H_l of each recurrent layer, bottom first (its length is the depth L).
        outputs: size of the dense head (e.g. the forecast horizon).
        cell: ``"simple_rnn"``, ``"lstm"`` or ``"gru"``.
        every_step: apply the head after every step instead of only the last.
        dropout: rate of dropout *between* layers (after each recurrent layer, before the next one and the
            head). On a sequence the mask is the same at every time step (``noise_shape (N, 1, H)``), as
            Keras' own ``dropout=`` argument does for a layer's inputs.
        recurrent_dropout: rate of dropout on ``h(t-1)`` inside each cell (Keras' ``recurrent_dropout``).
        layer_norm: use :func:`layer_norm_simple_rnn_cell` (only with ``cell="simple_rnn"``, no
            recurrent dropout).
        residual: add each layer's input to its output for every layer above the first (equal units).
        seed: seeds every initialiser and dropout mask explicitly (layer l's kernel ``seed + 2l``, its
            recurrent kernel ``seed + 2l + 1``, the head ``seed + 2L``), so the same seed gives the same
            model without touching the global random state; None leaves them to Keras' global state.
        name: model name.

    Returns:
        An uncompiled ``keras.Model``.
    """
    import keras

    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
        raise ValueError(f"input_shape: expected (T, D), got {input_shape!r}")
    d_in = check_positive_int(input_shape[1], "input_shape[1] (D)")
    if isinstance(units, (int, np.integer)) or len(units) == 0:
        raise ValueError(f"units: expected a non-empty list of layer sizes, got {units!r}")
    sizes = [d_in] + [check_positive_int(u, f"units[{i}]") for i, u in enumerate(units)]
    outputs = check_positive_int(outputs, "outputs")
    check_choice(cell, "cell", CELLS)
    every_step = check_bool(every_step, "every_step")
    dropout = _check_rate(dropout, "dropout")
    recurrent_dropout = _check_rate(recurrent_dropout, "recurrent_dropout")
    if layer_norm and cell != "simple_rnn":
        raise ValueError(f"layer_norm: supported with cell='simple_rnn' only, got cell={cell!r}")
    if layer_norm and recurrent_dropout:
        raise ValueError(
            "layer_norm: the layer-norm cell has no recurrent dropout; set recurrent_dropout=0"
        )
    layer_norm = check_bool(layer_norm, "layer_norm")
    flags = _residual_flags(check_bool(residual, "residual"), sizes)
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
    ):
        raise ValueError(f"seed: expected a non-negative integer or None, got {seed!r}")

    def seeded(offset: int) -> int | None:
        return None if seed is None else seed + offset

    def initialisers(index: int) -> dict[str, Any]:
        if seed is None:
            return {}
        return {
            "kernel_initializer": keras.initializers.GlorotUniform(seed=seeded(2 * index)),
            "recurrent_initializer": keras.initializers.Orthogonal(seed=seeded(2 * index + 1)),
        }

    def recurrent(h: int, return_sequences: bool, index: int) -> Any:
        layer_name = f"{cell}_{index + 1}"
        if layer_norm:
            return keras.layers.RNN(
                layer_norm_simple_rnn_cell(h, **initialisers(index)),
                return_sequences=return_sequences,
                name=f"ln_{layer_name}",
            )
        kind = {
            "simple_rnn": keras.layers.SimpleRNN,
            "lstm": keras.layers.LSTM,
            "gru": keras.layers.GRU,
        }[cell]
        return kind(
            h,
            return_sequences=return_sequences,
            recurrent_dropout=recurrent_dropout,
            seed=seeded(index),
            name=layer_name,
            **initialisers(index),
        )

    inputs = keras.Input(shape=tuple(input_shape), name="x")
    seq = inputs
    depth = len(sizes) - 1
    for i in range(depth):
        last = i == depth - 1
        # A residual top layer returns its sequence so that its input can be added step by step.
        out = recurrent(sizes[i + 1], return_sequences=not last or every_step or flags[i], index=i)(
            seq
        )
        if flags[i]:
            out = keras.layers.Add(name=f"residual_{i + 1}")([seq, out])
            if last and not every_step:
                out = _last_step_class()(name="last_step")(out)
        if dropout:
            on_sequence = not last or every_step
            drop = keras.layers.Dropout(
                dropout,
                noise_shape=(None, 1, sizes[i + 1]) if on_sequence else None,
                seed=seeded(i),
                name=f"dropout_{i + 1}",
            )
            out = drop(out)
        seq = out
    head_init = (
        {}
        if seed is None
        else {"kernel_initializer": keras.initializers.GlorotUniform(seed=seeded(2 * depth))}
    )
    head = keras.layers.Dense(outputs, name="head", **head_init)(seq)
    return keras.Model(inputs, head, name=name or f"deep_{cell}_{depth}")


def stacked_rnn_param_count(d_in: int, units: Sequence[int], outputs: int = 1) -> int:
    """Weights of a SimpleRNN stack plus its dense head: ``sum_l (D_l H_l + H_l^2 + H_l) + H_L * O + O``.

    >>> stacked_rnn_param_count(1, [20, 20], 1)
    1281
    """
    d = check_positive_int(d_in, "d_in")
    total = 0
    for i, h in enumerate(units):
        h = check_positive_int(h, f"units[{i}]")
        total += d * h + h * h + h
        d = h
    o = check_positive_int(outputs, "outputs")
    return total + d * o + o


# --------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------


def _history_dict(history: Any) -> Mapping[str, Sequence[float]]:
    data = getattr(history, "history", history)
    if not isinstance(data, Mapping):
        raise TypeError(
            f"histories: expected Keras History objects or dicts of lists, got {type(history).__name__}"
        )
    return data


def plot_learning_curves(
    histories: Mapping[str, Any],
    *,
    metric: str = "loss",
    ax: Any = None,
    logy: bool = True,
) -> Any:
    """Training (solid) and validation (dashed) curves of several runs on one axes, one colour per run.

    Args:
        histories: label -> Keras ``History`` (or its ``.history`` dict) with ``metric`` and ``val_<metric>``.
        metric: the key to plot, e.g. ``"loss"``.
        ax: matplotlib axes to draw on; a new figure when None.
        logy: logarithmic y axis.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    curves = {}
    for label, history in histories.items():
        data = _history_dict(history)
        if metric not in data:
            raise ValueError(
                f"histories[{label!r}]: expected key {metric!r}, got keys {sorted(data)}"
            )
        curves[label] = (np.asarray(data[metric]), np.asarray(data.get(f"val_{metric}", [])))
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for i, (label, (train, val)) in enumerate(curves.items()):
        colour = f"C{i}"
        epochs = np.arange(1, len(train) + 1)
        ax.plot(epochs, train, color=colour, linestyle="-", label=f"{label}: train")
        if val.size:
            ax.plot(
                np.arange(1, len(val) + 1),
                val,
                color=colour,
                linestyle="--",
                label=f"{label}: validation",
            )
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return ax


def plot_gradient_by_lag(norms: Mapping[str, np.ndarray], *, ax: Any = None) -> Any:
    """Gradient norm against lag k (steps before the end), log scale, one line per label.

    Args:
        norms: label -> array of shape (T,) from :func:`gradient_norm_by_lag`.
        ax: matplotlib axes to draw on; a new figure when None.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    arrays = {label: np.asarray(v, dtype=float) for label, v in norms.items()}
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for label, values in arrays.items():
        ax.semilogy(np.arange(values.size), values, label=label)
    ax.set_xlabel("lag k (input x(T-k))")
    ax.set_ylabel(r"$\|\partial h_L(T) / \partial x(T-k)\|$")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return ax
