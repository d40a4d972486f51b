"""Every exercise check takes a keyword-only ``show``: False prints nothing, and a Feedback comes back anyway."""

from __future__ import annotations

import inspect

import pytest

from course_utils import check
from course_utils.check._feedback import Feedback

EXERCISES = sorted(name for name in dir(check) if name.startswith("exercise_"))


def not_attempted(*args, **kwargs):
    raise NotImplementedError


def wrong(*args, **kwargs):
    return 0


def test_there_are_21_exercise_checks_each_with_a_keyword_only_show():
    assert len(EXERCISES) == 21
    for name in EXERCISES:
        show = inspect.signature(getattr(check, name)).parameters["show"]
        assert show.kind is inspect.Parameter.KEYWORD_ONLY and show.default is True, name


@pytest.mark.parametrize("name", EXERCISES)
@pytest.mark.parametrize("answer", [not_attempted, wrong])
def test_show_false_prints_nothing_and_returns_the_feedback(name, answer, capsys):
    result = getattr(check, name)(answer, show=False)
    assert isinstance(result, Feedback) and not result.passed
    assert capsys.readouterr().out == ""
    again = getattr(check, name)(answer)  # show=True prints the same feedback
    assert again == result
    assert capsys.readouterr().out == f"{result}\n"
