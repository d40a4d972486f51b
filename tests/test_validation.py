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


# ---------------------------------------------------------------------------------------------------
# The general helpers: integers in a range, lists, strings, shapes like another, labels, distributions,
# settings and keys.
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: v.check_int(4, "highlight", low=1, high=3, what="time step", allow_none=True),
            ValueError,
            "highlight: expected a time step in 1..3 or None, got 4",
        ),
        (
            lambda: v.check_int(1, "n_symbols", low=2, what="number of symbols"),
            ValueError,
            "n_symbols: expected a number of symbols >= 2, got 1",
        ),
        (
            lambda: v.check_int(11, "digits", high=10),
            ValueError,
            "digits: expected an integer <= 10, got 11",
        ),
        (
            lambda: v.check_int(
                6, "x", multiple_of=4, what="number of examples", hint="one share each"
            ),
            ValueError,
            "x: expected a number of examples divisible by 4 (one share each), got 6",
        ),
        (
            lambda: v.check_int(True, "t", low=1, high=3, what="time step"),
            TypeError,
            "t: expected a time step in 1..3, got bool True",
        ),
        (
            lambda: v.check_int(None, "delay", low=0),
            TypeError,
            "delay: expected a non-negative integer, got NoneType None",
        ),
        (
            lambda: v.check_sequence(
                ["red"], "cell_colors", what="colours", length=2, hint="one per step"
            ),
            ValueError,
            "cell_colors: expected 2 colours (one per step), got 1",
        ),
        (
            lambda: v.check_sequence([], "modules", what="module names", min_length=1),
            ValueError,
            "modules: expected a non-empty list of module names, got []",
        ),
        (
            lambda: v.check_sequence([1], "units", what="layer sizes", min_length=2),
            ValueError,
            "units: expected at least 2 layer sizes, got 1",
        ),
        (
            lambda: v.check_sequence(np.ones(3), "grads", what="gradient arrays"),
            TypeError,
            "grads: expected a list of gradient arrays, got ndarray",
        ),
        (
            lambda: v.check_string("a b", "name", what="a name without spaces", pattern=r"\S+"),
            ValueError,
            "name: expected a name without spaces, got 'a b'",
        ),
        (
            lambda: v.check_string(3, "prompt"),
            TypeError,
            "prompt: expected a non-empty string, got int 3",
        ),
        (
            lambda: v.check_same_shape(z((2, 3)), "df", z((3, 2)), "f(x)"),
            ValueError,
            "df: expected shape (3, 2) (the shape of f(x)), got (2, 3)",
        ),
        (
            lambda: v.check_labels(np.array([[0, 1]]), "y", 2, "N", {"N": 2}),
            ValueError,
            "y: expected a 1-D array of shape (2,) = (N,), got a 2-D array of shape (1, 2)",
        ),
        (
            lambda: v.check_labels(np.array([-1, 1]), "ids", 4),
            ValueError,
            "ids: expected integer labels in 0..3, got values in -1..1",
        ),
        (
            lambda: v.check_labels(np.array([True]), "ids", 4),
            TypeError,
            "ids: expected integer labels in 0..3, got dtype bool",
        ),
        (
            lambda: v.check_labels(np.array([-1.0]), "prompts", None),
            TypeError,
            "prompts: expected integer labels, got dtype float64",
        ),
        (
            lambda: v.check_default(np.ones(2), "mask", why="only used with mapping='seq2seq'"),
            ValueError,
            "mask: expected None (only used with mapping='seq2seq'), got ndarray",
        ),
        (
            lambda: v.check_default(0.2, "recurrent_dropout", 0, why="layer_norm=True"),
            ValueError,
            "recurrent_dropout: expected 0 (layer_norm=True), got float 0.2",
        ),
        (
            lambda: v.check_choice("seq2vec", "mapping", ("seq2seq",), "chunk=2"),
            ValueError,
            "mapping: expected one of ('seq2seq',) (chunk=2), got 'seq2vec'",
        ),
        (
            lambda: v.check_length({}, "histories", what="History"),
            ValueError,
            "histories: expected at least one History, got none",
        ),
        (
            lambda: v.check_length(np.arange(3), "ids", low=4, what="ids", hint="seq_len + 1"),
            ValueError,
            "ids: expected at least 4 ids (seq_len + 1), got 3",
        ),
        (
            lambda: v.check_length(3, "curves", what="curve"),
            TypeError,
            "curves: expected a collection with a length, got int 3",
        ),
        (
            lambda: v.check_distribution([[0.5, 0.5], [1.2, -0.2]], "table", "V,V"),
            ValueError,
            "table: expected values >= 0, got -0.2 at index (1, 1)",
        ),
        (
            lambda: v.check_distribution([0.5, 0.4], "p", "V"),
            ValueError,
            "p: expected non-negative rows that each sum to 1, got a row summing to 0.9 at index ()",
        ),
        (
            lambda: v.check_setting(
                {"reset_after": False}, "params", "reset_after", True, "the layer's"
            ),
            ValueError,
            "params: expected reset_after=True (the layer's), got reset_after=False",
        ),
        (
            lambda: v.check_setting(object(), "layer", "return_sequences", True, missing=False),
            ValueError,
            "layer: expected return_sequences=True, got return_sequences=False",
        ),
        (
            lambda: v.check_keys({"b": 1, "Wx": 2}, "params", ["Wx", "Wh"]),
            ValueError,
            "params: expected a 'Wh' entry, got keys ['Wx', 'b']",
        ),
        (
            lambda: v.check_keys([("Wx", 1)], "params", ["Wx"]),
            TypeError,
            "params: expected Mapping, got list",
        ),
        (
            lambda: v.check_array([[1.0, -2.0]], "counts", "C,2", low=0),
            ValueError,
            "counts: expected values >= 0, got -2.0 at index (0, 1)",
        ),
        (
            lambda: v.check_array(z(3), "b", "2,3H", hint="the bias for reset_after=True"),
            ValueError,
            "b: expected a 2-D array of shape (2, 3H) (the bias for reset_after=True), "
            "got a 1-D array of shape (3,)",
        ),
        (
            lambda: v.check_array(np.arange(3), "x", None, in_place=True),
            TypeError,
            "x: expected a float NumPy array (it is changed in place), got ndarray of dtype int64",
        ),
        (
            lambda: v.check_array(["a"], "grads[0]", None),
            TypeError,
            "grads[0]: expected a numeric array, got dtype <U1",
        ),
        (
            lambda: v.check_number(np.array(True), "value"),
            TypeError,
            "value: expected a real number, got ndarray",
        ),
        (
            lambda: v.check_number(np.array([1.0]), "value"),
            TypeError,
            "value: expected a real number, got ndarray",
        ),
    ],
)
def test_general_helpers_name_the_argument_what_was_expected_and_what_came(call, error, message):
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        call()


def test_general_helpers_return_the_checked_value():
    assert (
        v.check_int(np.int64(3), "t", low=1, high=3) == 3
        and type(v.check_int(np.int64(3), "t")) is int
    )
    assert v.check_int(None, "highlight", low=1, allow_none=True) is None
    assert v.check_sequence((1, 2), "units", length=2) == [1, 2]
    assert v.check_string("t.x", "name", pattern=r"\S+") == "t.x"
    assert v.check_same_shape([1, 2], "b", z(2), "a").tolist() == [1, 2]
    assert v.check_labels([[0, 2]], "ids", 3).dtype.kind == "i"
    assert v.check_labels([-5, 7], "ids", None).tolist() == [
        -5,
        7,
    ]  # no vocabulary size: any integer
    curves = {"a": [1.0]}
    assert v.check_default(None, "mask", why="seq2vec") is None
    assert v.check_default({}, "compile_kwargs", {}, why="compile=False") == {}
    assert (
        v.check_length(curves, "curves") is curves and v.check_length("ab", "text", low=2) == "ab"
    )
    assert v.check_distribution([[0.25, 0.75]], "p", "N,V").shape == (1, 2)
    assert v.check_setting({"built": True}, "layer", "built", True) is True
    assert v.check_setting(object(), "layer", "activation", abs, missing=abs) is abs
    x = np.ones(3)
    assert v.check_array(x, "x", None, in_place=True) is x  # never copied: the caller changes it
    assert v.check_array([1, 2, 3], "x", None).dtype == np.float64
    assert v.check_number(np.array(0.5), "value") == 0.5  # a 0-D array, as Keras losses come


def test_argument_type_error_is_a_type_error_and_a_value_error():
    """Wrong containers and wrong seed types keep the ValueError their entry points always raised."""
    for call in (
        lambda: v.check_sequence("bisect", "modules", what="module names"),
        lambda: v.check_sequence(4, "units", what="layer sizes"),
        lambda: v.check_seed(1.5),
        lambda: v.check_seed("0"),
    ):
        with pytest.raises(v.ArgumentTypeError) as info:
            call()
        assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)
    with pytest.raises(TypeError) as info:  # the other helpers raise a plain TypeError
        v.check_int(1.5, "n")
    assert not isinstance(info.value, ValueError)


NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,11}", fullmatch=True)


@settings(max_examples=200, deadline=None)
@given(
    name=NAMES,
    low=st.integers(-50, 50),
    span=st.integers(0, 50),
    value=st.integers(-200, 200),
    what=st.sampled_from(["integer", "time step", "hidden unit", "number of steps"]),
)
def test_check_int_accepts_every_value_in_range_and_names_the_argument_otherwise(
    name, low, span, value, what
):
    high = low + span
    if low <= value <= high:
        assert v.check_int(value, name, low=low, high=high, what=what) == value
    else:
        with pytest.raises(ValueError) as info:
            v.check_int(value, name, low=low, high=high, what=what)
        message = str(info.value)
        assert message.startswith(f"{name}: expected ") and message.endswith(f", got {value}")
        assert f"{low}..{high}" in message and what in message


@settings(max_examples=100, deadline=None)
@given(
    name=NAMES,
    value=st.one_of(
        st.floats(allow_nan=True),
        st.booleans(),
        st.text(max_size=5),
        st.none(),
        st.lists(st.integers()),
    ),
)
def test_check_int_rejects_every_non_integer_with_a_type_error_naming_the_argument(name, value):
    with pytest.raises(
        TypeError, match="^" + re.escape(f"{name}: expected a positive integer, got ")
    ):
        v.check_int(value, name, low=1)


@settings(max_examples=100, deadline=None)
@given(name=NAMES, items=st.lists(st.integers(), max_size=6), length=st.integers(0, 6))
def test_check_sequence_accepts_the_right_length_and_names_the_argument_otherwise(
    name, items, length
):
    if len(items) == length:
        assert v.check_sequence(tuple(items), name, length=length) == items
    else:
        with pytest.raises(
            ValueError,
            match="^" + re.escape(f"{name}: expected {length} items, got {len(items)}") + "$",
        ):
            v.check_sequence(items, name, length=length)
