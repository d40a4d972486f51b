"""Tests for course_utils.data.echo: the delayed-echo task with a known dependency length."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.data import EchoTask, chance_accuracy, delayed_echo


def test_targets_are_the_inputs_delay_steps_earlier():
    task = delayed_echo(5, 12, 3, n_symbols=6, seed=0)
    assert isinstance(task, EchoTask) and task.delay == 3
    assert task.x.shape == (5, 12, 6) and task.y.shape == task.mask.shape == task.symbols.shape == (
        5,
        12,
    )
    np.testing.assert_array_equal(task.x.argmax(axis=-1), task.symbols)
    np.testing.assert_array_equal(task.x.sum(axis=-1), np.ones((5, 12)))
    for t in range(3, 12):
        np.testing.assert_array_equal(task.y[:, t], task.symbols[:, t - 3])
    assert not task.mask[:, :3].any() and task.mask[:, 3:].all()
    assert task.y.dtype == np.int64 and task.mask.dtype == bool


def test_symbols_cover_the_alphabet_uniformly():
    task = delayed_echo(200, 50, 2, n_symbols=4, seed=1)
    counts = np.bincount(task.symbols.ravel(), minlength=4) / task.symbols.size
    np.testing.assert_allclose(counts, 0.25, atol=0.01)
    assert chance_accuracy(4) == 0.25


def test_the_target_is_independent_of_the_recent_inputs():
    # the reason truncation below the delay cannot learn: y(t) is unrelated to x(t), ..., x(t-delay+1)
    task = delayed_echo(400, 40, 3, n_symbols=4, seed=2)
    for lag in range(3):
        agree = (task.y[:, 3:] == task.symbols[:, 3 - lag : 40 - lag]).mean()
        assert abs(agree - 0.25) < 0.02


def test_seeded():
    a, b, c = (delayed_echo(3, 10, 2, seed=s) for s in (7, 7, 8))
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.symbols, c.symbols)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            dict(n=2, T=3, delay=3),
            ValueError,
            r"T: expected a number of steps >= 4 \(more than delay=3, so that targets exist\), got 3",
        ),
        (dict(n=2, T=5, delay=0), ValueError, r"delay: expected a positive integer, got 0"),
        (
            dict(n=2, T=5, delay=1, n_symbols=1),
            ValueError,
            r"n_symbols: expected a number of symbols >= 2, got 1",
        ),
        (dict(n=2.0, T=5, delay=1), TypeError, r"n: expected a positive integer, got float 2.0"),
    ],
)
def test_errors_name_the_argument(kwargs, error, match):
    with pytest.raises(error, match=match):
        delayed_echo(**kwargs)
