"""Tests for course_utils.check.nb04: correct solutions pass, typical mistakes get a specific message."""

from __future__ import annotations

import re

import numpy as np
import pytest

from course_utils import check


def step_back(dh_t, h_t, Wh):
    return (dh_t * (1 - h_t**2)) @ Wh.T


def output_grads(h, dz):
    N, T, H = h.shape
    return h.reshape(N * T, H).T @ dz.reshape(N * T, -1), dz.sum(axis=(0, 1))


def clip_global(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    return [g * min(1.0, max_norm / norm) for g in grads]


def not_attempted(*args):
    raise NotImplementedError


def test_correct_solutions_pass(capsys):
    assert check.exercise_04_1(step_back)
    assert check.exercise_04_2(output_grads)
    assert check.exercise_04_3(clip_global)
    assert capsys.readouterr().out.count("[PASS]") == 3


@pytest.mark.parametrize(
    "exercise", [check.exercise_04_1, check.exercise_04_2, check.exercise_04_3]
)
def test_not_attempted_is_reported_not_raised(exercise, capsys):
    result = exercise(not_attempted)
    assert not result and "not attempted yet" in result.message
    assert "[NOT YET]" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "match"),
    [
        (lambda dh, h, W: dh @ W.T, "the tanh derivative is missing"),
        (lambda dh, h, W: (dh * (1 - h**2)) @ W, "Wh is not transposed"),
        (lambda dh, h, W: dh * (1 - h**2), "gradient of the pre-activation"),
        (lambda dh, h, W: (dh * (1 - np.tanh(h) ** 2)) @ W.T, r"not 1 - tanh\(h\(t\)\)\^2"),
        (lambda dh, h, W: (dh * (1 - h)) @ W.T, r"not 1 - h\(t\)\."),
        (lambda dh, h, W: -((dh * (1 - h**2)) @ W.T), "sign is flipped"),
        (
            lambda dh, h, W: dh[:, :2],
            r"expected dh\(t-1\) of shape \(3, 4\) = \(N, H\), got shape \(3, 2\)",
        ),
        (lambda dh, h, W: dh @ W.T * 1.5, "the values differ"),
        (lambda dh, h, W: 1 / 0, "your function raised ZeroDivisionError"),
    ],
)
def test_exercise_1_diagnoses(wrong, match):
    result = check.exercise_04_1(wrong)
    assert not result
    assert re.search(match, result.message), result.message


@pytest.mark.parametrize(
    ("wrong", "match"),
    [
        (lambda h, dz: (h[:, -1].T @ dz[:, -1], dz.sum(axis=(0, 1))), "last step only"),
        (
            lambda h, dz: (output_grads(h, dz)[0] / h.shape[1], dz.sum(axis=(0, 1))),
            "averaged over time",
        ),
        (
            lambda h, dz: (output_grads(h, dz)[0] / h.shape[0], dz.sum(axis=(0, 1))),
            "averaged over the batch",
        ),
        (lambda h, dz: (output_grads(h, dz)[0].T, dz.sum(axis=(0, 1))), r"= \(O, H\)"),
        (lambda h, dz: (output_grads(h, dz)[0], dz[:, -1].sum(axis=0)), "dbo must be dz summed"),
        (lambda h, dz: output_grads(h, dz)[0], r"expected a pair \(dWo, dbo\)"),
        (lambda h, dz: (output_grads(h, dz)[0] + 1, dz.sum(axis=(0, 1))), "largest difference"),
    ],
)
def test_exercise_2_diagnoses(wrong, match):
    result = check.exercise_04_2(wrong)
    assert not result
    assert re.search(match, result.message), result.message


def _each(grads, max_norm):
    return [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads]


def _always(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    return [g * max_norm / norm for g in grads]


@pytest.mark.parametrize(
    ("wrong", "match"),
    [
        (_each, "its own norm"),
        (_always, "must stay unchanged"),
        (lambda grads, m: [np.clip(g, -m, m) for g in grads], "clipping by value"),
        (lambda grads, m: grads[:2], "expected a list of 3 arrays"),
        (lambda grads, m: [g.ravel() for g in grads], "keep the shape"),
        (lambda grads, m: [g * 0.5 for g in grads], "should have norm"),
    ],
)
def test_exercise_3_diagnoses(wrong, match):
    result = check.exercise_04_3(wrong)
    assert not result
    assert re.search(match, result.message), result.message


def test_non_numeric_results_are_feedback_not_errors():
    result = check.exercise_04_1(lambda *args: "abc")
    assert not result and "expected dh(t-1) of shape (3, 4) = (N, H), got str." in result.message
    result = check.exercise_04_2(lambda h, dz: ("dWo", "dbo"))
    assert not result and "dWo and dbo must be numeric arrays" in result.message
    result = check.exercise_04_3(lambda grads, m: ["a", "b", "c"])
    assert not result and "expected a list of 3 numeric arrays" in result.message
