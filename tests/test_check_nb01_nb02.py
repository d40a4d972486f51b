"""Tests for the exercise checks of notebooks 01 and 02: correct solutions pass, typical mistakes get a useful message."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import check
from course_utils.check import nb01, nb02


def test_modules_export_their_checks():
    assert nb01.__all__ == ["exercise_01_1", "exercise_01_2", "exercise_01_3"]
    assert nb02.__all__ == ["exercise_02_1", "exercise_02_2", "exercise_02_3"]
    assert check.exercise_01_1 is nb01.exercise_01_1 and check.exercise_02_3 is nb02.exercise_02_3


def _not_implemented(*args):
    raise NotImplementedError


@pytest.mark.parametrize(
    "fn", [nb01.exercise_01_1, nb01.exercise_01_2, nb01.exercise_01_3, nb02.exercise_02_1]
)
def test_stub_is_reported_not_attempted(fn, capsys):
    result = fn(_not_implemented)
    assert not result
    assert "not attempted yet" in result.message
    assert "[NOT YET]" in capsys.readouterr().out


# ---- 01.1: one recurrent step ----


def rnn_step(x_t, y_prev, Wx, Wy, b):
    return np.tanh(x_t @ Wx + y_prev @ Wy + b)


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda x, y, Wx, Wy, b: x @ Wx + y @ Wy + b, "apply phi = tanh"),
        (lambda x, y, Wx, Wy, b: np.tanh(x @ Wx + y @ Wy), "bias b is missing"),
        (lambda x, y, Wx, Wy, b: np.tanh(x @ Wx + b), "recurrent term Y(t-1) Wy is missing"),
        (lambda x, y, Wx, Wy, b: np.tanh(x @ Wx + y @ Wy.T + b), "Wy is transposed"),
        (lambda x, y, Wx, Wy, b: 1 / (1 + np.exp(-(x @ Wx + y @ Wy + b))), "sigmoid"),
        (
            lambda x, y, Wx, Wy, b: np.tanh(x @ Wx + y @ Wy + b)[0],
            "expected an output of shape (3, 5) = (N, H), got shape (5,)",
        ),
        (lambda x, y, Wx, Wy, b: np.tanh(x @ Wx + y @ Wy + 2 * b), "values differ"),
        (lambda x, y, Wx, Wy, b: x.T @ Wx, "raised ValueError"),
    ],
)
def test_01_1(wrong, message, capsys):
    assert nb01.exercise_01_1(rnn_step)
    assert "[PASS]" in capsys.readouterr().out
    result = nb01.exercise_01_1(wrong)
    assert not result and message in result.message


# ---- 01.2: parameter count ----


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda D, H: D * H + H * H, "bias b (H values) is missing"),
        (lambda D, H: D * H + H, "recurrent weights Wy (H x H) are missing"),
        (lambda D, H: H * H + H, "input weights Wx (D x H) are missing"),
        (lambda D, H: D * H + H * H + D, "one bias per unit"),
        (lambda D, H: float(D * H + H * H + H), "return an int"),
        (lambda D, H: 2 * (D * H + H * H + H), "count Wx (D x H), Wy (H x H) and b (H)"),
    ],
)
def test_01_2(wrong, message):
    assert nb01.exercise_01_2(lambda D, H: D * H + H * H + H)
    result = nb01.exercise_01_2(wrong)
    assert not result and message in result.message


# ---- 01.3: receptive field ----


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda k, L: k * L, "each extra layer adds k - 1 new steps"),
        (lambda k, L: k**L, "grows linearly"),
        (lambda k, L: L * (k - 1), "current step itself"),
        (lambda k, L: k + L, "k - 1 steps further back"),
    ],
)
def test_01_3(wrong, message):
    assert nb01.exercise_01_3(lambda k, L: 1 + L * (k - 1))
    result = nb01.exercise_01_3(wrong)
    assert not result and message in result.message


# ---- 02.1: which mapping ----


def which_mapping(shape_in, shape_out):
    if len(shape_in) == 2:
        return "vec2seq"
    if len(shape_out) == 2:
        return "seq2vec"
    return "seq2seq" if shape_in[1] == shape_out[1] else "encdec"


def test_02_1():
    assert nb02.exercise_02_1(which_mapping)
    always_seq = nb02.exercise_02_1(lambda a, b: "seq2seq")
    assert (
        not always_seq and "is sequence-to-vector, not sequence-to-sequence" in always_seq.message
    )
    by_rank_only = nb02.exercise_02_1(
        lambda a, b: "vec2seq" if len(a) == 2 else ("seq2vec" if len(b) == 2 else "seq2seq")
    )
    assert (
        not by_rank_only and "is encoder-decoder, not sequence-to-sequence" in by_rank_only.message
    )
    bad_name = nb02.exercise_02_1(lambda a, b: "many-to-many")
    assert not bad_name and "return one of" in bad_name.message


# ---- 02.2 and 02.3: Keras builders ----

keras = pytest.importorskip("keras")


def build_seq2vec(steps, features, classes):
    return keras.Sequential(
        [
            keras.Input((steps, features)),
            keras.layers.SimpleRNN(8),
            keras.layers.Dense(classes, activation="softmax"),
        ]
    )


def test_02_2():
    assert nb02.exercise_02_2(build_seq2vec)
    from course_utils import models

    assert nb02.exercise_02_2(lambda s, f, c: models.seq2vec_model(s, f, 4, outputs=c))
    seqs = nb02.exercise_02_2(
        lambda s, f, c: keras.Sequential(
            [
                keras.Input((s, f)),
                keras.layers.SimpleRNN(8, return_sequences=True),
                keras.layers.Dense(c, activation="softmax"),
            ]
        )
    )
    assert not seqs and "still has a time axis" in seqs.message
    no_softmax = nb02.exercise_02_2(
        lambda s, f, c: keras.Sequential(
            [keras.Input((s, f)), keras.layers.SimpleRNN(8), keras.layers.Dense(c)]
        )
    )
    assert not no_softmax and "not class probabilities" in no_softmax.message
    dense_only = nb02.exercise_02_2(
        lambda s, f, c: keras.Sequential(
            [
                keras.Input((s, f)),
                keras.layers.Flatten(),
                keras.layers.Dense(c, activation="softmax"),
            ]
        )
    )
    assert not dense_only and "no recurrent layer" in dense_only.message
    not_model = nb02.exercise_02_2(lambda s, f, c: keras.layers.SimpleRNN(8))
    assert not not_model and "return a keras.Model" in not_model.message
    wrong_classes = nb02.exercise_02_2(lambda s, f, c: build_seq2vec(s, f, c + 1))
    assert not wrong_classes and "shape (4, 3) = (N, C), got shape (4, 4)" in wrong_classes.message


def build_encoder_decoder(steps, features, horizon):
    x = keras.Input((steps, features))
    _, state = keras.layers.SimpleRNN(8, return_state=True)(x)
    h = keras.layers.SimpleRNN(8, return_sequences=True)(
        keras.layers.RepeatVector(horizon)(state), initial_state=[state]
    )
    return keras.Model(x, keras.layers.Dense(1)(h))


def test_02_3():
    assert nb02.exercise_02_3(build_encoder_decoder)
    from course_utils import models

    assert nb02.exercise_02_3(lambda s, f, k: models.encoder_decoder_model(s, f, k, units=4))

    def decoder_sees_only_the_end(steps, features, horizon):
        x = keras.Input((steps, features))
        end = keras.layers.Cropping1D((steps - 2, 0))(x)  # the encoder reads only the last 2 steps
        _, state = keras.layers.SimpleRNN(8, return_state=True)(end)
        h = keras.layers.SimpleRNN(8, return_sequences=True)(
            keras.layers.RepeatVector(horizon)(state)
        )
        return keras.Model(x, keras.layers.Dense(1)(h))

    def one_layer(steps, features, horizon):
        x = keras.Input((steps, features))
        h = keras.layers.SimpleRNN(8)(x)
        return keras.Model(x, keras.layers.Reshape((horizon, 1))(keras.layers.Dense(horizon)(h)))

    def wrong_length(steps, features, horizon):
        return build_encoder_decoder(steps, features, horizon + 1)

    for fn, message in [
        (one_layer, "two recurrent layers"),
        (wrong_length, "shape (3, 4, 1) = (N, K, 1), got shape (3, 5, 1)"),
    ]:
        result = nb02.exercise_02_3(fn)
        assert not result and message in result.message
    ignored = nb02.exercise_02_3(decoder_sees_only_the_end)
    assert not ignored and "ignore the first input step" in ignored.message


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        ("abc", "expected an output of shape (3, 5) = (N, H), got str."),
        (None, "got NoneType (did you forget to `return` it?)"),
        ([[1.0], [1.0, 2.0]], "got list."),
    ],
)
def test_01_1_non_numeric_results_are_feedback_not_errors(returned, message):
    result = nb01.exercise_01_1(lambda *args: returned)
    assert not result and message in result.message, result.message
