"""Exercise checks for notebook 02 (input/output mappings).

* ``exercise_02_1(which_mapping)``: name the mapping from the input and output shapes;
* ``exercise_02_2(build_seq2vec)``: a Keras sequence-to-vector classifier;
* ``exercise_02_3(build_encoder_decoder)``: a Keras encoder-decoder whose decoder starts from the encoder's state.

Keras is imported only inside the Keras checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._feedback import Feedback, attempt, failed, passed

__all__ = ["exercise_02_1", "exercise_02_2", "exercise_02_3"]

_NAMES = {
    "seq2seq": "sequence-to-sequence",
    "seq2vec": "sequence-to-vector",
    "vec2seq": "vector-to-sequence",
    "encdec": "encoder-decoder",
}


def exercise_02_1(which_mapping: Callable[[tuple, tuple], str], *, show: bool = True) -> Feedback:
    """Check ``which_mapping(input_shape, output_shape)`` returns "seq2seq", "seq2vec", "vec2seq" or "encdec".

    Shapes are batch-first tuples: (N, T, D) sequences, (N, P) vectors; an output sequence with a length
    different from the input's comes from an encoder-decoder.
    """
    ex = "02.1"
    cases = [
        ((32, 40, 1), (32, 40, 1), "seq2seq"),
        ((32, 40, 1), (32, 3), "seq2vec"),
        ((32, 4), (32, 40, 1), "vec2seq"),
        ((32, 30, 1), (32, 10, 1), "encdec"),
        ((8, 12, 5), (8, 12, 2), "seq2seq"),
        ((8, 12, 5), (8, 7), "seq2vec"),
        ((8, 6), (8, 20, 3), "vec2seq"),
        ((8, 12, 5), (8, 25, 5), "encdec"),
    ]
    for shape_in, shape_out, want in cases:
        got, problem = attempt(ex, which_mapping, shape_in, shape_out, show=show)
        if problem is not None:
            return problem
        if got not in _NAMES:
            return failed(ex, f"return one of {sorted(_NAMES)}, got {got!r}.", show=show)
        if got != want:
            return failed(
                ex,
                f"input {shape_in} -> output {shape_out} is {_NAMES[want]}, not {_NAMES[got]}: look at which side has a time axis, and whether the lengths match.",
                show=show,
            )
    return passed(
        ex,
        "correct: the rank of each side says sequence or vector; unequal lengths need an encoder-decoder.",
        show=show,
    )


def _outputs(model: Any, x: np.ndarray) -> np.ndarray:
    return np.asarray(model(x, training=False))


def _recurrent_layers(model: Any) -> list:
    import keras

    found = []
    for layer in getattr(model, "layers", []):
        if isinstance(layer, keras.layers.RNN):
            found.append(layer)
        elif isinstance(layer, keras.Model):
            found.extend(_recurrent_layers(layer))
    return found


def _build_and_run(
    ex: str,
    build: Callable[..., Any],
    args: tuple[int, ...],
    x: np.ndarray,
    *,
    recurrent: int,
    missing: str,
    show: bool = True,
) -> tuple[Any, np.ndarray | None, Feedback | None]:
    """Build the student's model, check it is a Keras model with ``recurrent`` recurrent layers, run it on ``x``.

    Returns ``(model, outputs, None)``, or ``(None, None, feedback)`` saying what went wrong
    (``missing`` is the message when there are too few recurrent layers).
    """
    import keras

    model, problem = attempt(ex, build, *args, show=show)
    if problem is not None:
        return None, None, problem
    if not isinstance(model, keras.Model):
        message = f"return a keras.Model (e.g. keras.Sequential or the functional API), got {type(model).__name__}."
    elif len(_recurrent_layers(model)) < recurrent:
        message = missing
    else:
        try:
            return model, _outputs(model, x), None
        except Exception as exc:  # a student's model that cannot run on an (N, T, D) batch
            message = f"the model fails on a batch of shape (N, T, D) = {x.shape}: {type(exc).__name__}: {exc}"
    return None, None, failed(ex, message, show=show)


def exercise_02_2(build_seq2vec: Callable[[int, int, int], Any], *, show: bool = True) -> Feedback:
    """Check ``build_seq2vec(steps, features, classes)``: a model mapping (N, T, D) to class probabilities (N, C)."""
    ex = "02.2"
    steps, features, classes = 12, 2, 3
    x = np.random.default_rng(0).normal(size=(4, steps, features)).astype("float32")
    _, out, problem = _build_and_run(
        ex,
        build_seq2vec,
        (steps, features, classes),
        x,
        recurrent=1,
        missing="the model has no recurrent layer (SimpleRNN, LSTM or GRU): it must read the sequence step by step.",
        show=show,
    )
    if problem is not None:
        return problem
    if out.ndim == 3:
        return failed(
            ex,
            f"the output {out.shape} still has a time axis: a sequence-to-vector model keeps only the last output (return_sequences=False).",
            show=show,
        )
    if out.shape != (4, classes):
        return failed(
            ex,
            f"expected an output of shape {(4, classes)} = (N, C), got shape {out.shape}.",
            show=show,
        )
    if not (np.all(out >= 0) and np.allclose(out.sum(axis=1), 1.0, atol=1e-4)):
        return failed(
            ex,
            "the outputs are not class probabilities: end with Dense(classes, activation='softmax').",
            show=show,
        )
    return passed(
        ex, "correct: (N, T, D) -> last state (N, H) -> class probabilities (N, C).", show=show
    )


def exercise_02_3(
    build_encoder_decoder: Callable[[int, int, int], Any], *, show: bool = True
) -> Feedback:
    """Check ``build_encoder_decoder(steps, features, horizon)``: (N, T, D) -> (N, K, 1) through the encoder's state."""
    ex = "02.3"
    steps, features, horizon = 10, 1, 4
    x = np.random.default_rng(0).normal(size=(3, steps, features)).astype("float32")
    model, out, problem = _build_and_run(
        ex,
        build_encoder_decoder,
        (steps, features, horizon),
        x,
        recurrent=2,
        missing="an encoder-decoder has two recurrent layers: an encoder that reads, a decoder that emits.",
        show=show,
    )
    if problem is not None:
        return problem
    if out.shape != (3, horizon, 1):
        return failed(
            ex,
            f"expected an output of shape {(3, horizon, 1)} = (N, K, 1), got shape {out.shape}.",
            show=show,
        )
    changed = x.copy()
    changed[:, 0] += 3.0  # the first input can reach the decoder only through the encoder's state
    if np.allclose(_outputs(model, changed), out, atol=1e-6):
        return failed(
            ex,
            "the outputs ignore the first input step: hand the encoder's final state to the decoder.",
            show=show,
        )
    return passed(
        ex, "correct: the encoder's final state carries the whole input to the decoder.", show=show
    )
