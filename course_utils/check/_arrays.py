"""Turning a student's result into an array of the expected shape, with feedback instead of exceptions.

Shared by the checks that expect arrays (``nb01``, ``nb04``, ``nb06``, ``nb07``): a result that is not
numeric (a string, ``None`` from a missing ``return``, a ragged list) or has the wrong shape becomes a
failed :class:`~course_utils.check._feedback.Feedback` that names the expected shape in the course's
letters, in the wording of :mod:`course_utils.validation` (``(3, 5) = (N, H)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._feedback import Feedback, failed

__all__ = ["array_of_shape", "float_array"]


def float_array(value: Any) -> np.ndarray | None:
    """``value`` as a float array, or None when it is None or not numeric (strings, ragged lists)."""
    if value is None:
        return None
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def array_of_shape(
    ex: str,
    got: Any,
    shape: tuple[int, ...],
    letters: str,
    what: str = "an array",
    *,
    show: bool = True,
) -> tuple[np.ndarray | None, Feedback | None]:
    """``(array, None)`` when ``got`` is numeric with ``shape``; otherwise ``(None, failed feedback)``.

    Args:
        ex: the exercise id, e.g. ``"01.1"``.
        got: what the student's function returned.
        shape: the expected shape, e.g. ``(3, 5)``.
        letters: the same shape in the course's letters, e.g. ``"(N, H)"``.
        what: how the message names the result, e.g. ``"dh(t-1)"``.
        show: print the feedback.
    """
    expected = f"expected {what} of shape {shape} = {letters}"
    arr = float_array(got)
    if arr is None:
        hint = " (did you forget to `return` it?)" if got is None else ""
        return None, failed(ex, f"{expected}, got {type(got).__name__}{hint}.", show=show)
    if arr.shape != shape:
        return None, failed(ex, f"{expected}, got shape {arr.shape}.", show=show)
    return arr, None
