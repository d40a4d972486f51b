"""Tests for ``reference.rnn`` (the simple RNN) and for what every cell's time loop shares (``_sequence``):
mask semantics and truncated BPTT are tested here once, parametrized over every cell."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import reference as ref
from course_utils.gradcheck import numerical_gradient, rel_error

GRAD_TOL = 1e-7


def test_one_step_by_hand():
    # h = tanh(0.5 * 2 + 0.25 * (-1) + 0.1) = tanh(0.85)
    h, _ = ref.rnn_step_forward([[0.5]], [[0.25]], [[2.0]], [[-1.0]], [0.1])
    assert h.shape == (1, 1)
    assert h[0, 0] == pytest.approx(np.tanh(0.85), abs=1e-15)


def test_sequence_is_the_steps_in_a_loop():
    rng = np.random.default_rng(0)
    x, h0 = rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 5))
    Wx, Wh, b = rng.normal(size=(3, 5)), rng.normal(size=(5, 5)), rng.normal(size=5)
    h, cache = ref.rnn_forward(x, h0, Wx, Wh, b)
    assert h.shape == (2, 4, 5) and len(cache.steps) == 4
    prev = h0
    for t in range(4):
        prev, _ = ref.rnn_step_forward(x[:, t], prev, Wx, Wh, b)
        np.testing.assert_array_equal(h[:, t], prev)


def test_step_backward_matches_numerical_gradient():
    rng = np.random.default_rng(1)
    x, h_prev = rng.normal(size=(3, 4)), rng.normal(size=(3, 5))
    Wx, Wh, b = rng.normal(size=(4, 5)), rng.normal(size=(5, 5)), rng.normal(size=5)
    h, cache = ref.rnn_step_forward(x, h_prev, Wx, Wh, b)
    dh = rng.normal(size=h.shape)
    grads = ref.rnn_step_backward(dh, cache)
    for arr, grad in zip([x, h_prev, Wx, Wh, b], grads):
        num = numerical_gradient(lambda _: ref.rnn_step_forward(x, h_prev, Wx, Wh, b)[0], arr, dh)
        assert grad.shape == arr.shape
        assert rel_error(grad, num) < GRAD_TOL


# --- every cell, through the shared time loop --------------------------------------------------------
# Each cell: gates per unit, a forward(x, h0, params, mask, c0) -> (h, cache, states) and backward.


def _rnn(x, h0, p, mask, c0=None):
    h, cache = ref.rnn_forward(x, h0, p["Wx"], p["Wh"], p["b"], mask=mask)
    return h, cache, [h]


def _lstm(x, h0, p, mask, c0=None):
    h, cache = ref.lstm_forward(
        x, h0, p["Wx"], p["Wh"], p["b"], c0=c0, mask=mask, peephole=p.get("peephole")
    )
    return h, cache, [h, cache.c]


def _gru(reset_after):
    def run(x, h0, p, mask, c0=None):
        h, cache = ref.gru_forward(
            x, h0, p["Wx"], p["Wh"], p["b"], reset_after=reset_after, mask=mask
        )
        return h, cache, [h]

    return run


CELLS = {
    "rnn": (1, _rnn, ref.rnn_backward),
    "lstm": (4, _lstm, ref.lstm_backward),
    "peephole": (4, _lstm, ref.lstm_backward),
    "gru_after": (3, _gru(True), ref.gru_backward),
    "gru_before": (3, _gru(False), ref.gru_backward),
}


def make(cell, n, t, d, h, seed, mask_rate=0.0):
    rng = np.random.default_rng(seed)
    gates = CELLS[cell][0]
    p = {
        "Wx": 0.6 * rng.normal(size=(d, gates * h)),
        "Wh": 0.6 * rng.normal(size=(h, gates * h)),
        "b": 0.3 * rng.normal(size=(2, 3 * h) if cell == "gru_after" else (gates * h,)),
    }
    if cell == "peephole":
        p["peephole"] = 0.5 * rng.normal(size=(3, h))
    x, h0 = rng.normal(size=(n, t, d)), rng.normal(size=(n, h))
    c0 = rng.normal(size=(n, h)) if gates == 4 else None
    mask = rng.random((n, t)) >= mask_rate if mask_rate else None
    dh = rng.normal(size=(n, t, h))
    return p, x, h0, c0, mask, dh


def wrt(p, x, h0):
    return [("x", x), ("h0", h0), ("Wx", p["Wx"]), ("Wh", p["Wh"]), ("b", p["b"])] + (
        [("peephole", p["peephole"])] if "peephole" in p else []
    )


def check_full_bptt(cell, n, t, d, h, seed, mask_rate):
    p, x, h0, c0, mask, dh = make(cell, n, t, d, h, seed, mask_rate)
    _, forward, backward = CELLS[cell]
    _, cache, _ = forward(x, h0, p, mask, c0)
    grads = backward(dh, cache)
    for (name, arr), grad in zip(wrt(p, x, h0), grads, strict=True):
        num = numerical_gradient(lambda _: forward(x, h0, p, mask, c0)[0], arr, dh)
        assert rel_error(grad, num) < GRAD_TOL, name


@pytest.mark.parametrize("mask_rate", [0.0, 0.4])
@pytest.mark.parametrize("cell", CELLS)
def test_bptt_matches_numerical_gradient(cell, mask_rate):
    check_full_bptt(cell, 2, 5, 3, 4, seed=2, mask_rate=mask_rate)


@settings(max_examples=30, deadline=None)
@given(
    cell=st.sampled_from(sorted(CELLS)),
    n=st.integers(1, 3),
    t=st.integers(1, 4),
    d=st.integers(1, 3),
    h=st.integers(1, 3),
    seed=st.integers(0, 2**16),
    masked=st.booleans(),
)
def test_bptt_matches_numerical_gradient_for_random_shapes(cell, n, t, d, h, seed, masked):
    check_full_bptt(cell, n, t, d, h, seed, 0.3 if masked else 0.0)


def truncated_loss(cell, x, h0, c0, p, mask, dh, k, frozen):
    """The explicit truncated computation: for every step t, rerun the cell over the window t-k+1..t from
    the state h(t-k) *frozen* at its unperturbed value (h0 itself when the window reaches the start) and
    add <dh[:, t], h(t)>. Its exact gradient is what truncated BPTT must return."""
    _, forward, _ = CELLS[cell]
    total = 0.0
    for t in range(x.shape[1]):
        start = max(t - k + 1, 0)
        if start == 0:
            h_b, c_b = h0, c0
        else:
            h_b, c_b = (
                frozen[0][:, start - 1],
                (frozen[1][:, start - 1] if len(frozen) > 1 else None),
            )
        window_mask = None if mask is None else mask[:, start : t + 1]
        h, _, _ = forward(x[:, start : t + 1], h_b, p, window_mask, c_b)
        total += np.sum(dh[:, t] * h[:, -1])
    return np.array(total)


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("k", [1, 2, 4])
@pytest.mark.parametrize("cell", CELLS)
def test_truncated_bptt_is_the_gradient_of_the_windowed_loss(cell, k, masked):
    p, x, h0, c0, mask, dh = make(cell, 2, 6, 2, 3, seed=3 + k, mask_rate=0.3 if masked else 0.0)
    _, forward, backward = CELLS[cell]
    _, cache, frozen = forward(x, h0, p, mask, c0)
    grads = backward(dh, cache, truncate=k)
    for (name, arr), grad in zip(wrt(p, x, h0), grads, strict=True):
        num = numerical_gradient(
            lambda _: truncated_loss(cell, x, h0, c0, p, mask, dh, k, frozen), arr, np.array(1.0)
        )
        assert rel_error(grad, num) < GRAD_TOL, name


@pytest.mark.parametrize("cell", CELLS)
def test_truncation_limits_how_far_gradients_travel(cell):
    p, x, h0, c0, mask, dh = make(cell, 2, 6, 2, 3, seed=5)
    _, forward, backward = CELLS[cell]
    _, cache, _ = forward(x, h0, p, mask, c0)
    full = backward(dh, cache)
    for k in (6, 100):  # k >= T is full BPTT
        for a, b in zip(backward(dh, cache, truncate=k), full):
            np.testing.assert_array_equal(a, b)
    # A loss on the last step only, k = 2: only x at the last two steps gets gradient, h0 none.
    last = np.zeros_like(dh)
    last[:, -1] = dh[:, -1]
    dx, dh0, *_ = backward(last, cache, truncate=2)
    assert np.all(dx[:, :-2] == 0) and np.all(dh0 == 0)
    assert np.all(np.abs(dx[:, -2:]).sum(axis=(0, 2)) > 0)
    dx_full, dh0_full, *_ = backward(last, cache)
    np.testing.assert_allclose(
        dx[:, -2:], dx_full[:, -2:], rtol=1e-12, atol=1e-15
    )  # within reach: exact
    assert np.abs(dh0_full).sum() > 0
    # k = 1 on a loss at step 0 reaches h0 (the window starts at the first step).
    first = np.zeros_like(dh)
    first[:, 0] = dh[:, 0]
    assert np.abs(backward(first, cache, truncate=1)[1]).sum() > 0


@pytest.mark.parametrize("cell", CELLS)
def test_padded_steps_carry_the_state_and_get_no_gradient(cell):
    p, x, h0, c0, _, dh = make(cell, 3, 5, 2, 3, seed=6)
    mask = np.array(
        [[True, False, True, False, False], [False, False, True, True, True], [True] * 5]
    )
    _, forward, backward = CELLS[cell]
    _h, cache, states = forward(x, h0, p, mask, c0)
    for seq, init in zip(states, [h0, c0]):
        np.testing.assert_array_equal(
            seq[1, :2], [init[1], init[1]]
        )  # before the first real step: initial
        np.testing.assert_array_equal(seq[0, 3], seq[0, 2])  # padded: repeat
        np.testing.assert_array_equal(seq[0, 4], seq[0, 2])
    dx, *_ = backward(dh, cache)
    assert np.all(dx[~mask] == 0) and np.all(np.abs(dx[mask]).sum(axis=-1) > 0)
    # A sequence that is all padding leaves weights untouched and hands its gradient to h0.
    all_pad = np.zeros_like(mask)
    _, cache, _ = forward(x, h0, p, all_pad, c0)
    dx, dh0, dWx, dWh, db, *_ = backward(dh, cache)
    assert not dx.any() and not dWx.any() and not dWh.any() and not db.any()
    np.testing.assert_allclose(dh0, dh.sum(axis=1), rtol=1e-12)
    # Padding at the end changes nothing before it.
    mask_end = np.ones_like(mask)
    mask_end[:, -2:] = False
    h_pad, _, _ = forward(x, h0, p, mask_end, c0)
    h_cut, _, _ = forward(x[:, :-2], h0, p, None, c0)
    np.testing.assert_array_equal(h_pad[:, :-2], h_cut)


@pytest.mark.parametrize("cell", CELLS)
def test_float32_in_float32_out(cell):
    p, x, h0, c0, _mask, dh = make(cell, 2, 3, 2, 3, seed=7)
    f32 = lambda a: None if a is None else a.astype(np.float32)  # noqa: E731
    p32 = {k: f32(v) for k, v in p.items()}
    _, forward, backward = CELLS[cell]
    h, cache, _ = forward(f32(x), f32(h0), p32, None, f32(c0))
    grads = backward(f32(dh), cache)
    assert h.dtype == np.float32 and all(g.dtype == np.float32 for g in grads)
    h64, _, _ = forward(x, h0, p, None, c0)
    np.testing.assert_allclose(h, h64, atol=1e-5)


def test_importing_the_reference_does_not_import_tensorflow():
    code = (
        "import sys; from course_utils import reference as ref, gradcheck; "
        "assert ref.rnn_forward and gradcheck.rel_error; "
        "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]; "
        "assert not bad, bad"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_windows_are_the_passes_of_truncated_bptt():
    from course_utils.reference._sequence import windows

    dh = np.arange(1.0, 9.0).reshape(2, 4, 1)
    (steps, window), *rest = windows(dh, None)  # full BPTT: one pass over every step, all of dh
    assert not rest and list(steps) == [3, 2, 1, 0] and window is dh
    assert [list(s) for s, _ in windows(dh, 4)] == [[3, 2, 1, 0]]  # k >= T is full BPTT
    passes = [(list(s), w.copy()) for s, w in windows(dh, 2)]  # one k-step pass per loss
    assert [s for s, _ in passes] == [[3, 2], [2, 1], [1, 0], [0]]
    for (_, w), t in zip(passes, [3, 2, 1, 0]):
        expected = np.zeros_like(dh)
        expected[:, t] = dh[:, t]  # each pass carries only the loss at its last step
        np.testing.assert_array_equal(w, expected)
    dh[:, 1] = 0.0  # a step without a loss has nothing to carry: no pass
    assert [list(s) for s, _ in windows(dh, 2)] == [[3, 2], [2, 1], [0]]


@pytest.mark.parametrize("backward", [ref.rnn_backward, ref.lstm_backward, ref.gru_backward])
def test_every_sequence_backward_writes_its_loop_over_time(backward):
    import inspect

    source = inspect.getsource(backward)
    assert "for t in steps:" in source and "dh_w[:, t] + dprev_h" in source
    # the whole of BPTT, masks and truncation included, reads in at most ten lines
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("for steps, dh_w in"))
    end = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("return "))
    assert end - start <= 10, "\n".join(lines[start:end])
