"""The wording of every validation error at the reference cells' public entry points (and of the checks in
``course_utils.validation`` themselves), and a property test: a wrong shape anywhere always gives a
``ValueError`` that names an argument — never a NumPy broadcast or matmul error."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import reference as ref
from course_utils import validation as v

N, T, D, H = 2, 4, 3, 5
z = np.zeros
X, H0 = z((N, T, D)), z((N, H))
RNN_W = (z((D, H)), z((H, H)), z(H))
LSTM_W = (z((D, 4 * H)), z((H, 4 * H)), z(4 * H))
GRU_W = (z((D, 3 * H)), z((H, 3 * H)), z((2, 3 * H)))


def with_nan(shape, index):
    a = z(shape)
    a[index] = np.nan
    return a


ERRORS = {
    # argument rank, shape, agreement between arguments
    "x rank": (
        lambda: ref.rnn_forward(z((N, D)), H0, *RNN_W),
        ValueError,
        "x: expected a 3-D array of shape (N, T, D), got a 2-D array of shape (2, 3)",
    ),
    "x type": (
        lambda: ref.rnn_forward("abc", H0, *RNN_W),
        TypeError,
        "x: expected a numeric array of shape (N, T, D), got str",
    ),
    "x dtype": (
        lambda: ref.rnn_forward(np.full((N, T, D), "a"), H0, *RNN_W),
        TypeError,
        "x: expected a numeric array of shape (N, T, D), got dtype <U1",
    ),
    "Wx D": (
        lambda: ref.rnn_forward(X, H0, z((D + 1, H)), *RNN_W[1:]),
        ValueError,
        "Wx: expected shape (3, 5) = (D, H), got (4, 5)",
    ),
    "Wh": (
        lambda: ref.rnn_forward(X, H0, RNN_W[0], z((H, H + 1)), RNN_W[2]),
        ValueError,
        "Wh: expected shape (5, 5) = (H, H), got (5, 6)",
    ),
    "b": (
        lambda: ref.rnn_forward(X, H0, *RNN_W[:2], z(H + 1)),
        ValueError,
        "b: expected shape (5,) = (H,), got (6,)",
    ),
    "h0 H": (
        lambda: ref.rnn_forward(X, z((N, H + 1)), *RNN_W),
        ValueError,
        "h0: expected shape (2, 5) = (N, H), got (2, 6)",
    ),
    "h0 N": (
        lambda: ref.rnn_forward(X, z((N + 1, H)), *RNN_W),
        ValueError,
        "h0: expected shape (2, 5) = (N, H), got (3, 5)",
    ),
    # values
    "x nan": (
        lambda: ref.rnn_forward(with_nan((N, T, D), (0, 2, 1)), H0, *RNN_W),
        ValueError,
        "x: expected finite values, got nan at index (0, 2, 1)",
    ),
    "Wh inf": (
        lambda: ref.rnn_forward(X, H0, RNN_W[0], np.full((H, H), -np.inf), RNN_W[2]),
        ValueError,
        "Wh: expected finite values, got -inf at index (0, 0)",
    ),
    # mask
    "mask shape": (
        lambda: ref.rnn_forward(X, H0, *RNN_W, mask=np.ones((N, T + 1), bool)),
        ValueError,
        "mask: expected shape (2, 4) = (N, T), got (2, 5)",
    ),
    "mask dtype": (
        lambda: ref.lstm_forward(X, H0, *LSTM_W, mask=np.ones((N, T))),
        TypeError,
        "mask: expected a boolean array of shape (2, 4) = (N, T), got dtype float64",
    ),
    # LSTM
    "lstm Wx": (
        lambda: ref.lstm_forward(X, H0, z((D, 10)), *LSTM_W[1:]),
        ValueError,
        "Wx: expected shape (3, 4H) = (D, 4H), got (3, 10)",
    ),
    "lstm b": (
        lambda: ref.lstm_forward(X, H0, *LSTM_W[:2], z(3 * H)),
        ValueError,
        "b: expected shape (20,) = (4H,), got (15,)",
    ),
    "lstm c0": (
        lambda: ref.lstm_forward(X, H0, *LSTM_W, c0=z((N, H - 1))),
        ValueError,
        "c0: expected shape (2, 5) = (N, H), got (2, 4)",
    ),
    "peephole": (
        lambda: ref.lstm_forward(X, H0, *LSTM_W, peephole=z(H)),
        ValueError,
        "peephole: expected a 2-D array of shape (3, 5) = (3, H), got a 1-D array of shape (5,)",
    ),
    "peephole H": (
        lambda: ref.lstm_step_forward(X[:, 0], H0, H0, *LSTM_W, peephole=z((3, H + 1))),
        ValueError,
        "peephole: expected shape (3, 5) = (3, H), got (3, 6)",
    ),
    # GRU
    "gru b after": (
        lambda: ref.gru_forward(X, H0, *GRU_W[:2], z(3 * H)),
        ValueError,
        "b: expected a 2-D array of shape (2, 15) = (2, 3H) (the bias for reset_after=True), got a 1-D array of shape (15,)",
    ),
    "gru b before": (
        lambda: ref.gru_forward(X, H0, *GRU_W, reset_after=False),
        ValueError,
        "b: expected a 1-D array of shape (15,) = (3H,) (the bias for reset_after=False), got a 2-D array of shape (2, 15)",
    ),
    "gru b cols": (
        lambda: ref.gru_forward(X, H0, *GRU_W[:2], z((2, 3 * H + 3))),
        ValueError,
        "b: expected shape (2, 15) = (2, 3H) (the bias for reset_after=True), got (2, 18)",
    ),
    "reset_after": (
        lambda: ref.gru_forward(X, H0, *GRU_W, reset_after="yes"),
        TypeError,
        "reset_after: expected True or False, got str 'yes'",
    ),
    # backward
    "dh": (
        lambda: ref.rnn_backward(z((N, T, H + 1)), ref.rnn_forward(X, H0, *RNN_W)[1]),
        ValueError,
        "dh: expected shape (2, 4, 5) = (N, T, H), got (2, 4, 6)",
    ),
    "dh lstm": (
        lambda: ref.lstm_backward(z((N, T + 1, H)), ref.lstm_forward(X, H0, *LSTM_W)[1]),
        ValueError,
        "dh: expected shape (2, 4, 5) = (N, T, H), got (2, 5, 5)",
    ),
    "dh gru nan": (
        lambda: ref.gru_backward(with_nan((N, T, H), (1, 0, 0)), ref.gru_forward(X, H0, *GRU_W)[1]),
        ValueError,
        "dh: expected finite values, got nan at index (1, 0, 0)",
    ),
    "truncate 0": (
        lambda: ref.rnn_backward(z((N, T, H)), ref.rnn_forward(X, H0, *RNN_W)[1], truncate=0),
        ValueError,
        "truncate: expected a positive integer, got 0",
    ),
    "truncate float": (
        lambda: ref.gru_backward(z((N, T, H)), ref.gru_forward(X, H0, *GRU_W)[1], truncate=2.0),
        TypeError,
        "truncate: expected a positive integer, got float 2.0",
    ),
    "return_dc0": (
        lambda: ref.lstm_backward(z((N, T, H)), ref.lstm_forward(X, H0, *LSTM_W)[1], return_dc0=1),
        TypeError,
        "return_dc0: expected True or False, got int 1",
    ),
    "cache": (
        lambda: ref.gru_backward(z((N, T, H)), (1, 2)),
        TypeError,
        "cache: expected GRUCache (the cache returned by gru_forward), got tuple",
    ),
    "cache swap": (
        lambda: ref.rnn_backward(z((N, T, H)), ref.lstm_forward(X, H0, *LSTM_W)[1]),
        TypeError,
        "cache: expected RNNCache (the cache returned by rnn_forward), got LSTMCache",
    ),
    # steps
    "step x_t": (
        lambda: ref.rnn_step_forward(X, H0, *RNN_W),
        ValueError,
        "x_t: expected a 2-D array of shape (N, D), got a 3-D array of shape (2, 4, 3)",
    ),
    "step h_prev": (
        lambda: ref.gru_step_forward(X[:, 0], z((N, H + 2)), *GRU_W),
        ValueError,
        "h_prev: expected shape (2, 5) = (N, H), got (2, 7)",
    ),
    "step c_prev": (
        lambda: ref.lstm_step_forward(X[:, 0], H0, z((N + 1, H)), *LSTM_W),
        ValueError,
        "c_prev: expected shape (2, 5) = (N, H), got (3, 5)",
    ),
    "step dh_next": (
        lambda: ref.rnn_step_backward(z((N, H - 1)), ref.rnn_step_forward(X[:, 0], H0, *RNN_W)[1]),
        ValueError,
        "dh_next: expected shape (2, 5) = (N, H), got (2, 4)",
    ),
    "step dc_next": (
        lambda: ref.lstm_step_backward(
            z((N, H)), z((N + 1, H)), ref.lstm_step_forward(X[:, 0], H0, H0, *LSTM_W)[2]
        ),
        ValueError,
        "dc_next: expected shape (2, 5) = (N, H), got (3, 5)",
    ),
    "step gru dh_next": (
        lambda: ref.gru_step_backward(z(H), ref.gru_step_forward(X[:, 0], H0, *GRU_W)[1]),
        ValueError,
        "dh_next: expected a 2-D array of shape (2, 5) = (N, H), got a 1-D array of shape (5,)",
    ),
    "step cache": (
        lambda: ref.rnn_step_backward(z((N, H)), None),
        TypeError,
        "cache: expected RNNStepCache (the cache returned by rnn_step_forward), got NoneType",
    ),
    "step cache lstm": (
        lambda: ref.lstm_step_backward(z((N, H)), z((N, H)), {}),
        TypeError,
        "cache: expected LSTMStepCache (the cache returned by lstm_step_forward), got dict",
    ),
}


@pytest.mark.parametrize("case", ERRORS)
def test_error_wording(case):
    call, kind, message = ERRORS[case]
    with pytest.raises(kind, match="^" + re.escape(message) + "$"):
        call()


def test_validation_helpers_wording():
    with pytest.raises(
        ValueError, match=re.escape("h0: expected shape (2, 5) = (N, H), got (2, 6)")
    ):
        v.check_array(z((2, 6)), "h0", "N,H", {"N": 2, "H": 5})
    with pytest.raises(
        TypeError, match=re.escape("x: expected a numeric array of shape (N, T, D), got NoneType")
    ):
        v.check_array(None, "x", "N,T,D")
    # "= spec" only when it adds information: some sizes known, or none
    with pytest.raises(
        ValueError,
        match="^"
        + re.escape("x: expected a 3-D array of shape (2, T, D) = (N, T, D), got a 2-D array")
        + r" of shape \(2, 3\)$",
    ):
        v.check_array(z((2, 3)), "x", "N,T,D", {"N": 2})
    with pytest.raises(ValueError, match="^" + re.escape("p: expected shape (2,), got (3,)") + "$"):
        v.check_array(z(3), "p", "2")
    with pytest.raises(ValueError, match=re.escape("units: expected a positive integer, got -3")):
        v.check_positive_int(-3, "units")
    with pytest.raises(
        TypeError, match=re.escape("units: expected a positive integer, got bool True")
    ):
        v.check_positive_int(True, "units")
    with pytest.raises(
        ValueError, match=re.escape("activation: expected one of ('tanh',), got 'relu'")
    ):
        v.check_choice("relu", "activation", ("tanh",))
    with pytest.raises(
        TypeError, match=re.escape("flag: expected True or False, got NoneType None")
    ):
        v.check_bool(None, "flag")
    assert v.check_bool(np.bool_(True), "flag") is True
    with pytest.raises(TypeError, match=re.escape("cache: expected dict, got list")):
        v.check_instance([], "cache", dict)


def test_inputs_are_converted_not_rejected():
    """Lists and integer arrays are fine (converted to float64); float32 stays float32."""
    h, _ = ref.rnn_forward(
        [[[1, 2]]], [[0, 0, 0]], np.ones((2, 3), dtype=int), np.zeros((3, 3)).tolist(), [0, 0, 0]
    )
    assert h.dtype == np.float64 and h.shape == (1, 1, 3)
    h32, _ = ref.rnn_forward(
        *(
            np.asarray(a, np.float32)
            for a in ([[[1, 2]]], [[0, 0, 0]], np.ones((2, 3)), np.zeros((3, 3)), [0, 0, 0])
        )
    )
    assert h32.dtype == np.float32


ARG_NAMES = ("x", "h0", "Wx", "Wh", "b", "c0", "mask", "peephole")


@settings(max_examples=50, deadline=None)
@given(
    cell=st.sampled_from(["rnn", "lstm", "peephole", "gru_after", "gru_before"]),
    which=st.integers(0, 7),
    axis=st.integers(0, 2),
    delta=st.sampled_from([-1, 1, 2]),
    drop_axis=st.booleans(),
)
def test_any_wrong_shape_gives_a_named_value_error(cell, which, axis, delta, drop_axis):
    gates = {"rnn": 1, "lstm": 4, "peephole": 4}.get(cell, 3)
    n, t, d, h = 2, 3, 2, 3
    args = {
        "x": z((n, t, d)),
        "h0": z((n, h)),
        "Wx": z((d, gates * h)),
        "Wh": z((h, gates * h)),
        "b": z((2, 3 * h) if cell == "gru_after" else (gates * h,)),
        "mask": np.ones((n, t), bool),
    }
    if gates == 4:
        args["c0"] = z((n, h))
    if cell == "peephole":
        args["peephole"] = z((3, h))
    name = ARG_NAMES[which]
    if name not in args:
        name = "x"
    arr = args[name]
    shape = list(arr.shape)
    if drop_axis:
        shape.pop(axis % len(shape))
    else:
        shape[axis % len(shape)] = max(shape[axis % len(shape)] + delta, 0)
    args[name] = np.zeros(shape, dtype=arr.dtype)
    if shape == list(arr.shape):
        return
    if cell == "rnn":
        call = lambda: ref.rnn_forward(**args)  # noqa: E731
    elif gates == 4:
        call = lambda: ref.lstm_forward(**args)  # noqa: E731
    else:
        call = lambda: ref.gru_forward(**args, reset_after=cell == "gru_after")  # noqa: E731
    with pytest.raises(ValueError, match=r"^(" + "|".join(ARG_NAMES) + r"): expected "):
        call()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: v.check_positive(0, "lr"),
            ValueError,
            r"lr: expected a finite number > 0, got 0$",
        ),
        (
            lambda: v.check_positive(float("nan"), "lr"),
            ValueError,
            r"lr: expected a finite number > 0, got nan",
        ),
        (
            lambda: v.check_positive(True, "lr"),
            TypeError,
            r"lr: expected a real number, got bool True",
        ),
        (
            lambda: v.check_probability(1, "dropout"),
            ValueError,
            r"dropout: expected a finite number >= 0 and < 1, got 1$",
        ),
        (
            lambda: v.check_probability(-0.1, "p", allow_one=True),
            ValueError,
            r"p: expected a finite number >= 0 and <= 1, got -0.1",
        ),
        (
            lambda: v.check_number(2.5, "tau", low=0, high=2),
            ValueError,
            r"tau: expected a finite number >= 0 and <= 2, got 2.5",
        ),
        (
            lambda: v.check_seed(1.0),
            TypeError,
            r"seed: expected a non-negative integer, got float 1.0",
        ),
        (
            lambda: v.check_seed("3", "data_seed", allow_none=True),
            TypeError,
            r"data_seed: expected a non-negative integer or None, got str '3'",
        ),
        (
            lambda: v.check_seed(-1),
            ValueError,
            r"seed: expected a non-negative integer, got -1",
        ),
    ],
)
def test_number_rate_and_seed_checks_name_the_argument_and_what_was_expected(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_number_checks_return_plain_python_numbers():
    assert v.check_positive(np.float32(0.5), "lr") == 0.5
    assert type(v.check_probability(np.float64(0.25), "p")) is float
    assert v.check_probability(1, "p", allow_one=True) == 1.0
    assert type(v.check_seed(np.int64(7))) is int
