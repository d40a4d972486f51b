"""Tests for course_utils.check.nb03: correct solutions pass, typical mistakes get a message that says why."""

from __future__ import annotations

import re

import numpy as np
import pytest

from course_utils import check

# --- 03.1: iterative forecasting ----------------------------------------------------------------------


def forecast_ok(predict_one, x, n_out):
    window, out = np.array(x, dtype=float), []
    for _ in range(n_out):
        step = predict_one(window)
        out.append(step[:, 0])
        window = np.concatenate([window[:, 1:], step[:, :, None]], axis=1)
    return np.stack(out, axis=1)


def forecast_no_feedback(predict_one, x, n_out):
    return np.repeat(predict_one(x), n_out, axis=1)


def forecast_growing(predict_one, x, n_out):
    window, out = np.array(x, dtype=float), []
    for _ in range(n_out):
        step = predict_one(window)
        out.append(step[:, 0])
        window = np.concatenate([window, step[:, :, None]], axis=1)
    return np.stack(out, axis=1)


def forecast_prepends(predict_one, x, n_out):
    window, out = np.array(x, dtype=float), []
    for _ in range(n_out):
        step = predict_one(window)
        out.append(step[:, 0])
        window = np.concatenate([step[:, :, None], window[:, :-1]], axis=1)
    return np.stack(out, axis=1)


def forecast_in_place(predict_one, x, n_out):
    out = []
    for _ in range(n_out):
        step = predict_one(x)
        out.append(step[:, 0])
        x[:, :-1] = x[:, 1:]
        x[:, -1] = step
    return np.stack(out, axis=1)


def forecast_transposed(predict_one, x, n_out):
    return forecast_ok(predict_one, x, n_out).T


def not_done(*args):
    raise NotImplementedError


def test_03_1_correct(capsys):
    result = check.exercise_03_1(forecast_ok)
    assert result.passed
    assert "[PASS] Exercise 03.1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("fn", "match"),
    [
        (forecast_no_feedback, "every step repeats the first forecast"),
        (forecast_growing, "the window grows by one each step"),
        (forecast_prepends, r"step 2 differs .* append the newest prediction at the end"),
        (forecast_in_place, "changed the input window `x` in place"),
        (forecast_transposed, r"expected an array of shape \(N, n_out\) = \(2, 4\), got \(4, 2\)"),
        (not_done, "not attempted yet"),
        (lambda p, x, n: 1 / 0, "your function raised ZeroDivisionError"),
    ],
)
def test_03_1_wrong(fn, match, capsys):
    result = check.exercise_03_1(fn)
    assert not result.passed
    assert re.search(match, result.message), result.message
    assert "NOT YET" in capsys.readouterr().out


# --- 03.2: temperature --------------------------------------------------------------------------------


def temp_ok(probs, tau):
    logits = np.log(probs) / tau
    w = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return w / w.sum(axis=-1, keepdims=True)


def temp_times(probs, tau):
    return temp_ok(probs, 1.0 / tau)


def temp_unnormalised(probs, tau):
    return probs ** (1.0 / tau)


def temp_flat_axis(probs, tau):
    w = probs ** (1.0 / tau)
    return w / w.sum()  # normalises over everything, wrong for (N, V)


def temp_softmax_of_probs(probs, tau):
    w = np.exp(probs / tau)
    return w / w.sum(axis=-1, keepdims=True)


def test_03_2_correct():
    assert check.exercise_03_2(temp_ok, show=False).passed


@pytest.mark.parametrize(
    ("fn", "match"),
    [
        (temp_times, "moves the wrong way: low temperatures must sharpen it"),
        (temp_unnormalised, r"at tau = 0.5 your rows sum to .* renormalise along the last axis"),
        (temp_flat_axis, r"at tau = 2.0 your rows sum to"),
        (temp_softmax_of_probs, r"differ from softmax\(log\(p\) / tau\)"),
        (lambda p, t: p[:2], r"expected the same shape back, got \(2,\)"),
        (not_done, "not attempted yet"),
    ],
)
def test_03_2_wrong(fn, match):
    result = check.exercise_03_2(fn, show=False)
    assert not result.passed
    assert re.search(match, result.message), result.message


# --- 03.3: padding and mask ---------------------------------------------------------------------------


def pad_ok(sequences):
    t_max = max(len(s) for s in sequences)
    x = np.zeros((len(sequences), t_max, sequences[0].shape[1]))
    mask = np.zeros((len(sequences), t_max), dtype=bool)
    for i, s in enumerate(sequences):
        x[i, : len(s)] = s
        mask[i, : len(s)] = True
    return x, mask


def pad_pre(sequences):
    x, mask = pad_ok(sequences)
    t_max = x.shape[1]
    x2 = np.zeros_like(x)
    for i, s in enumerate(sequences):
        x2[i, t_max - len(s) :] = s
    return x2, mask


def pad_inverted_mask(sequences):
    x, mask = pad_ok(sequences)
    return x, ~mask


def pad_int_mask(sequences):
    x, mask = pad_ok(sequences)
    return x, mask.astype(int)


def pad_no_mask(sequences):
    return pad_ok(sequences)[0]


def pad_time_major(sequences):
    x, mask = pad_ok(sequences)
    return x.transpose(1, 0, 2), mask


def pad_with_ones(sequences):
    x, mask = pad_ok(sequences)
    return np.where(mask[..., None], x, 1.0), mask


def pad_mask_from_values(sequences):
    x, _ = pad_ok(sequences)
    return x, np.any(x != 0, axis=-1)


def test_03_3_correct():
    assert check.exercise_03_3(pad_ok, show=False).passed


@pytest.mark.parametrize(
    ("fn", "match"),
    [
        (pad_pre, "the padding goes before the sequences"),
        (pad_inverted_mask, "True must mark the real steps"),
        (pad_int_mask, "mask: expected a boolean array, got dtype int"),
        (pad_no_mask, r"expected a pair \(x, mask\), got ndarray"),
        (pad_time_major, r"x: expected shape \(N, T_max, D\) = \(3, 4, 2\), got \(4, 3, 2\)"),
        (pad_with_ones, "zeros after it"),
        (pad_mask_from_values, "a real step that is all zeros"),
        (not_done, "not attempted yet"),
    ],
)
def test_03_3_wrong(fn, match):
    result = check.exercise_03_3(fn, show=False)
    assert not result.passed
    assert re.search(match, result.message), result.message


def test_checks_never_print_the_solution(capsys):
    check.exercise_03_1(forecast_no_feedback)
    check.exercise_03_2(temp_times)
    check.exercise_03_3(pad_pre)
    out = capsys.readouterr().out
    assert "def " not in out and "np." not in out


@pytest.mark.parametrize(
    "check_fn", [check.exercise_03_1, check.exercise_03_2, check.exercise_03_3]
)
def test_show_false_prints_nothing_even_for_a_stub(capsys, check_fn):
    result = check_fn(not_done, show=False)
    assert not result.passed and "not attempted yet" in result.message
    assert capsys.readouterr().out == ""
    check_fn(not_done)  # the default prints the feedback
    assert "not attempted yet" in capsys.readouterr().out
