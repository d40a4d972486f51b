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
- :func:`layer_norm_rnn_forward` / :func:`layer_norm_rnn_backward` and :func:`layer_norm_simple_rnn_cell`:
  layer normalisation inside the recurrence, in NumPy (forward and BPTT) and as a Keras cell with the
  same weights.
- The Keras stack itself is :func:`course_utils.models.build_stacked_rnn` (sequence-to-vector or, with
  ``every_step``, sequence-to-sequence, with dropout between layers, recurrent dropout, layer
  normalisation and residual connections as options); :func:`course_utils.models.param_count` counts its
  weights and :func:`course_utils.curves.plot_curves` draws its learning curves.
- Distributing a stack over devices (``MirroredStrategy``, one layer per device) lives in
  :mod:`course_utils.distribute`.
- :func:`plot_gradient_by_lag`: a figure (``ax=None``, returns the axes).
  The diagram of the stack unrolled through time is :func:`course_utils.diagrams.stack.draw_stack`.

TensorFlow/Keras are imported only inside the functions that need them, so the NumPy parts work without.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import reference as ref
from .validation import (
    check_array,
    check_bool,
    check_instance,
    check_keys,
    check_length,
    check_positive,
    check_positive_int,
    check_sequence,
)

__all__ = [
    "LayerNormRNNCache",
    "StackCache",
    "gradient_norm_by_lag",
    "layer_norm_rnn_backward",
    "layer_norm_rnn_forward",
    "layer_norm_simple_rnn_cell",
    "plot_gradient_by_lag",
    "stack_params_from_keras",
    "stack_rnn_backward",
    "stack_rnn_forward",
]


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
        check_keys(params, f"layers[{i}]", ("Wx", "Wh", "b"))
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
    else:
        check_sequence(h0, "h0", what="initial states", length=len(params), hint="one per layer")
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
    layer_names = [type(layer).__name__ for layer in model.layers]
    check_length(found, "model", what="SimpleRNN layer", hint=f"its layers: {layer_names}")
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
    """Intermediate values of :func:`layer_norm_rnn_forward` and the weights
    :func:`layer_norm_rnn_backward` needs, bottom of each step first."""

    x: np.ndarray  # (N, T, D) inputs
    h0: np.ndarray  # (N, H) initial state
    z: np.ndarray  # (N, T, H) summed inputs x(t) Wx + h(t-1) Wh, before normalisation
    z_hat: np.ndarray  # (N, T, H) normalised summed inputs
    sigma: np.ndarray  # (N, T, 1) sqrt(variance of z over the H units + epsilon)
    h: np.ndarray  # (N, T, H) states
    Wx: np.ndarray  # (D, H)
    Wh: np.ndarray  # (H, H)
    gamma: np.ndarray  # (H,)


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
    check_positive(epsilon, "epsilon")
    n, t_len, h_dim = dims["N"], dims["T"], dims["H"]
    z = np.empty((n, t_len, h_dim), dtype=np.result_type(x, Wx))
    z_hat, h = np.empty_like(z), np.empty_like(z)
    sigma = np.empty((n, t_len, 1), dtype=z.dtype)
    h_prev = h0
    for t in range(t_len):
        z[:, t] = x[:, t] @ Wx + h_prev @ Wh  # (N, H)
        mu = z[:, t].mean(axis=1, keepdims=True)  # (N, 1)
        var = z[:, t].var(axis=1, keepdims=True)  # (N, 1)
        sigma[:, t] = np.sqrt(var + epsilon)
        z_hat[:, t] = (z[:, t] - mu) / sigma[:, t]
        h[:, t] = np.tanh(gamma * z_hat[:, t] + beta)
        h_prev = h[:, t]
    return h, LayerNormRNNCache(x, h0, z, z_hat, sigma, h, Wx, Wh, gamma)


def _layer_norm_backward(
    dy: np.ndarray, z_hat: np.ndarray, sigma: np.ndarray, gamma: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward of ``y = gamma * z_hat + beta`` with ``z_hat = (z - mean(z)) / sigma`` over the H units.

    With ``dz_hat = dy * gamma`` and means over the units (per example)::

        dz = (dz_hat - mean(dz_hat) - z_hat * mean(dz_hat * z_hat)) / sigma

    (exact with epsilon, as ``sigma = sqrt(var(z) + epsilon)`` and ``z_hat`` is divided by it).

    Args:
        dy: upstream gradient of ``y``, (N, H); z_hat: (N, H); sigma: (N, 1); gamma: (H,).

    Returns:
        ``(dz (N, H), dgamma (H,), dbeta (H,))``.
    """
    dz_hat = dy * gamma  # (N, H)
    mean_dz_hat = dz_hat.mean(axis=1, keepdims=True)  # (N, 1)
    mean_dz_hat_z_hat = (dz_hat * z_hat).mean(axis=1, keepdims=True)  # (N, 1)
    dz = (dz_hat - mean_dz_hat - z_hat * mean_dz_hat_z_hat) / sigma  # (N, H)
    return dz, (dy * z_hat).sum(axis=0), dy.sum(axis=0)


def _layer_norm_rnn_step_backward(
    dh_t: np.ndarray, cache: LayerNormRNNCache, t: int
) -> tuple[np.ndarray, ...]:
    """Backward of step t: tanh, then the layer norm, then ``z(t) = x(t) Wx + h(t-1) Wh``.

    Returns:
        ``(dx_t (N, D), dh_prev (N, H), dWx (D, H), dWh (H, H), dgamma (H,), dbeta (H,))``.
    """
    h_prev = cache.h0 if t == 0 else cache.h[:, t - 1]  # (N, H)
    dy = dh_t * (1.0 - cache.h[:, t] ** 2)  # (N, H): gradient of gamma * z_hat + beta
    dz, dgamma, dbeta = _layer_norm_backward(dy, cache.z_hat[:, t], cache.sigma[:, t], cache.gamma)
    dx_t, dh_prev = dz @ cache.Wx.T, dz @ cache.Wh.T  # (N, D), (N, H)
    return dx_t, dh_prev, cache.x[:, t].T @ dz, h_prev.T @ dz, dgamma, dbeta


def layer_norm_rnn_backward(dh: np.ndarray, cache: LayerNormRNNCache) -> tuple[np.ndarray, ...]:
    """Backpropagation through time for :func:`layer_norm_rnn_forward`.

    Each step, from the last to the first, takes the gradient of its state ``h(t)`` (the loss's own
    ``dh[:, t]`` plus what flows back from step t+1) back through tanh, the layer norm
    (``_layer_norm_backward``) and ``z(t) = x(t) Wx + h(t-1) Wh``.

    Args:
        dh: upstream gradient of every state, shape (N, T, H) (zeros where the loss does not look).
        cache: the :class:`LayerNormRNNCache` from :func:`layer_norm_rnn_forward`.

    Returns:
        ``(dx, dh0, dWx, dWh, dgamma, dbeta)`` in the order of the forward's arguments: ``dx`` (N, T, D),
        ``dh0`` (N, H), ``dWx`` (D, H), ``dWh`` (H, H), ``dgamma`` (H,), ``dbeta`` (H,).

    >>> rng = np.random.default_rng(0)
    >>> x, h0 = rng.normal(size=(2, 5, 3)), np.zeros((2, 4))
    >>> h, cache = layer_norm_rnn_forward(x, h0, rng.normal(size=(3, 4)), rng.normal(size=(4, 4)),
    ...                                   np.ones(4), np.zeros(4))
    >>> [g.shape for g in layer_norm_rnn_backward(np.ones_like(h), cache)]
    [(2, 5, 3), (2, 4), (3, 4), (4, 4), (4,), (4,)]
    """
    check_instance(
        cache, "cache", LayerNormRNNCache, "the cache returned by layer_norm_rnn_forward"
    )
    n, t_len, h_dim = cache.h.shape
    dh = check_array(dh, "dh", "N,T,H", {"N": n, "T": t_len, "H": h_dim})
    dx, dprev_h = np.zeros_like(cache.x), np.zeros_like(cache.h0)
    dWx, dWh, dgamma, dbeta = (
        np.zeros_like(w) for w in (cache.Wx, cache.Wh, cache.gamma, cache.gamma)
    )
    for t in reversed(range(t_len)):  # dprev_h: gradient of h(t) arriving from step t+1
        dx[:, t], dprev_h, dWx_t, dWh_t, dgamma_t, dbeta_t = _layer_norm_rnn_step_backward(
            dh[:, t] + dprev_h, cache, t
        )
        dWx, dWh = dWx + dWx_t, dWh + dWh_t
        dgamma, dbeta = dgamma + dgamma_t, dbeta + dbeta_t
    return dx, dprev_h, dWx, dWh, dgamma, dbeta


def layer_norm_simple_rnn_cell(
    units: int,
    *,
    epsilon: float = 1e-3,
    kernel_initializer: Any = "glorot_uniform",
    recurrent_initializer: Any = "orthogonal",
    name: str | None = None,
) -> Any:
    """A :class:`course_utils.layers.LayerNormSimpleRNNCell` computing :func:`layer_norm_rnn_forward`'s
    step, with its arguments checked; use it as ``keras.layers.RNN(cell)``.

    Its weights map to the NumPy function as ``Wx = cell.kernel``, ``Wh = cell.recurrent_kernel``,
    ``gamma = cell.layer_norm.gamma``, ``beta = cell.layer_norm.beta``. The initialisers are Keras'
    (names or objects; pass seeded ones for reproducible weights).
    """
    units = check_positive_int(units, "units")
    from .layers import LayerNormSimpleRNNCell

    return LayerNormSimpleRNNCell(
        units,
        epsilon=epsilon,
        kernel_initializer=kernel_initializer,
        recurrent_initializer=recurrent_initializer,
        name=name,
    )


# --------------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------------


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
