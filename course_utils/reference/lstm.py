"""The LSTM cell in NumPy, forward and backward, equal to ``keras.layers.LSTM``; optionally with peepholes.

One step in row-batch form, gates in Keras' order i, f, c, o (``Wx (D, 4H)``, ``Wh (H, 4H)``, ``b (4H,)``;
column block ``k`` of each belongs to gate ``k``)::

    a(t) = x(t) Wx + h(t-1) Wh + b                  (N, 4H), split into a_i, a_f, a_g, a_o
    i(t) = sigmoid(a_i + p_i * c(t-1))              input gate
    f(t) = sigmoid(a_f + p_f * c(t-1))              forget gate
    g(t) = tanh(a_g)                                candidate cell state (Keras' "c" gate)
    c(t) = f(t) * c(t-1) + i(t) * g(t)
    o(t) = sigmoid(a_o + p_o * c(t))                output gate (peeps at the *new* cell state)
    h(t) = o(t) * tanh(c(t))

The peephole weights ``peephole (3, H)`` = rows ``p_i, p_f, p_o`` (Gers & Schmidhuber, 2000; the
placement of Graves, 2013) are optional: without them (or with them zero) the cell is exactly Keras' LSTM.
Keras 3 has no peephole layer; ``course_utils.layers.PeepholeLSTMCell`` is a Keras cell that computes the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..activations import sigmoid as _sigmoid
from ..validation import check_array, check_bool, check_instance, check_mask
from ._sequence import carry, masked, windows

__all__ = [
    "LSTMCache",
    "LSTMStepCache",
    "lstm_backward",
    "lstm_forward",
    "lstm_step_backward",
    "lstm_step_forward",
]


@dataclass(frozen=True)
class LSTMStepCache:
    """What one LSTM step keeps for its backward pass (all gate values after their nonlinearity)."""

    x_t: np.ndarray  # (N, D)
    h_prev: np.ndarray  # (N, H)
    c_prev: np.ndarray  # (N, H)
    i: np.ndarray  # (N, H) input gate
    f: np.ndarray  # (N, H) forget gate
    g: np.ndarray  # (N, H) candidate
    o: np.ndarray  # (N, H) output gate
    c_next: np.ndarray  # (N, H)
    tanh_c: np.ndarray  # (N, H) tanh(c_next)
    Wx: np.ndarray  # (D, 4H)
    Wh: np.ndarray  # (H, 4H)
    peephole: np.ndarray | None  # (3, H) rows p_i, p_f, p_o, or None


@dataclass(frozen=True)
class LSTMCache:
    """What :func:`lstm_forward` keeps for :func:`lstm_backward`."""

    steps: list[LSTMStepCache]  # one per time step
    mask: np.ndarray | None  # (N, T) booleans, or None
    c: np.ndarray  # (N, T, H) cell state after every step
    x_shape: tuple[int, int, int]  # (N, T, D)
    hidden: int  # H
    peephole: bool  # whether peephole weights were used


def _step_forward(x_t, h_prev, c_prev, Wx, Wh, b, peephole):
    a = x_t @ Wx + h_prev @ Wh + b  # (N, 4H)
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    if peephole is not None:
        a_i = a_i + peephole[0] * c_prev
        a_f = a_f + peephole[1] * c_prev
    i, f, g = _sigmoid(a_i), _sigmoid(a_f), np.tanh(a_g)
    c_next = f * c_prev + i * g
    if peephole is not None:
        a_o = a_o + peephole[2] * c_next
    o = _sigmoid(a_o)
    tanh_c = np.tanh(c_next)
    h_next = o * tanh_c
    cache = LSTMStepCache(x_t, h_prev, c_prev, i, f, g, o, c_next, tanh_c, Wx, Wh, peephole)
    return h_next, c_next, cache


def _step_backward(dh_next, dc_next, cache: LSTMStepCache):
    i, f, g, o, p = cache.i, cache.f, cache.g, cache.o, cache.peephole
    da_o = dh_next * cache.tanh_c * o * (1.0 - o)
    dc = dc_next + dh_next * o * (1.0 - cache.tanh_c**2)  # total gradient of c(t)
    if p is not None:
        dc = dc + da_o * p[2]
    da_i = dc * g * i * (1.0 - i)
    da_f = dc * cache.c_prev * f * (1.0 - f)
    da_g = dc * i * (1.0 - g**2)
    dc_prev = dc * f
    if p is not None:
        dc_prev = dc_prev + da_i * p[0] + da_f * p[1]
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)  # (N, 4H)
    dx_t = da @ cache.Wx.T  # (N, D)
    dh_prev = da @ cache.Wh.T  # (N, H)
    dWx = cache.x_t.T @ da  # (D, 4H)
    dWh = cache.h_prev.T @ da  # (H, 4H)
    db = da.sum(axis=0)  # (4H,)
    grads = (dx_t, dh_prev, dc_prev, dWx, dWh, db)
    if p is not None:
        dpeephole = np.stack(
            [
                (da_i * cache.c_prev).sum(0),
                (da_f * cache.c_prev).sum(0),
                (da_o * cache.c_next).sum(0),
            ]
        )  # (3, H)
        grads += (dpeephole,)
    return grads


def _check_weights(Wx, Wh, b, peephole, sizes):
    Wx = check_array(Wx, "Wx", "D,4H", sizes)
    Wh = check_array(Wh, "Wh", "H,4H", sizes)
    b = check_array(b, "b", "4H", sizes)
    if peephole is not None:
        peephole = check_array(peephole, "peephole", "3,H", sizes)
    return Wx, Wh, b, peephole


def lstm_step_forward(
    x_t: ArrayLike,
    h_prev: ArrayLike,
    c_prev: ArrayLike,
    Wx: ArrayLike,
    Wh: ArrayLike,
    b: ArrayLike,
    peephole: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray, LSTMStepCache]:
    """One LSTM step for a batch (equations in the module docstring).

    Args:
        x_t: input ``(N, D)``; h_prev, c_prev: previous hidden and cell state, ``(N, H)`` each.
        Wx: ``(D, 4H)``; Wh: ``(H, 4H)``; b: ``(4H,)``, gate blocks in the order i, f, c, o.
        peephole: optional ``(3, H)`` peephole weights, rows p_i, p_f, p_o.

    Returns:
        ``(h_next (N, H), c_next (N, H), cache)`` with an :class:`LSTMStepCache`.
    """
    sizes: dict[str, int] = {}
    x_t = check_array(x_t, "x_t", "N,D", sizes)
    Wx, Wh, b, peephole = _check_weights(Wx, Wh, b, peephole, sizes)
    h_prev = check_array(h_prev, "h_prev", "N,H", sizes)
    c_prev = check_array(c_prev, "c_prev", "N,H", sizes)
    return _step_forward(x_t, h_prev, c_prev, Wx, Wh, b, peephole)


def lstm_step_backward(
    dh_next: ArrayLike, dc_next: ArrayLike, cache: LSTMStepCache
) -> tuple[np.ndarray, ...]:
    """Backward pass of :func:`lstm_step_forward`.

    Args:
        dh_next, dc_next: upstream gradients of ``h(t)`` and ``c(t)``, ``(N, H)`` each.
        cache: the :class:`LSTMStepCache` from the forward step.

    Returns:
        ``(dx_t (N, D), dh_prev (N, H), dc_prev (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,))``, followed
        by ``dpeephole (3, H)`` when the step used peephole weights.
    """
    check_instance(cache, "cache", LSTMStepCache, "the cache returned by lstm_step_forward")
    sizes = {"N": cache.c_next.shape[0], "H": cache.c_next.shape[1]}
    dh_next = check_array(dh_next, "dh_next", "N,H", sizes)
    dc_next = check_array(dc_next, "dc_next", "N,H", sizes)
    return _step_backward(dh_next, dc_next, cache)


def lstm_forward(
    x: ArrayLike,
    h0: ArrayLike,
    Wx: ArrayLike,
    Wh: ArrayLike,
    b: ArrayLike,
    c0: ArrayLike | None = None,
    mask: ArrayLike | None = None,
    peephole: ArrayLike | None = None,
) -> tuple[np.ndarray, LSTMCache]:
    """Run the LSTM over a batch of sequences.

    Args:
        x: inputs ``(N, T, D)``.
        h0: initial hidden state ``(N, H)``; c0: initial cell state ``(N, H)`` (zeros when None).
        Wx: ``(D, 4H)``; Wh: ``(H, 4H)``; b: ``(4H,)`` (Keras' kernel, recurrent_kernel, bias; i, f, c, o).
        mask: optional ``(N, T)`` booleans, False where a step is padding: ``h`` and ``c`` are carried
            over unchanged there (as Keras does) and the step gets no gradient.
        peephole: optional ``(3, H)`` peephole weights (rows p_i, p_f, p_o).

    Returns:
        ``(h, cache)``: hidden states after every step ``(N, T, H)`` and an :class:`LSTMCache`
        (``cache.c`` holds the cell states ``(N, T, H)``).
    """
    sizes: dict[str, int] = {}
    x = check_array(x, "x", "N,T,D", sizes)
    Wx, Wh, b, peephole = _check_weights(Wx, Wh, b, peephole, sizes)
    h0 = check_array(h0, "h0", "N,H", sizes)
    c0 = np.zeros_like(h0) if c0 is None else check_array(c0, "c0", "N,H", sizes)
    mask = check_mask(mask, "mask", sizes)

    h = np.empty((sizes["N"], sizes["T"], sizes["H"]), np.result_type(x, h0, c0))  # (N, T, H)
    c = np.empty_like(h)  # (N, T, H) cell states
    h_prev, c_prev, steps = h0, c0, []
    for t in range(sizes["T"]):
        h_next, c_next, step = _step_forward(x[:, t], h_prev, c_prev, Wx, Wh, b, peephole)
        h[:, t] = h_prev = carry(h_next, h_prev, mask, t)  # padded rows keep both states
        c[:, t] = c_prev = carry(c_next, c_prev, mask, t)
        steps.append(step)
    return h, LSTMCache(steps, mask, c, x.shape, sizes["H"], peephole is not None)


def lstm_backward(
    dh: ArrayLike, cache: LSTMCache, truncate: int | None = None, *, return_dc0: bool = False
) -> tuple[np.ndarray, ...]:
    """Backpropagation through time for :func:`lstm_forward`.

    Args:
        dh: upstream gradient of every hidden state, ``(N, T, H)``.
        cache: the :class:`LSTMCache` from :func:`lstm_forward`.
        truncate: ``None`` for full BPTT, or ``k``: the gradient of the loss at step ``t`` flows back
            through steps ``t-k+1 .. t`` only and stops before ``h(t-k)``, ``c(t-k)``.
        return_dc0: also return the gradient of the initial cell state.

    Returns:
        ``(dx (N, T, D), dh0 (N, H), dWx (D, 4H), dWh (H, 4H), db (4H,))``, then ``dpeephole (3, H)``
        if the forward pass used peephole weights, then ``dc0 (N, H)`` if ``return_dc0``.
    """
    check_instance(cache, "cache", LSTMCache, "the cache returned by lstm_forward")
    return_dc0 = check_bool(return_dc0, "return_dc0")
    n, t_steps, _ = cache.x_shape
    dh = check_array(dh, "dh", "N,T,H", {"N": n, "T": t_steps, "H": cache.hidden})
    dx = np.zeros(cache.x_shape, dh.dtype)
    dh0, dc0 = np.zeros_like(dh[:, 0]), np.zeros_like(dh[:, 0])
    dparams = [0.0] * (4 if cache.peephole else 3)  # dWx, dWh, db[, dpeephole]: sums over the steps
    for steps, dh_w in windows(dh, truncate):  # full BPTT: one pass, t = T-1, ..., 0, dh_w = dh
        dprev_h, dprev_c = np.zeros_like(dh0), np.zeros_like(dc0)
        for t in steps:  # the loss reaches c(t) only through h(t); dprev_c comes from step t+1
            dx_t, dprev_h, dprev_c, *dparams_t = masked(
                _step_backward, (dh_w[:, t] + dprev_h, dprev_c), cache, t
            )
            dx[:, t] += dx_t
            dparams = [d + d_t for d, d_t in zip(dparams, dparams_t)]
        if steps[-1] == 0:  # the pass reached the start (always, unless truncated)
            dh0, dc0 = dh0 + dprev_h, dc0 + dprev_c
    return (dx, dh0, *dparams, dc0) if return_dc0 else (dx, dh0, *dparams)
