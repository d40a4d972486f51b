"""Exercise checks for notebook 03 (TensorFlow/Keras examples).

* ``exercise_03_1(forecast_iteratively)``: multi-step forecasting by feeding predictions back;
* ``exercise_03_2(with_temperature)``: rescaling a distribution by a sampling temperature;
* ``exercise_03_3(pad_and_mask)``: padding variable-length sequences and building their mask.

Each compares the student's function with :mod:`course_utils.forecasting` / :mod:`course_utils.textgen` on
small fixed inputs and says what differs; nothing is raised and no solution is printed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..forecasting import forecast_iterative
from ..textgen import apply_temperature
from ._feedback import Feedback, attempt, failed, passed

__all__ = ["exercise_03_1", "exercise_03_2", "exercise_03_3"]


def _as_array(value: Any) -> np.ndarray | None:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


# --- 03.1 --------------------------------------------------------------------------------------------


def _damped_rule(window: np.ndarray) -> np.ndarray:
    """A one-step 'model' whose answer depends on the window's length, its order and its last values."""
    weights = np.linspace(0.1, 1.0, window.shape[1])  # newer values weigh more
    return (window[:, :, 0] @ weights / weights.sum() * 0.5 + 0.6 * window[:, -1, 0])[:, None]


def exercise_03_1(fn: Callable[..., Any], *, show: bool = True) -> Feedback:
    """Check ``fn(predict_one, x, n_out) -> (N, n_out)`` against the reference iterative forecast."""
    ex = "03.1"
    x = np.linspace(-1.0, 1.0, 2 * 6).reshape(2, 6, 1)
    x_before = x.copy()
    value, problem = attempt(ex, fn, _damped_rule, x, 4, show=show)
    if problem is not None:
        return problem
    got = _as_array(value)
    expected = forecast_iterative(_damped_rule, x_before, 4)
    if got is None or got.shape != expected.shape:
        shape = None if got is None else got.shape
        return failed(
            ex, f"expected an array of shape (N, n_out) = {expected.shape}, got {shape}.", show=show
        )
    if not np.array_equal(x, x_before):
        return failed(
            ex, "your function changed the input window `x` in place; work on a copy.", show=show
        )
    if not np.allclose(got[:, 0], expected[:, 0], atol=1e-8):
        return failed(
            ex, "the first forecast is wrong: it should be `predict_one(x)[:, 0]`.", show=show
        )
    first_only = np.repeat(expected[:, :1], 4, axis=1)
    if np.allclose(got, first_only, atol=1e-8):
        return failed(
            ex,
            "every step repeats the first forecast: append each prediction to the window and predict again.",
            show=show,
        )
    grown = _grown_window_forecast(x_before, 4)
    if np.allclose(got, grown, atol=1e-8):
        return failed(
            ex,
            "the window grows by one each step: drop the oldest value when you append a prediction, "
            "so the window keeps its length T.",
            show=show,
        )
    if not np.allclose(got, expected, atol=1e-8):
        wrong = int(np.argmax(~np.all(np.isclose(got, expected, atol=1e-8), axis=0)))
        return failed(
            ex,
            f"step {wrong + 1} differs from the expected forecast: append the newest prediction at the end "
            "of the window (time runs along axis 1).",
            show=show,
        )
    return passed(
        ex, "correct: each prediction is fed back and the window slides forward.", show=show
    )


def _grown_window_forecast(x: np.ndarray, n_out: int) -> np.ndarray:
    window, outputs = x.copy(), []
    for _ in range(n_out):
        step = _damped_rule(window)
        outputs.append(step[:, 0])
        window = np.concatenate([window, step[:, :, None]], axis=1)
    return np.stack(outputs, axis=1)


# --- 03.2 --------------------------------------------------------------------------------------------


def exercise_03_2(fn: Callable[..., Any], *, show: bool = True) -> Feedback:
    """Check ``fn(probs, tau)`` = softmax(log(probs) / tau) along the last axis, for (V,) and (N, V)."""
    ex = "03.2"
    probs = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])
    cases = [(probs[0], 1.0), (probs[0], 0.5), (probs, 2.0), (probs, 0.25)]
    for p, tau in cases:
        value, problem = attempt(ex, fn, p.copy(), tau, show=show)
        if problem is not None:
            return problem
        got = _as_array(value)
        expected = apply_temperature(p, tau)
        if got is None or got.shape != expected.shape:
            shape = None if got is None else got.shape
            return failed(
                ex,
                f"for probs of shape {p.shape} expected the same shape back, got {shape}.",
                show=show,
            )
        if not np.allclose(got.sum(axis=-1), 1.0, atol=1e-6):
            return failed(
                ex,
                f"at tau = {tau} your rows sum to {np.round(got.sum(axis=-1), 3).tolist()}, not 1: "
                "renormalise along the last axis.",
                show=show,
            )
        if tau != 1.0 and np.allclose(got, apply_temperature(p, 1.0 / tau), atol=1e-6):
            return failed(
                ex,
                f"at tau = {tau} the distribution moves the wrong way: low temperatures must sharpen it "
                "(divide the log-probabilities by tau, do not multiply).",
                show=show,
            )
        if not np.allclose(got, expected, atol=1e-6):
            return failed(
                ex,
                f"at tau = {tau} the values differ from softmax(log(p) / tau): for p = {np.round(p, 2).tolist()} "
                f"expected {np.round(expected, 3).tolist()}.",
                show=show,
            )
    return passed(
        ex,
        "correct: tau < 1 sharpens, tau > 1 flattens, tau = 1 keeps the model's distribution.",
        show=show,
    )


# --- 03.3 --------------------------------------------------------------------------------------------


def exercise_03_3(fn: Callable[..., Any], *, show: bool = True) -> Feedback:
    """Check ``fn(sequences) -> (x (N, T_max, D), mask (N, T_max))`` with zeros after each sequence."""
    ex = "03.3"
    rng = np.random.default_rng(3)
    sequences = [rng.uniform(0.5, 1.0, size=(n, 2)) for n in (2, 4, 1)]
    sequences[1][2] = 0.0  # a real step that is all zeros: it is still a real step (not padding)
    value, problem = attempt(ex, fn, [s.copy() for s in sequences], show=show)
    if problem is not None:
        return problem
    if not isinstance(value, tuple) or len(value) != 2:
        return failed(ex, f"expected a pair (x, mask), got {type(value).__name__}.", show=show)
    x, mask = _as_array(value[0]), np.asarray(value[1])
    if x is None or x.shape != (3, 4, 2):
        return failed(
            ex,
            f"x: expected shape (N, T_max, D) = (3, 4, 2), got {None if x is None else x.shape}.",
            show=show,
        )
    expected = np.zeros((3, 4, 2))
    expected_mask = np.zeros((3, 4), dtype=bool)
    for i, s in enumerate(sequences):
        expected[i, : len(s)] = s
        expected_mask[i, : len(s)] = True
    pre = np.zeros_like(expected)
    for i, s in enumerate(sequences):
        pre[i, 4 - len(s) :] = s
    if np.allclose(x, pre):
        return failed(
            ex,
            "x: the padding goes before the sequences; put the zeros after them ('post').",
            show=show,
        )
    if not np.allclose(x, expected):
        return failed(
            ex, "x: expected each sequence at the start of its row and zeros after it.", show=show
        )
    if mask.shape != (3, 4):
        return failed(ex, f"mask: expected shape (N, T_max) = (3, 4), got {mask.shape}.", show=show)
    if mask.dtype != bool:
        return failed(ex, f"mask: expected a boolean array, got dtype {mask.dtype}.", show=show)
    if np.array_equal(mask, ~expected_mask):
        return failed(
            ex,
            "mask: True must mark the real steps and False the padding, not the other way round.",
            show=show,
        )
    if np.array_equal(mask, expected_mask & (np.abs(expected).sum(-1) > 0)):
        return failed(
            ex,
            "mask: row 1 has a real step that is all zeros, and your mask calls it padding. Build the "
            "mask from the lengths of the sequences, not from the values (the pitfall of Keras' Masking "
            "layer).",
            show=show,
        )
    if not np.array_equal(mask, expected_mask):
        return failed(
            ex, "mask: expected True at the first T_i steps of row i and False after.", show=show
        )
    return passed(
        ex, "correct: post-padding with zeros and a mask that is True at real steps.", show=show
    )
