"""Tests for course_utils.data.signals: the noisy-note family behind the four I/O mappings."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.data import signals


def test_signals_are_seeded_balanced_and_follow_the_formula():
    a = signals.make_signals(30, 25, noise=0.0, seed=4)
    b = signals.make_signals(30, 25, noise=0.0, seed=4)
    np.testing.assert_array_equal(a.x, b.x)
    assert a.x.shape == a.clean.shape == (30, 25, 1)
    assert np.bincount(a.frequency_class).tolist() == [10, 10, 10]
    np.testing.assert_array_equal(a.frequency, np.asarray(signals.FREQUENCIES)[a.frequency_class])
    t = np.arange(25)
    want = a.amplitude[:, None] * np.sin(2 * np.pi * a.frequency[:, None] * t + a.phase[:, None])
    np.testing.assert_allclose(a.clean[..., 0], want, atol=1e-6)
    np.testing.assert_array_equal(a.x, a.clean)  # noise=0
    assert not np.array_equal(signals.make_signals(30, 25, seed=5).x, a.x)


def test_noise_has_the_requested_size():
    s = signals.make_signals(200, 50, noise=0.2, seed=0)
    assert abs(float(np.std(s.x - s.clean)) - 0.2) < 0.01


def test_params_vector_encodes_amplitude_frequency_and_phase():
    s = signals.make_signals(9, 5, seed=0)
    p = s.params
    assert p.shape == (9, 4)
    np.testing.assert_allclose(p[:, 0], s.amplitude)
    assert set(np.round(p[:, 1], 6)) == {0.0, 0.4, 1.0}
    np.testing.assert_allclose(
        np.arctan2(p[:, 3], p[:, 2]) % (2 * np.pi), s.phase % (2 * np.pi), atol=1e-12
    )


def test_task_shapes_and_baselines():
    s = signals.make_signals(12, 30, seed=1)
    seq = signals.next_step_task(s)
    assert seq.x.shape == seq.y.shape == (12, 29, 1)
    np.testing.assert_array_equal(seq.baseline, s.x[:, :-1])  # persistence
    np.testing.assert_array_equal(seq.y, s.clean[:, 1:])
    vec = signals.frequency_task(s)
    assert vec.x.shape == (12, 30, 1) and vec.y.shape == (12,)
    assert vec.baseline_score == pytest.approx(1 / 3)
    gen = signals.generation_task(s)
    assert gen.x.shape == (12, 4) and gen.y.shape == (12, 30, 1)
    np.testing.assert_allclose(gen.baseline[0], s.clean.mean(axis=0))
    enc = signals.continuation_task(s, 7)
    assert enc.x.shape == (12, 23, 1) and enc.y.shape == (12, 7, 1)
    np.testing.assert_array_equal(
        enc.baseline[:, 3], s.x[:, 22]
    )  # the last observed value, repeated
    np.testing.assert_array_equal(enc.y, s.clean[:, -7:])


def test_score_uses_mse_or_accuracy_and_the_baselines_are_beatable():
    s = signals.make_signals(60, 40, seed=2)
    for kind in signals.TASK_KINDS:
        task = signals.make_task(kind, 60, 40, horizon=8, seed=2)
        assert task.kind == kind
        if task.metric == "mse":
            assert task.score(task.y) == 0.0
            assert task.baseline_score > 0.05  # the trivial rule leaves plenty to learn
        else:
            one_hot = np.eye(3)[task.y]
            assert task.score(one_hot) == 1.0
            assert task.score(task.y) == 1.0
            assert task.baseline_score < 0.4
    assert signals.make_task("seq2vec", 60, 40, seed=2).y.tolist() == s.frequency_class.tolist()


def test_errors_name_the_argument():
    with pytest.raises(
        ValueError,
        match=r"kind: expected one of \('seq2seq', 'seq2vec', 'vec2seq', 'encdec'\), got 'seq'",
    ):
        signals.make_task("seq", 4, 10)
    with pytest.raises(
        ValueError,
        match=r"horizon: expected a number of steps in 1\.\.9 \(fewer than T = 10\), got 10",
    ):
        signals.continuation_task(signals.make_signals(2, 10), 10)
    with pytest.raises(ValueError, match="noise: expected a finite number >= 0, got -1"):
        signals.make_signals(2, 10, noise=-1)
    with pytest.raises(ValueError, match="n: expected a positive integer, got 0"):
        signals.make_signals(0, 10)
    task = signals.make_task("seq2seq", 3, 10)
    with pytest.raises(
        ValueError, match=r"prediction: expected shape \(3, 9, 1\) \(the shape of y\), got \(3, 9\)"
    ):
        task.score(np.zeros((3, 9)))
