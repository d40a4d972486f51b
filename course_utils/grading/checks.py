"""Assertions with diagnoses, used by the assignments' public and hidden tests.

A failed check raises ``AssertionError`` whose message names the function and, where it can, the mistake:
the student's result is compared with the results of typical wrong versions ("variants") computed from
the same inputs, e.g. ``{"the bias b is not added": tanh(x Wx + h Wh)}``. A variant that matches says
exactly what went wrong; otherwise the message gives the largest error.

>>> expect_array(np.ones(2), np.ones(2), "f")
>>> expect_array(np.zeros(2), np.ones(2), "f", variants={"the bias is missing": np.zeros(2)})
Traceback (most recent call last):
...
AssertionError: f: the bias is missing
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["expect_array", "expect_arrays", "expect_tuple", "sigmoid"]


def sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-a))`` (for building variants)."""
    return 1.0 / (1.0 + np.exp(-a))


def expect_tuple(value: Any, n: int, name: str, what: str) -> tuple:
    """Check that ``value`` is a tuple (or list) of ``n`` items; ``what`` names them for the message.

    >>> expect_tuple(None, 2, "rnn_forward", "(h, cache)")
    Traceback (most recent call last):
    ...
    AssertionError: rnn_forward returned None: not implemented yet (expected (h, cache))
    """
    if value is None:
        raise AssertionError(f"{name} returned None: not implemented yet (expected {what})")
    if not isinstance(value, (tuple, list)) or len(value) != n:
        got = f"a {type(value).__name__}" + (
            f" of length {len(value)}" if isinstance(value, (tuple, list)) else ""
        )
        raise AssertionError(f"{name}: expected a tuple of {n} values {what}, got {got}")
    return tuple(value)


def _close(a: np.ndarray, b: np.ndarray, rtol: float, atol: float) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def expect_array(
    got: Any,
    expected: np.ndarray,
    name: str,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    variants: Mapping[str, np.ndarray] | None = None,
) -> None:
    """Raise ``AssertionError`` unless ``got`` equals ``expected`` (shape and values, within tolerance).

    Args:
        got: the student's value.
        expected: the right value.
        name: what is checked, e.g. ``"rnn_step_forward: h_next"``.
        rtol, atol: tolerances of ``np.allclose``.
        variants: description -> value of a typical wrong version; a match names the mistake.
    """
    expected = np.asarray(expected)
    if got is None:
        raise AssertionError(f"{name} is None: not implemented yet")
    if not isinstance(got, np.ndarray) and not np.isscalar(got):
        raise AssertionError(
            f"{name}: expected a NumPy array of shape {expected.shape}, got {type(got).__name__}"
        )
    got = np.asarray(got)
    if not (np.issubdtype(got.dtype, np.number) or got.dtype == bool):
        raise AssertionError(f"{name}: expected a numeric array, got dtype {got.dtype}")
    for description, value in (variants or {}).items():
        value = np.asarray(value)
        if _close(got, value, rtol, atol) and not _close(value, expected, rtol, atol):
            raise AssertionError(f"{name}: {description}")
    if got.shape != expected.shape:
        raise AssertionError(f"{name}: expected shape {expected.shape}, got {got.shape}")
    if not np.all(np.isfinite(got)):
        raise AssertionError(f"{name}: contains NaN or infinity")
    if not _close(got, expected, rtol, atol):
        err = float(np.max(np.abs(got.astype(np.float64) - expected)))
        raise AssertionError(f"{name}: wrong values (largest error {err:.3g})")


def expect_arrays(
    got: Any,
    expected: tuple,
    names: tuple[str, ...],
    function: str,
    *,
    variants: Mapping[str, tuple] | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-8,
) -> None:
    """Check a tuple of results (e.g. all gradients of a backward function) one by one.

    ``variants`` maps a description to a whole wrong tuple; entry ``k`` of it is a variant for result ``k``.

    >>> expect_arrays((np.ones(1), np.zeros(1)), (np.ones(1), np.ones(1)), ("a", "b"), "f",
    ...               variants={"b is not computed": (np.ones(1), np.zeros(1))})
    Traceback (most recent call last):
    ...
    AssertionError: f: b: b is not computed
    """
    got = expect_tuple(got, len(names), function, "(" + ", ".join(names) + ")")
    for k, name in enumerate(names):
        wrong = {d: v[k] for d, v in (variants or {}).items() if v is not None and v[k] is not None}
        expect_array(
            got[k], expected[k], f"{function}: {name}", rtol=rtol, atol=atol, variants=wrong
        )
