"""The time loop shared by every reference cell: masking and (truncated) backpropagation through time.

A cell is described by two private step functions that work on a *state tuple* — ``(h,)`` for SimpleRNN
and GRU, ``(h, c)`` for LSTM, each entry ``(N, H)``:

* ``step_forward(x_t, state) -> (new_state, step_cache)``
* ``step_backward(dstate_next, step_cache) -> (dx_t, dstate_prev, dparams)``

:func:`scan_forward` runs the cell over ``x (N, T, D)`` and :func:`scan_backward` runs backpropagation
through time (BPTT), optionally truncated. Both implement Keras' mask semantics once, for all cells.

Mask (``(N, T)`` booleans, True = a real step, False = padding): where ``mask[n, t]`` is False, sequence
``n`` skips step ``t``: its state is carried over unchanged (``h(t) = h(t-1)``, ``c(t) = c(t-1)``), so the
hidden state reported at that step is the carried one, and no gradient reaches ``x(t)`` or the weights
from that step. The upstream gradient arriving at a skipped step flows, unchanged, to the carried state.
Keras' layers (``return_sequences=True``) carry the state the same way and output, at a skipped step, their
previous *output*: that is the carried state once a real step has happened, so outputs, final states and
gradients all agree with Keras. The one difference: before a sequence's first real step (pre-padding)
Keras outputs zeros, while ``h`` here holds the carried initial state ``h0`` (the state Keras carries too);
with ``h0 = 0``, Keras' default, even that agrees. ``tests/test_reference_keras.py`` pins all of this.

Truncation (``truncate=k``): the gradient of the loss at step ``t`` (``dh[:, t]``) flows back through
steps ``t, t-1, ..., t-k+1`` only — at most ``k`` applications of the cell, masked steps included — and is
dropped where it would reach the state ``h(t-k)``. So ``x(s)`` and the weights used at step ``s`` receive
gradient from the losses at steps ``s .. s+k-1``, and ``h0`` only from the losses at steps ``0 .. k-1``.
``truncate=None`` (or ``k >= T``) is full BPTT. Each upstream gradient is carried separately, so the
truncated pass costs ``O(T k)`` step backward calls instead of ``O(T)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..validation import check_array, check_positive_int

State = tuple[np.ndarray, ...]
StepForward = Callable[[np.ndarray, State], tuple[State, Any]]
StepBackward = Callable[[State, Any], tuple[np.ndarray, State, tuple[np.ndarray, ...]]]


def single_state_forward(
    step_forward: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, Any]],
) -> StepForward:
    """Adapt ``step_forward(x_t, h_prev) -> (h_next, cache)`` of a cell whose state is ``h`` alone."""

    def step(x_t: np.ndarray, state: State) -> tuple[State, Any]:
        h_next, cache = step_forward(x_t, state[0])
        return (h_next,), cache

    return step


def single_state_backward(
    step_backward: Callable[[np.ndarray, Any], tuple[np.ndarray, ...]],
) -> StepBackward:
    """Adapt ``step_backward(dh_next, cache) -> (dx_t, dh_prev, *dparams)`` of a cell whose state is ``h``."""

    def step(dstate: State, cache: Any) -> tuple[np.ndarray, State, tuple[np.ndarray, ...]]:
        dx_t, dh_prev, *dparams = step_backward(dstate[0], cache)
        return dx_t, (dh_prev,), tuple(dparams)

    return step


def scan_forward(
    step_forward: StepForward, x: np.ndarray, state0: State, mask: np.ndarray | None
) -> tuple[list[np.ndarray], list[Any]]:
    """Run ``step_forward`` over the time axis of ``x (N, T, D)`` starting from ``state0``.

    Returns ``(seqs, caches)``: one ``(N, T, H)`` array per state entry (``[h]``, or ``[h, c]`` for
    LSTM) holding the state after every step, and one step cache per time step.
    """
    n, t_steps, _ = x.shape
    dtype = np.result_type(x, *state0)
    seqs = [np.empty((n, t_steps, s.shape[1]), dtype=dtype) for s in state0]
    state = state0
    caches = []
    for t in range(t_steps):
        new_state, cache = step_forward(x[:, t], state)
        if mask is not None:
            keep = mask[:, t, None]  # (N, 1): padded rows keep their state
            new_state = tuple(np.where(keep, new, old) for new, old in zip(new_state, state))
        state = new_state
        for seq, s in zip(seqs, state):
            seq[:, t] = s
        caches.append(cache)
    return seqs, caches


def _masked_step_backward(
    step_backward: StepBackward, dnext: State, cache: Any, keep: np.ndarray | None
) -> tuple[np.ndarray, State, tuple[np.ndarray, ...]]:
    """One step of BPTT; rows with ``keep`` False pass their gradient straight to the carried state."""
    if keep is None:
        return step_backward(dnext, cache)
    live = tuple(np.where(keep, d, 0.0) for d in dnext)  # padded rows: no gradient into the step
    dx_t, dprev, dparams = step_backward(live, cache)
    dprev = tuple(np.where(keep, dp, d) for dp, d in zip(dprev, dnext))
    return dx_t, dprev, dparams


def scan_backward(
    step_backward: StepBackward,
    dh: np.ndarray,
    caches: Sequence[Any],
    mask: np.ndarray | None,
    x_shape: tuple[int, int, int],
    state_shapes: Sequence[tuple[int, int]],
    param_shapes: Sequence[tuple[int, ...]],
    truncate: int | None,
) -> tuple[np.ndarray, State, list[np.ndarray]]:
    """Backpropagate the upstream gradients ``dh (N, T, H)`` of every hidden state through time.

    Checks ``dh`` against ``x_shape`` and the state's ``H`` and ``truncate`` (None or a positive int).
    Returns ``(dx (N, T, D), dstate0 (tuple of (N, H)), dparams (list, one per parameter))``. See the
    module docstring for the exact meaning of ``mask`` and ``truncate``.
    """
    if truncate is not None:
        truncate = check_positive_int(truncate, "truncate")
    n, t_steps, _ = x_shape
    dh = check_array(dh, "dh", "N,T,H", {"N": n, "T": t_steps, "H": state_shapes[0][1]})
    dtype = dh.dtype
    dx = np.zeros(x_shape, dtype=dtype)
    dparams = [np.zeros(shape, dtype=dtype) for shape in param_shapes]
    zeros_state = tuple(np.zeros(shape, dtype=dtype) for shape in state_shapes)

    def back(t: int, dnext: State) -> State:
        keep = None if mask is None else mask[:, t, None]
        dx_t, dprev, dps = _masked_step_backward(step_backward, dnext, caches[t], keep)
        dx[:, t] += dx_t
        for acc, d in zip(dparams, dps):
            acc += d
        return dprev

    if truncate is None or truncate >= t_steps:
        dstate = zeros_state
        for t in reversed(range(t_steps)):
            dstate = (
                dstate[0] + dh[:, t],
                *dstate[1:],
            )  # the loss at step t joins the flow from later steps
            dstate = back(t, dstate)
        return dx, dstate, dparams

    dstate0 = [z.copy() for z in zeros_state]
    for t in reversed(range(t_steps)):
        if not np.any(dh[:, t]):
            continue  # nothing to carry (e.g. a loss on the last step only)
        carry = (dh[:, t], *zeros_state[1:])
        for s in range(t, max(t - truncate, -1), -1):  # steps t, ..., t-k+1 (not below 0)
            carry = back(s, carry)
        if (
            t - truncate < 0
        ):  # the window reached the start: this gradient arrives at the initial state
            for acc, d in zip(dstate0, carry):
                acc += d
    return dx, tuple(dstate0), dparams
