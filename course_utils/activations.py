"""Elementwise and row-wise activations in NumPy, written once for the whole package.

``sigmoid`` is the gate activation of the reference LSTM and GRU cells; ``softmax`` and ``log_softmax``
turn logits ``(..., V)`` into probabilities (or their logarithms) over the last axis, for the NumPy
trainer's cross-entropy, temperature sampling and Keras character models alike. (Graded work in
``course_utils.check``, ``course_utils.grading`` and the assignments keeps its own code on purpose.)
"""

from __future__ import annotations

import numpy as np

__all__ = ["log_softmax", "sigmoid", "softmax"]


def sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-a))``, computed as ``(tanh(a/2) + 1) / 2`` (no overflow).

    >>> sigmoid(np.array([0.0, 1000.0, -1000.0])).tolist()
    [0.5, 1.0, 0.0]
    """
    return 0.5 * (np.tanh(0.5 * a) + 1.0)


def log_softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """``log softmax(z)`` along ``axis``, shifted by the maximum first so that nothing overflows.

    >>> np.round(log_softmax(np.array([0.0, 0.0])), 4).tolist()
    [-0.6931, -0.6931]
    """
    z = np.asarray(z)
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """``exp(z) / sum(exp(z))`` along ``axis`` (the last by default), shifted by the maximum first.

    Entries of ``-inf`` get probability 0.

    >>> softmax(np.array([[0.0, np.log(3.0)]])).round(3).tolist()
    [[0.25, 0.75]]
    """
    z = np.asarray(z)
    weights = np.exp(z - z.max(axis=axis, keepdims=True))
    return weights / weights.sum(axis=axis, keepdims=True)
