"""Numerical gradients and relative errors: the tools that prove a backward pass right.

For an array-valued ``f`` and an upstream gradient ``df`` (shaped like ``f(x)``), the gradient of the scalar
``L(x) = sum(df * f(x))`` with respect to ``x`` is what every backward function returns, so::

    dx_num = numerical_gradient(lambda x: rnn_forward(x, h0, Wx, Wh, b)[0], x, dh)
    dx, *_ = rnn_backward(dh, cache)
    rel_error(dx, dx_num)   # ~1e-10 in float64

Use float64: with float32 the central difference is dominated by rounding.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .validation import check_array, check_positive, check_same_shape

__all__ = ["numerical_gradient", "rel_error"]


def numerical_gradient(
    f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, df: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Central-difference gradient of ``sum(df * f(x))`` with respect to ``x``.

    Each entry of ``x`` is nudged by ``+h`` and ``-h`` in place (and restored), so ``f`` must read ``x``
    when called; the cost is ``2 * x.size`` calls of ``f``.

    Args:
        f: function of ``x`` returning an array shaped like ``df`` (e.g. the hidden states ``(N, T, H)``).
        x: the float array to differentiate with respect to (any shape); modified and restored in place.
        df: upstream gradient, shaped like ``f(x)``.
        h: step size.

    Returns:
        An array shaped like ``x``.

    >>> x = np.array([1.0, 2.0])
    >>> np.round(numerical_gradient(lambda v: v**2, x, np.ones(2)), 6)
    array([2., 4.])
    """
    check_array(x, "x", None, in_place=True, finite=False)
    h = check_positive(h, "h")
    df = np.asarray(df)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        idx = it.multi_index
        old = x[idx]
        x[idx] = old + h
        plus = np.array(f(x), dtype=np.float64, copy=True)
        x[idx] = old - h
        minus = np.array(f(x), dtype=np.float64, copy=True)
        x[idx] = old
        if idx == (0,) * x.ndim:
            check_same_shape(df, "df", plus, "f(x)")
        grad[idx] = np.sum((plus - minus) * df) / (2.0 * h)
    return grad


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """Relative error ``max|a - b| / max(max|a|, max|b|)`` (0 when both are all zero).

    Scaled by the largest magnitude rather than entry by entry, so entries that are close to zero in
    both arrays (padded steps, saturated gates) do not blow the ratio up. Below ``1e-7`` in float64 means
    the two gradients agree.

    >>> float(np.round(rel_error(np.array([1.0, 4.0]), np.array([1.0, 4.0 + 4e-9])), 12))
    1e-09
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    check_same_shape(b, "b", a, "a")
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    if scale == 0.0:
        return 0.0
    return float(np.max(np.abs(a - b)) / scale)
