"""The four input/output mappings of a recurrent network: baselines and figures (notebook 02, slides).

The Keras recipe of each mapping is a builder in :mod:`course_utils.models` (:func:`~course_utils.models.
seq2seq_model`, :func:`~course_utils.models.seq2vec_model`, :func:`~course_utils.models.vec2seq_model`,
:func:`~course_utils.models.encoder_decoder_model`), each made of ``SimpleRNN`` layers, so the only
difference between them is the mapping:

==================  =================================================================  ================
mapping             Keras recipe                                                       shapes
==================  =================================================================  ================
sequence-to-seq.    ``SimpleRNN(return_sequences=True)`` + ``Dense`` on the 3-D output  (N,T,D)->(N,T,O)
sequence-to-vec.    ``SimpleRNN()`` (last output only) + ``Dense``                      (N,T,D)->(N,O)
vector-to-seq.      ``RepeatVector(T)`` + ``SimpleRNN(return_sequences=True)`` + Dense  (N,P)->(N,T,O)
encoder-decoder     encoder ``SimpleRNN(return_state=True)``; its final state is the    (N,T,D)->(N,K,O)
                    decoder's ``initial_state``; decoder reads ``RepeatVector(K)``
==================  =================================================================  ================

:func:`least_squares_baseline` is the first model a student would fit to any of the four questions: a linear
least-squares fit on the inputs (a window of recent steps, the whole sequence or the parameter vector), the
yardstick the recurrent models are measured against next to each task's trivial baseline.
:func:`plot_prediction` draws one sequence of a task with its target, trivial baseline and prediction.
This module does not import TensorFlow.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from .data.signals import MappingTask
from .validation import (
    check_array,
    check_instance,
    check_int,
    check_positive_int,
    check_same_shape,
    check_setting,
)

__all__ = [
    "least_squares_baseline",
    "plot_prediction",
]


def _features(task: MappingTask, window: int) -> np.ndarray:
    """The inputs a linear baseline sees, one row per prediction it makes (a bias column appended)."""
    x = task.x
    if (
        task.kind == "seq2seq"
    ):  # every step t: the last `window` observations x(t-window+1..t), zero-padded
        padded = np.concatenate([np.zeros((x.shape[0], window - 1, 1), x.dtype), x], axis=1)
        rows = np.lib.stride_tricks.sliding_window_view(
            padded[..., 0], window, axis=1
        )  # (N, T, window)
        rows = rows.reshape(-1, window)  # (N*T, window)
    elif task.kind == "encdec":  # the last `window` observations before the forecast
        rows = x[:, -window:, 0]  # (N, window)
    else:  # seq2vec: the whole sequence (N, T); vec2seq: the parameter vector (N, P)
        rows = x.reshape(x.shape[0], -1)
    return np.concatenate([rows, np.ones((rows.shape[0], 1))], axis=1).astype(np.float64)


def _targets(task: MappingTask) -> np.ndarray:
    if task.kind == "seq2vec":  # one-hot class targets (N, C)
        return np.eye(int(task.y.max()) + 1)[task.y]
    if task.kind == "seq2seq":
        return task.y.reshape(-1, 1)  # (N*T, 1): one linear filter shared by every step
    return task.y.reshape(task.y.shape[0], -1)  # (N, K) or (N, T)


def least_squares_baseline(train: MappingTask, test: MappingTask, window: int = 10) -> np.ndarray:
    """Fit a linear least-squares model on ``train`` and predict ``test``: the student's first try.

    What the linear model reads, by mapping:

    - ``seq2seq``: at every step t the last ``window`` observations (a linear filter, zeros before step 1),
      predicting the value one step ahead; one filter for all steps;
    - ``seq2vec``: the whole sequence (N, T), fit to one-hot classes; the output is class scores (N, C);
    - ``vec2seq``: the parameter vector (N, P), predicting all T values at once;
    - ``encdec``: the last ``window`` observations (N, window), predicting all K values at once.

    A bias is always fitted. Returns a prediction shaped like ``test.y`` (class scores (N, C) for
    ``seq2vec``), so ``test.score(prediction)`` scores it.

    >>> from course_utils.data import signals
    >>> train, test = (signals.next_step_task(signals.make_signals(n, 30, seed=s)) for n, s in ((60, 1), (20, 2)))
    >>> pred = least_squares_baseline(train, test, window=5)
    >>> pred.shape, test.score(pred) < test.baseline_score
    ((20, 29, 1), True)
    """
    window = check_positive_int(window, "window")
    check_instance(train, "train", MappingTask)
    check_instance(test, "test", MappingTask)
    check_setting(test, "test", "kind", train.kind, "like train")
    if train.kind in ("seq2seq", "encdec"):
        T = train.x.shape[1]
        check_int(window, "window", low=1, high=T, what="number of steps", hint=f"T = {T}")
    coef, *_ = np.linalg.lstsq(_features(train, window), _targets(train), rcond=None)
    scores = _features(test, window) @ coef
    if test.kind == "seq2vec":
        return scores  # (N, C)
    return scores.reshape(test.y.shape).astype(np.float32)


_CLASS_NAMES = ("slow", "medium", "fast")


def plot_prediction(
    task: MappingTask, prediction: np.ndarray, index: int = 0, ax: Axes | None = None
) -> Axes:
    """Draw one sequence of a :class:`~course_utils.data.signals.MappingTask`: input, target, baseline, prediction.

    Args:
        task: the task (its ``kind`` decides where inputs and outputs sit in time).
        prediction: the model's output for the whole task, shaped like ``task.y``; for ``seq2vec`` the
            class probabilities (N, C).
        index: which sequence n to draw.
        ax: axes to draw on (None: a new figure).

    Returns:
        The axes. Time steps are numbered 1..T as in the data.
    """
    prediction = np.asarray(prediction)
    n = task.y.shape[0]
    check_int(index, "index", low=0, high=n - 1, what="sequence index")
    if task.kind == "seq2vec":
        check_array(
            prediction, "prediction", "N,C", {"N": n}, finite=False, hint="class probabilities"
        )
    else:
        check_same_shape(prediction, "prediction", task.y, "task.y")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 2.4))
    if task.kind != "vec2seq":  # a sequence input, drawn at steps 1..T_in
        ax.plot(
            np.arange(1, task.x.shape[1] + 1),
            task.x[index, :, 0],
            ".",
            color="#3182bd",
            ms=4,
            label="input x(t)",
        )
    if task.kind == "seq2vec":
        probs = prediction[index]
        guess = int(probs.argmax())
        ax.set_title(
            f"true: {_CLASS_NAMES[int(task.y[index])]}; predicted: {_CLASS_NAMES[guess]} (p = {probs[guess]:.2f}); "
            f"baseline: {_CLASS_NAMES[int(task.baseline[index])]}",
            fontsize=9,
        )
    else:
        # Where the targets sit in time: one step ahead (seq2seq), from step 1 (vec2seq), after the input (encdec).
        shift = {"seq2seq": 1, "vec2seq": 0, "encdec": task.x.shape[1]}[task.kind]
        steps_out = np.arange(1, task.y.shape[1] + 1) + shift
        ax.plot(steps_out, task.y[index, :, 0], color="black", lw=2, label="target")
        ax.plot(
            steps_out,
            task.baseline[index, :, 0],
            color="#969696",
            ls="--",
            lw=1.5,
            label="baseline",
        )
        ax.plot(steps_out, prediction[index, :, 0], color="#e6550d", lw=1.5, label="prediction")
        if task.kind == "seq2seq":
            ax.set_title(
                f"sequence {index}: the clean value one step ahead, at every step", fontsize=9
            )
        if task.kind == "encdec":
            ax.axvline(task.x.shape[1] + 0.5, color="black", lw=0.8, ls=":")
            ax.set_title(
                f"sequence {index}: read {task.x.shape[1]} steps, forecast the next {task.y.shape[1]}",
                fontsize=9,
            )
        if task.kind == "vec2seq":
            ax.set_title(
                "input: v = (" + ", ".join(f"{v:.2f}" for v in task.x[index]) + ")", fontsize=9
            )
    ax.set_xlabel("time step t")
    ax.set_ylabel("input x(t)" if task.kind == "seq2vec" else "value")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax
