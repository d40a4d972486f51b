"""Instant feedback for exercises: one small result type shared by every ``check.exercise_*`` function.

A check never raises on a wrong answer: it prints what is wrong (and returns a :class:`Feedback`), so a
student's notebook keeps running and the message sits right under the attempt. An exercise still left as
``raise NotImplementedError`` is reported as "not attempted yet".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Feedback:
    """The outcome of one exercise check."""

    exercise: str  # e.g. "01.1"
    passed: bool
    message: str

    def __str__(self) -> str:
        mark = "PASS" if self.passed else "NOT YET"
        return f"[{mark}] Exercise {self.exercise}: {self.message}"

    def __bool__(self) -> bool:
        return self.passed


def passed(exercise: str, message: str = "correct.", *, show: bool = True) -> Feedback:
    """A passing result (printed unless ``show`` is False)."""
    result = Feedback(exercise, True, message)
    if show:
        print(result)
    return result


def failed(exercise: str, message: str, *, show: bool = True) -> Feedback:
    """A failing result whose message says what is wrong (printed unless ``show`` is False)."""
    result = Feedback(exercise, False, message)
    if show:
        print(result)
    return result


def attempt(
    exercise: str, fn: Callable[..., Any], *args: Any, show: bool = True, **kwargs: Any
) -> tuple[Any, Feedback | None]:
    """Call a student's ``fn``; turn "not implemented" and crashes into feedback instead of a traceback.

    Returns ``(value, None)`` when the call succeeded, or ``(None, feedback)`` when it did not; that
    feedback is printed unless ``show`` is False.
    """
    if not callable(fn):
        return None, failed(exercise, f"expected a function, got {type(fn).__name__}.", show=show)
    try:
        return fn(*args, **kwargs), None
    except NotImplementedError:
        message = "not attempted yet: replace `raise NotImplementedError` with your code."
        return None, failed(exercise, message, show=show)
    except Exception as exc:  # a student's bug: report it, don't crash the notebook
        return None, failed(
            exercise, f"your function raised {type(exc).__name__}: {exc}", show=show
        )
