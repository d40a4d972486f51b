"""Tests for course_utils.data.tokens: digit-string tasks for sequence to sequence (notebook 08)."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.data import tokens


def test_reverse_digits_targets_are_the_sources_backwards():
    pairs = tokens.reverse_digits(50, 7, seed=3)
    assert pairs.source.shape == pairs.target.shape == (50, 7)
    assert pairs.source.dtype == pairs.target.dtype == np.int64
    np.testing.assert_array_equal(pairs.target, pairs.source[:, ::-1])
    assert pairs.source.min() >= 0 and pairs.source.max() <= 9
    assert len(np.unique(pairs.source)) == 10  # every digit occurs


def test_decoder_input_is_the_target_shifted_right_behind_start():
    pairs = tokens.reverse_digits(4, 5, seed=0)
    inp = pairs.decoder_input
    assert inp.shape == (4, 5)
    assert (inp[:, 0] == tokens.START).all()
    np.testing.assert_array_equal(inp[:, 1:], pairs.target[:, :-1])


def test_same_seed_same_data_other_seed_other_data():
    a, b = tokens.reverse_digits(20, 6, seed=1), tokens.reverse_digits(20, 6, seed=1)
    np.testing.assert_array_equal(a.source, b.source)
    assert not np.array_equal(a.source, tokens.reverse_digits(20, 6, seed=2).source)


def test_later_match_labels_by_brute_force():
    task = tokens.later_match(30, 9, digits=4, seed=5)
    assert task.tokens.shape == task.labels.shape == (30, 9)
    for n in range(30):
        for t in range(9):
            expected = int(task.tokens[n, t] in task.tokens[n, t + 1 :])
            assert task.labels[n, t] == expected
    assert (task.labels[:, -1] == 0).all()
    assert task.tokens.max() <= 3


def test_best_causal_accuracy_matches_the_formula_and_the_data():
    # T = 3, 2 digits: p(t) = 1 - 0.5**(T - t) = 0.75, 0.5, 0 -> best 0.75, 0.5, 1
    assert tokens.later_match_best_causal_accuracy(3, digits=2) == pytest.approx(
        (0.75 + 0.5 + 1.0) / 3
    )
    # on a large sample, guessing the likelier side by position reaches that accuracy
    steps = 12
    task = tokens.later_match(20000, steps, seed=0)
    p = 1 - 0.9 ** (steps - np.arange(1, steps + 1))
    guess = np.broadcast_to(p > 0.5, task.labels.shape)
    assert np.mean(guess == task.labels) == pytest.approx(
        tokens.later_match_best_causal_accuracy(steps), abs=0.01
    )


def test_one_hot_and_to_text():
    ids = np.array([[0, 10, 3]])
    oh = tokens.one_hot(ids)
    assert oh.shape == (1, 3, tokens.VOCAB) and oh.dtype == np.float32
    np.testing.assert_array_equal(oh.argmax(-1), ids)
    assert tokens.to_text(ids[0]) == "0^3"


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="length: expected a positive integer, got 0"):
        tokens.reverse_digits(3, 0)
    with pytest.raises(ValueError, match=r"digits: expected an integer in 1\.\.10, got 11"):
        tokens.later_match(3, 4, digits=11)
    with pytest.raises(
        ValueError, match=r"ids: expected integer labels in 0\.\.2, got values in 0\.\.3"
    ):
        tokens.one_hot(np.array([0, 3]), 3)
    with pytest.raises(
        TypeError, match=r"ids: expected integer labels in 0\.\.2, got dtype float64"
    ):
        tokens.one_hot(np.array([0.0, 1.0]), 3)
