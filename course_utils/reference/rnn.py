"""The simple (Elman) recurrent cell in NumPy, forward and backward, equal to ``keras.layers.SimpleRNN``.

One step, in the lecture's notation and in row-batch form (one row per sequence)::

    y(t) = phi(Wx^T x(t) + Wy^T y(t-1) + b)        lecture, one sequence, column vectors
    h(t) = tanh(x(t) Wx + h(t-1) Wh + b)           here: x(t) (N, D), h(t) (N, H)

with ``Wx (D, H)`` (Keras' ``kernel``), ``Wh (H, H)`` (``recurrent_kernel``, the lecture's ``Wy``) and
``b (H,)``. Backward, with ``a = x(t) Wx + h(t-1) Wh + b`` and ``da = dh(t) * (1 - h(t)**2)``::

    dx(t) = da Wx^T    dh(t-1) = da Wh^T    dWx = x(t)^T da    dWh = h(t-1)^T da    db = sum_n da

The sequence functions are the step functions in a loop over time; ``rnn_backward`` is BPTT, the loop run
backwards, the gradient of each state being the loss's own ``dh[:, t]`` plus what flows back from step t+1
(``_sequence`` says where a mask or truncation stops the state and its gradient).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..validation import check_array, check_instance, check_mask
from ._sequence import carry, masked, windows

__all__ = [
    "RNNCache",
    "RNNStepCache",
    "rnn_backward",
    "rnn_forward",
    "rnn_step_backward",
    "rnn_step_forward",
]


@dataclass(frozen=True)
class RNNStepCache:
    """What one step keeps for its backward pass."""

    x_t: np.ndarray  # (N, D) input at this step
    h_prev: np.ndarray  # (N, H) state entering the step
    h_next: np.ndarray  # (N, H) tanh output of the step
    Wx: np.ndarray  # (D, H)
    Wh: np.ndarray  # (H, H)


@dataclass(frozen=True)
class RNNCache:
    """What :func:`rnn_forward` keeps for :func:`rnn_backward`."""

    steps: list[RNNStepCache]  # one per time step
    mask: np.ndarray | None  # (N, T) booleans, or None
    x_shape: tuple[int, int, int]  # (N, T, D)
    b_shape: tuple[int, ...]  # (H,)


def _step_forward(x_t, h_prev, Wx, Wh, b):
    h_next = np.tanh(x_t @ Wx + h_prev @ Wh + b)  # (N, H)
    return h_next, RNNStepCache(x_t, h_prev, h_next, Wx, Wh)


def _step_backward(dh_next, cache: RNNStepCache):
    da = dh_next * (1.0 - cache.h_next**2)  # (N, H): gradient of the pre-activation
    dx_t = da @ cache.Wx.T  # (N, D)
    dh_prev = da @ cache.Wh.T  # (N, H)
    dWx = cache.x_t.T @ da  # (D, H)
    dWh = cache.h_prev.T @ da  # (H, H)
    db = da.sum(axis=0)  # (H,)
    return dx_t, dh_prev, dWx, dWh, db


def _check_weights(Wx, Wh, b, sizes):
    Wx = check_array(Wx, "Wx", "D,H", sizes)
    Wh = check_array(Wh, "Wh", "H,H", sizes)
    b = check_array(b, "b", "H", sizes)
    return Wx, Wh, b


def rnn_step_forward(
    x_t: ArrayLike, h_prev: ArrayLike, Wx: ArrayLike, Wh: ArrayLike, b: ArrayLike
) -> tuple[np.ndarray, RNNStepCache]:
    """One step ``h(t) = tanh(x(t) Wx + h(t-1) Wh + b)`` for a batch.

    Args:
        x_t: input at this step, ``(N, D)``.
        h_prev: previous hidden state ``h(t-1)``, ``(N, H)``.
        Wx: input weights, ``(D, H)``; Wh: recurrent weights, ``(H, H)``; b: bias, ``(H,)``.

    Returns:
        ``(h_next, cache)``: the new state ``(N, H)`` and an :class:`RNNStepCache`.
    """
    sizes: dict[str, int] = {}
    x_t = check_array(x_t, "x_t", "N,D", sizes)
    Wx, Wh, b = _check_weights(Wx, Wh, b, sizes)
    h_prev = check_array(h_prev, "h_prev", "N,H", sizes)
    return _step_forward(x_t, h_prev, Wx, Wh, b)


def rnn_step_backward(dh_next: ArrayLike, cache: RNNStepCache) -> tuple[np.ndarray, ...]:
    """Backward pass of :func:`rnn_step_forward`.

    Args:
        dh_next: upstream gradient of ``h(t)``, ``(N, H)``.
        cache: the :class:`RNNStepCache` from the forward step.

    Returns:
        ``(dx_t (N, D), dh_prev (N, H), dWx (D, H), dWh (H, H), db (H,))``.
    """
    check_instance(cache, "cache", RNNStepCache, "the cache returned by rnn_step_forward")
    n, h = cache.h_next.shape
    dh_next = check_array(dh_next, "dh_next", "N,H", {"N": n, "H": h})
    return _step_backward(dh_next, cache)


def rnn_forward(
    x: ArrayLike,
    h0: ArrayLike,
    Wx: ArrayLike,
    Wh: ArrayLike,
    b: ArrayLike,
    mask: ArrayLike | None = None,
) -> tuple[np.ndarray, RNNCache]:
    """Run the simple RNN over a batch of sequences.

    Args:
        x: inputs, ``(N, T, D)``.
        h0: initial hidden state, ``(N, H)``.
        Wx: ``(D, H)``; Wh: ``(H, H)``; b: ``(H,)`` (Keras' kernel, recurrent_kernel, bias).
        mask: optional ``(N, T)`` booleans, False where a step is padding: the state is carried over
            unchanged there (as Keras does with a mask) and the step gets no gradient.

    Returns:
        ``(h, cache)``: hidden states after every step ``(N, T, H)`` (``h[:, -1]`` is the final state)
        and an :class:`RNNCache`.
    """
    sizes: dict[str, int] = {}
    x = check_array(x, "x", "N,T,D", sizes)
    Wx, Wh, b = _check_weights(Wx, Wh, b, sizes)
    h0 = check_array(h0, "h0", "N,H", sizes)
    mask = check_mask(mask, "mask", sizes)

    h = np.empty((sizes["N"], sizes["T"], sizes["H"]), np.result_type(x, h0))  # (N, T, H)
    h_prev, steps = h0, []
    for t in range(sizes["T"]):
        h_next, step = _step_forward(x[:, t], h_prev, Wx, Wh, b)
        h[:, t] = h_prev = carry(h_next, h_prev, mask, t)  # padded rows keep their state
        steps.append(step)
    return h, RNNCache(steps, mask, x.shape, b.shape)


def rnn_backward(
    dh: ArrayLike, cache: RNNCache, truncate: int | None = None
) -> tuple[np.ndarray, ...]:
    """Backpropagation through time for :func:`rnn_forward`.

    Args:
        dh: upstream gradient of every hidden state, ``(N, T, H)`` (zeros where the loss does not
            look at a step; a loss on the last state only has ``dh[:, :-1] = 0``).
        cache: the :class:`RNNCache` from :func:`rnn_forward`.
        truncate: ``None`` for full BPTT, or ``k``: the gradient of the loss at step ``t`` flows back
            through steps ``t-k+1 .. t`` only (``k`` cell applications) and stops before ``h(t-k)``.

    Returns:
        ``(dx (N, T, D), dh0 (N, H), dWx (D, H), dWh (H, H), db (H,))``.
    """
    check_instance(cache, "cache", RNNCache, "the cache returned by rnn_forward")
    n, t_steps, _ = cache.x_shape
    dh = check_array(dh, "dh", "N,T,H", {"N": n, "T": t_steps, "H": cache.b_shape[0]})
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
