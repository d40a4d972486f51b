"""The GRU cell in NumPy, forward and backward, equal to ``keras.layers.GRU`` in both of its variants.

Gates in Keras' order z, r, h: ``Wx (D, 3H)``, ``Wh (H, 3H)``, column block ``k`` belongs to gate ``k``.
Row-batch form, ``sigmoid`` the recurrent activation::

    reset_after=True (Keras' default, cuDNN-compatible), b (2, 3H) = [input bias; recurrent bias]:
        ax = x(t) Wx + b[0]                  ah = h(t-1) Wh + b[1]                    (N, 3H) each
        z(t) = sigmoid(ax_z + ah_z)          r(t) = sigmoid(ax_r + ah_r)
        g(t) = tanh(ax_h + r(t) * ah_h)                     reset applied after the matmul

    reset_after=False (the original GRU of Cho et al., 2014), b (3H,):
        ax = x(t) Wx + b
        z(t) = sigmoid(ax_z + h(t-1) Wh_z)   r(t) = sigmoid(ax_r + h(t-1) Wh_r)
        g(t) = tanh(ax_h + (r(t) * h(t-1)) Wh_h)            reset applied to h(t-1) before the matmul

    both:  h(t) = z(t) * h(t-1) + (1 - z(t)) * g(t)

(``g`` is the candidate state, Keras' ``hh``.) Note the update gate keeps the *old* state when it is 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..activations import sigmoid as _sigmoid
from ..validation import check_array, check_bool, check_instance, check_mask
from ._sequence import carry, masked, windows

__all__ = [
    "GRUCache",
    "GRUStepCache",
    "gru_backward",
    "gru_forward",
    "gru_step_backward",
    "gru_step_forward",
]


@dataclass(frozen=True)
class GRUStepCache:
    """What one GRU step keeps for its backward pass."""

    x_t: np.ndarray  # (N, D)
    h_prev: np.ndarray  # (N, H)
    z: np.ndarray  # (N, H) update gate
    r: np.ndarray  # (N, H) reset gate
    g: np.ndarray  # (N, H) candidate state
    ah_h: np.ndarray | None  # (N, H) h(t-1) Wh_h + b[1]_h (reset_after=True), else None
    Wx: np.ndarray  # (D, 3H)
    Wh: np.ndarray  # (H, 3H)
    reset_after: bool


@dataclass(frozen=True)
class GRUCache:
    """What :func:`gru_forward` keeps for :func:`gru_backward`."""

    steps: list[GRUStepCache]  # one per time step
    mask: np.ndarray | None  # (N, T) booleans, or None
    x_shape: tuple[int, int, int]  # (N, T, D)
    hidden: int  # H
    reset_after: bool


def _step_forward(x_t, h_prev, Wx, Wh, b, reset_after):
    hidden = h_prev.shape[1]
    if reset_after:
        ax = x_t @ Wx + b[0]  # (N, 3H)
        ah = h_prev @ Wh + b[1]  # (N, 3H)
        z = _sigmoid(ax[:, :hidden] + ah[:, :hidden])
        r = _sigmoid(ax[:, hidden : 2 * hidden] + ah[:, hidden : 2 * hidden])
        ah_h = ah[:, 2 * hidden :]
        g = np.tanh(ax[:, 2 * hidden :] + r * ah_h)
    else:
        ax = x_t @ Wx + b  # (N, 3H)
        azr = ax[:, : 2 * hidden] + h_prev @ Wh[:, : 2 * hidden]  # (N, 2H)
        z = _sigmoid(azr[:, :hidden])
        r = _sigmoid(azr[:, hidden:])
        ah_h = None
        g = np.tanh(ax[:, 2 * hidden :] + (r * h_prev) @ Wh[:, 2 * hidden :])
    h_next = z * h_prev + (1.0 - z) * g
    return h_next, GRUStepCache(x_t, h_prev, z, r, g, ah_h, Wx, Wh, reset_after)


def _step_backward(dh_next, cache: GRUStepCache):
    z, r, g, h_prev = cache.z, cache.r, cache.g, cache.h_prev
    hidden = h_prev.shape[1]
    dh_prev = dh_next * z  # through the "keep the old state" path
    da_z = dh_next * (h_prev - g) * z * (1.0 - z)
    da_g = dh_next * (1.0 - z) * (1.0 - g**2)  # gradient of the candidate's pre-activation
    if cache.reset_after:
        da_r = da_g * cache.ah_h * r * (1.0 - r)
        dax = np.concatenate([da_z, da_r, da_g], axis=1)  # (N, 3H) gradient of ax
        dah = np.concatenate([da_z, da_r, da_g * r], axis=1)  # (N, 3H) gradient of ah
        dh_prev = dh_prev + dah @ cache.Wh.T
        dWh = h_prev.T @ dah  # (H, 3H)
        db = np.stack([dax.sum(axis=0), dah.sum(axis=0)])  # (2, 3H)
    else:
        wh_h = cache.Wh[:, 2 * hidden :]
        drh = da_g @ wh_h.T  # gradient of r * h(t-1), (N, H)
        da_r = drh * h_prev * r * (1.0 - r)
        dazr = np.concatenate([da_z, da_r], axis=1)  # (N, 2H)
        dh_prev = dh_prev + drh * r + dazr @ cache.Wh[:, : 2 * hidden].T
        dWh = np.concatenate([h_prev.T @ dazr, (r * h_prev).T @ da_g], axis=1)  # (H, 3H)
        dax = np.concatenate([da_z, da_r, da_g], axis=1)
        db = dax.sum(axis=0)  # (3H,)
    dx_t = dax @ cache.Wx.T  # (N, D)
    dWx = cache.x_t.T @ dax  # (D, 3H)
    return dx_t, dh_prev, dWx, dWh, db


def _check_weights(Wx, Wh, b, reset_after, sizes):
    reset_after = check_bool(reset_after, "reset_after")
    Wx = check_array(Wx, "Wx", "D,3H", sizes)
    Wh = check_array(Wh, "Wh", "H,3H", sizes)
    b = check_array(
        b,
        "b",
        "2,3H" if reset_after else "3H",
        sizes,
        hint=f"the bias for reset_after={reset_after}",
    )
    return Wx, Wh, b, reset_after


def gru_step_forward(
    x_t: ArrayLike,
    h_prev: ArrayLike,
    Wx: ArrayLike,
    Wh: ArrayLike,
    b: ArrayLike,
    reset_after: bool = True,
) -> tuple[np.ndarray, GRUStepCache]:
    """One GRU step for a batch (equations in the module docstring).

    Args:
        x_t: input ``(N, D)``; h_prev: previous state ``(N, H)``.
        Wx: ``(D, 3H)``; Wh: ``(H, 3H)``, gate blocks z, r, h.
        b: ``(2, 3H)`` (input and recurrent bias) if ``reset_after`` else ``(3H,)``.
        reset_after: which Keras variant (see the module docstring).

    Returns:
        ``(h_next (N, H), cache)`` with a :class:`GRUStepCache`.
    """
    sizes: dict[str, int] = {}
    x_t = check_array(x_t, "x_t", "N,D", sizes)
    Wx, Wh, b, reset_after = _check_weights(Wx, Wh, b, reset_after, sizes)
    h_prev = check_array(h_prev, "h_prev", "N,H", sizes)
    return _step_forward(x_t, h_prev, Wx, Wh, b, reset_after)


def gru_step_backward(dh_next: ArrayLike, cache: GRUStepCache) -> tuple[np.ndarray, ...]:
    """Backward pass of :func:`gru_step_forward`.

    Args:
        dh_next: upstream gradient of ``h(t)``, ``(N, H)``.
        cache: the :class:`GRUStepCache` from the forward step.

    Returns:
        ``(dx_t (N, D), dh_prev (N, H), dWx (D, 3H), dWh (H, 3H), db)``, ``db`` shaped like ``b``.
    """
    check_instance(cache, "cache", GRUStepCache, "the cache returned by gru_step_forward")
    n, h = cache.h_prev.shape
    dh_next = check_array(dh_next, "dh_next", "N,H", {"N": n, "H": h})
    return _step_backward(dh_next, cache)


def gru_forward(
    x: ArrayLike,
    h0: ArrayLike,
    Wx: ArrayLike,
    Wh: ArrayLike,
    b: ArrayLike,
    reset_after: bool = True,
    mask: ArrayLike | None = None,
) -> tuple[np.ndarray, GRUCache]:
    """Run the GRU over a batch of sequences.

    Args:
        x: inputs ``(N, T, D)``; h0: initial state ``(N, H)``.
        Wx: ``(D, 3H)``; Wh: ``(H, 3H)``; b: ``(2, 3H)`` if ``reset_after`` else ``(3H,)``
            (Keras' kernel, recurrent_kernel, bias; gates z, r, h).
        reset_after: which Keras variant (see the module docstring).
        mask: optional ``(N, T)`` booleans, False where a step is padding: the state is carried over
            unchanged there (as Keras does) and the step gets no gradient.

    Returns:
        ``(h, cache)``: hidden states after every step ``(N, T, H)`` and a :class:`GRUCache`.
    """
    sizes: dict[str, int] = {}
    x = check_array(x, "x", "N,T,D", sizes)
    Wx, Wh, b, reset_after = _check_weights(Wx, Wh, b, reset_after, sizes)
    h0 = check_array(h0, "h0", "N,H", sizes)
    mask = check_mask(mask, "mask", sizes)

    h = np.empty((sizes["N"], sizes["T"], sizes["H"]), np.result_type(x, h0))  # (N, T, H)
    h_prev, steps = h0, []
    for t in range(sizes["T"]):
        h_next, step = _step_forward(x[:, t], h_prev, Wx, Wh, b, reset_after)
        h[:, t] = h_prev = carry(h_next, h_prev, mask, t)  # padded rows keep their state
        steps.append(step)
    return h, GRUCache(steps, mask, x.shape, sizes["H"], reset_after)


def gru_backward(
    dh: ArrayLike, cache: GRUCache, truncate: int | None = None
) -> tuple[np.ndarray, ...]:
    """Backpropagation through time for :func:`gru_forward`.

    Args:
        dh: upstream gradient of every hidden state, ``(N, T, H)``.
        cache: the :class:`GRUCache` from :func:`gru_forward`.
        truncate: ``None`` for full BPTT, or ``k``: the gradient of the loss at step ``t`` flows back
            through steps ``t-k+1 .. t`` only and stops before ``h(t-k)``.

    Returns:
        ``(dx (N, T, D), dh0 (N, H), dWx (D, 3H), dWh (H, 3H), db)``, ``db`` shaped like ``b``.
    """
    check_instance(cache, "cache", GRUCache, "the cache returned by gru_forward")
    n, t_steps, _ = cache.x_shape
    dh = check_array(dh, "dh", "N,T,H", {"N": n, "T": t_steps, "H": cache.hidden})
    dx, dh0 = np.zeros(cache.x_shape, dh.dtype), np.zeros_like(dh[:, 0])
    dWx = dWh = db = 0.0  # each weight's gradient is a sum over the steps that used it
    for steps, dh_w in windows(dh, truncate):  # full BPTT: one pass, t = T-1, ..., 0, dh_w = dh
        dprev_h = np.zeros_like(dh0)
        for t in steps:
            dx_t, dprev_h, dWx_t, dWh_t, db_t = masked(
                _step_backward, dh_w[:, t] + dprev_h, cache, t
            )
            dx[:, t] += dx_t
            dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
        if steps[-1] == 0:  # the pass reached the start (always, unless truncated)
            dh0 += dprev_h
    return dx, dh0, dWx, dWh, db
