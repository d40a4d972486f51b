"""Tests for course_utils.data.memory: the adding problem and the copy task."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.data import ADDING_BASELINE_MSE, ADDING_HALF_MSE, adding_problem, copy_task


def test_adding_problem_shapes_dtypes_and_targets():
    x, y = adding_problem(64, 12, seed=1)
    assert x.shape == (64, 12, 2) and y.shape == (64, 1)
    assert x.dtype == np.float32 and y.dtype == np.float32
    markers = x[:, :, 1]
    assert np.all(markers.sum(axis=1) == 2)
    assert set(np.unique(markers)) == {0.0, 1.0}
    # one mark in each half: the first one is at least T - T // 2 steps before the end
    assert np.all(markers[:, :6].sum(axis=1) == 1) and np.all(markers[:, 6:].sum(axis=1) == 1)
    np.testing.assert_allclose(y[:, 0], (x[:, :, 0] * markers).sum(axis=1), rtol=1e-6)
    assert np.all((x[:, :, 0] >= 0) & (x[:, :, 0] < 1))


def test_adding_problem_is_seeded():
    a = adding_problem(8, 10, seed=3)
    b = adding_problem(8, 10, seed=3)
    c = adding_problem(8, 10, seed=4)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_adding_baselines_match_the_data():
    x, y = adding_problem(20000, 20, seed=0)
    assert abs(float(np.mean((y - 1.0) ** 2)) - ADDING_BASELINE_MSE) < 0.01
    # knowing only the second (recent) number leaves the variance of the first
    second = (x[:, 10:, 0] * x[:, 10:, 1]).sum(axis=1)
    assert abs(float(np.mean((y[:, 0] - second - 0.5) ** 2)) - ADDING_HALF_MSE) < 0.01


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n": 0, "T": 10}, ValueError, r"n: expected a positive integer, got 0"),
        (
            {"n": 4, "T": 1},
            ValueError,
            r"T: expected a number of steps >= 2 \(one mark in each half\), got 1",
        ),
        ({"n": 4, "T": 2.5}, TypeError, r"T: expected a positive integer, got float 2.5"),
    ],
)
def test_adding_problem_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        adding_problem(kwargs["n"], kwargs["T"], seed=0)


def test_copy_task_layout():
    x, y = copy_task(16, length=4, delay=6, n_symbols=5, seed=2)
    T = 2 * 4 + 6 + 1
    assert x.shape == (16, T, 7) and y.shape == (16, T)
    assert x.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(x.sum(axis=-1), np.ones((16, T)))  # one-hot
    symbols = x[:, :4, :5].argmax(-1)
    np.testing.assert_array_equal(y[:, -4:], symbols)
    assert np.all(y[:, :-4] == 5)  # blank class elsewhere
    assert np.all(x[:, 4:10, 5] == 1)  # blanks during the delay
    assert np.all(x[:, 10, 6] == 1)  # the go marker
    assert np.all(x[:, 11:, 5] == 1)  # blanks while recalling


def test_copy_task_is_seeded_and_uses_every_symbol():
    a, ya = copy_task(200, length=5, delay=0, n_symbols=4, seed=9)
    b, yb = copy_task(200, length=5, delay=0, n_symbols=4, seed=9)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)
    assert set(np.unique(ya[:, -5:])) == {0, 1, 2, 3}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"delay": -1}, r"delay: expected a non-negative integer, got -1"),
        ({"delay": 2, "n_symbols": 1}, r"n_symbols: expected a number of symbols >= 2, got 1"),
        ({"delay": 2, "length": 0}, r"length: expected a positive integer, got 0"),
    ],
)
def test_copy_task_rejects_bad_arguments(kwargs, match):
    args = {"length": 3, **kwargs}
    with pytest.raises(ValueError, match=match):
        copy_task(4, seed=0, **args)
