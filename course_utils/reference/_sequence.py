"""What the time loops of every reference cell share: the mask, and the windows of truncated BPTT.

Each cell's ``*_forward`` and ``*_backward`` write their loop over time themselves, cs231n-style, e.g.::

    for t in reversed(range(T)):                    # rnn_backward, full BPTT, no mask
        dx[:, t], dprev_h, dWx_t, dWh_t, db_t = step_backward(dh[:, t] + dprev_h, cache.steps[t])

These helpers only decide where the state and its gradient *stop*; they never hide the recurrence.

Mask (``(N, T)`` booleans, True = a real step, False = padding): where ``mask[n, t]`` is False, sequence
``n`` skips step ``t``: its state is carried over unchanged (``h(t) = h(t-1)``, ``c(t) = c(t-1)``), so the
hidden state reported at that step is the carried one (:func:`carry`), and no gradient reaches ``x(t)`` or
the weights from that step: the upstream gradient arriving there flows, unchanged, to the carried state
(:func:`masked`). Keras' layers (``return_sequences=True``) carry the state the same way and output, at a
skipped step, their previous *output*: that is the carried state once a real step has happened, so
outputs, final states and gradients all agree with Keras. The one difference: before a sequence's first
real step (pre-padding) Keras outputs zeros, while ``h`` here holds the carried initial state ``h0`` (the
state Keras carries too); with ``h0 = 0``, Keras' default, even that agrees.
``tests/test_reference_keras.py`` pins all of this.

Truncation (``truncate=k``, :func:`windows`): the gradient of the loss at step ``t`` (``dh[:, t]``) flows
back through steps ``t, t-1, ..., t-k+1`` only — at most ``k`` applications of the cell, masked steps
included — and is dropped where it would reach the state ``h(t-k)``. So ``x(s)`` and the weights used at
step ``s`` receive gradient from the losses at steps ``s .. s+k-1``, and ``h0`` only from the losses at
steps ``0 .. k-1``. ``truncate=None`` (or ``k >= T``) is full BPTT: one window over every step. Each
upstream gradient has its own window, so the truncated pass costs ``O(T k)`` step backward calls instead
of ``O(T)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from ..validation import check_positive_int


def carry(new: np.ndarray, old: np.ndarray, mask: np.ndarray | None, t: int) -> np.ndarray:
    """The state after step ``t``: ``new (N, H)`` where ``mask[:, t]`` is True, the carried ``old`` elsewhere."""
    return new if mask is None else np.where(mask[:, t, None], new, old)


def masked(
    step_backward: Callable[..., tuple[np.ndarray, ...]],
    dnext: np.ndarray | tuple[np.ndarray, ...],
    cache: Any,
    t: int,
) -> tuple[np.ndarray, ...]:
    """``step_backward(*dnext, cache.steps[t])`` for the rows that ran step ``t``; the identity for the others.

    Args:
        step_backward: a cell's ``(dh_next[, dc_next], step_cache) -> (dx_t, dh_prev[, dc_prev], *dparams)``.
        dnext: gradient of the state after step ``t``: ``dh (N, H)``, or the tuple ``(dh, dc)`` (LSTM).
        cache: a sequence cache with ``steps`` (one step cache per step) and ``mask`` (``(N, T)`` or None).
        t: the step.

    Returns:
        ``step_backward``'s tuple. Rows with ``mask[n, t]`` False skipped the step in the forward pass, so
        they hand their gradient unchanged to the previous state and give ``x(t)`` and the weights nothing.
    """
    dstate = dnext if isinstance(dnext, tuple) else (dnext,)
    if cache.mask is None:
        return step_backward(*dstate, cache.steps[t])
    keep = cache.mask[:, t, None]  # (N, 1)
    live = [np.where(keep, d, 0.0) for d in dstate]  # padded rows: no gradient into the step
    dx_t, *rest = step_backward(*live, cache.steps[t])
    dprev = [np.where(keep, dp, d) for dp, d in zip(rest, dstate)]  # ... and all of it to the state
    return (dx_t, *dprev, *rest[len(dstate) :])


def windows(dh: np.ndarray, truncate: int | None) -> Iterator[tuple[range, np.ndarray]]:
    """The backward passes of (truncated) BPTT over ``dh (N, T, H)``, as ``(steps, dh_window)`` pairs.

    ``steps`` counts down (``range(last, first - 1, -1)``) and ``dh_window (N, T, H)`` is the upstream
    gradient that pass adds at each step. Full BPTT (``truncate`` None or ``>= T``): one pass over all
    steps with all of ``dh``. ``truncate=k``: one pass per step ``t`` whose loss has a gradient, over steps
    ``t, ..., t-k+1`` (not below 0), adding ``dh[:, t]`` at step ``t`` only. A pass that ends above step 0
    stops there: its gradient of ``h(first - 1)`` is dropped — that is the truncation; only passes with
    ``first == 0`` reach the initial state.
    """
    t_steps = dh.shape[1]
    if truncate is not None:
        truncate = check_positive_int(truncate, "truncate")
    if truncate is None or truncate >= t_steps:
        yield range(t_steps - 1, -1, -1), dh
        return
    dh_window = np.zeros_like(dh)  # reused: one column is set per pass, and cleared after it
    for t in reversed(range(t_steps)):
        if t < t_steps - 1 and not np.any(dh[:, t]):
            continue  # nothing to carry (e.g. a loss on the last step only); the last pass always runs
        dh_window[:, t] = dh[:, t]
        yield range(t, max(t - truncate, -1), -1), dh_window
        dh_window[:, t] = 0.0
