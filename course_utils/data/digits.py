"""Handwritten digits read row by row: images as sequences for a sequence classifier (notebook 03).

scikit-learn ships 1,797 8x8 grey-level digits (``sklearn.datasets.load_digits``), so nothing is downloaded.
Each image becomes a sequence of T = 8 rows with D = 8 pixels each: the recurrent layer reads the top row
at t = 0, the next row at t = 1, and so on, and classifies the digit from its last state.

``load_digit_sequences`` returns a seeded, stratified train/test split with ``x`` of shape ``(N, 8, 8)``
(N images, T = 8 rows, D = 8 pixels) scaled to ``[0, 1]`` as float32, and labels ``y`` of shape ``(N,)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..validation import check_array, check_labels, check_number, check_sequence

__all__ = [
    "DigitSequences",
    "confusion_matrix",
    "load_digit_sequences",
    "plot_confusion",
    "plot_digits",
]

N_CLASSES = 10
MAX_PIXEL = 16.0  # scikit-learn's digits have grey levels 0..16


@dataclass(frozen=True)
class DigitSequences:
    """A train/test split of the 8x8 digits as row sequences."""

    x_train: np.ndarray  # (N_train, T=8, D=8) float32 in [0, 1]
    y_train: np.ndarray  # (N_train,) int64 labels 0..9
    x_test: np.ndarray  # (N_test, T=8, D=8) float32 in [0, 1]
    y_test: np.ndarray  # (N_test,) int64 labels 0..9

    @property
    def n_classes(self) -> int:
        """Number of classes (10 digits)."""
        return N_CLASSES


def _stratified_test_mask(
    y: np.ndarray, test_fraction: float, rng: np.random.Generator
) -> np.ndarray:
    """A boolean mask choosing ``round(test_fraction * count)`` test items from every class."""
    mask = np.zeros(y.shape[0], dtype=bool)
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        n_test = round(test_fraction * members.size)
        mask[rng.permutation(members)[:n_test]] = True
    return mask


def load_digit_sequences(*, seed: int = 0, test_fraction: float = 0.25) -> DigitSequences:
    """Load scikit-learn's 8x8 digits as row sequences and split them, stratified by class.

    Args:
        seed: seed of the shuffle that picks the test images (and orders both parts).
        test_fraction: fraction of each class held out for testing, strictly between 0 and 1.

    Returns:
        A :class:`DigitSequences` with ``x`` of shape ``(N, 8, 8)`` = (N, T, D) in ``[0, 1]`` and ``y`` of
        shape ``(N,)``; about 1,348 training and 449 test images with the default fraction.

    >>> data = load_digit_sequences(seed=0)
    >>> data.x_train.shape[1:], data.x_train.dtype, data.x_train.shape[0] + data.x_test.shape[0]
    ((8, 8), dtype('float32'), 1797)
    """
    test_fraction = check_number(
        test_fraction, "test_fraction", low=0, high=1, low_open=True, high_open=True
    )
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:  # pragma: no cover - scikit-learn is in the course's lock
        raise ImportError(
            "load_digit_sequences needs scikit-learn (it ships the digits): pip install 'course-utils[data]'"
        ) from exc
    bunch = load_digits()
    images = (bunch.images / MAX_PIXEL).astype(np.float32)  # (1797, 8, 8): rows are time steps
    labels = bunch.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    test = _stratified_test_mask(labels, float(test_fraction), rng)
    train_idx = rng.permutation(np.flatnonzero(~test))
    test_idx = rng.permutation(np.flatnonzero(test))
    return DigitSequences(images[train_idx], labels[train_idx], images[test_idx], labels[test_idx])


def confusion_matrix(
    y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = N_CLASSES
) -> np.ndarray:
    """Counts ``(n_classes, n_classes)``: row = true label, column = predicted label.

    >>> confusion_matrix(np.array([0, 1, 1]), np.array([0, 0, 1]), 2).tolist()
    [[1, 0], [1, 1]]
    """
    sizes: dict[str, int] = {}
    y_true = check_labels(y_true, "y_true", n_classes, "N", sizes)
    y_pred = check_labels(y_pred, "y_pred", n_classes, "N", sizes)
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def plot_confusion(counts: np.ndarray, *, ax: Any = None) -> Any:
    """Draw a confusion matrix ``(C, C)`` (rows true, columns predicted) with its counts; return the axes."""
    import matplotlib.pyplot as plt

    counts = np.asarray(counts)
    check_array(
        counts, "counts", "C,C"
    )  # a check only: the counts are drawn as they are (integers)
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    ax.imshow(np.log1p(counts), cmap="Blues")
    for (i, j), value in np.ndenumerate(counts):
        if value:
            ax.text(
                j, i, str(value), ha="center", va="center", fontsize=7, color="k" if i != j else "w"
            )
    ticks = np.arange(counts.shape[0])
    ax.set_xticks(ticks)
    ax.set_yticks(ticks)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    return ax


def plot_digits(images: np.ndarray, titles: Sequence[str] = (), *, ax: Any = None) -> Any:
    """Draw images ``(K, 8, 8)`` side by side in one axes (each row of pixels is one time step); return it."""
    import matplotlib.pyplot as plt

    images = check_array(images, "images", "K,8,8")
    if titles:
        check_sequence(
            titles, "titles", what="titles", length=images.shape[0], hint="one per image"
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(1.2 * images.shape[0], 1.6))
    gap = np.ones((8, 1))
    strip = np.hstack([np.hstack([img, gap]) for img in images])[:, :-1]  # (8, 9K - 1)
    ax.imshow(strip, cmap="gray_r", vmin=0, vmax=1)
    ax.set_yticks([0, 7], ["t=0", "t=7"])
    ax.set_xticks(
        [9 * k + 3.5 for k in range(images.shape[0])], list(titles) or [""] * images.shape[0]
    )
    ax.tick_params(length=0)
    return ax
