"""Tests for course_utils.data.digits: the 8x8 digits as row sequences, split by a seed."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.data import digits
from course_utils.data.digits import load_digit_sequences


@pytest.fixture(scope="module")
def data():
    return load_digit_sequences(seed=0)


def test_shapes_dtypes_and_ranges(data):
    assert data.x_train.shape[1:] == (8, 8) and data.x_test.shape[1:] == (8, 8)
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    assert data.x_train.shape[0] + data.x_test.shape[0] == 1797
    assert data.y_train.shape == (data.x_train.shape[0],)
    for x in (data.x_train, data.x_test):
        assert x.min() == 0.0 and x.max() == 1.0
    assert data.n_classes == 10
    assert set(np.unique(data.y_test)) == set(range(10))


def test_rows_are_time_steps_of_the_original_images(data):
    from sklearn.datasets import load_digits

    images = load_digits().images / 16.0
    # The first training sequence is one of the images, unchanged and not transposed.
    matches = np.flatnonzero(np.all(np.isclose(images, data.x_train[0]), axis=(1, 2)))
    assert matches.size >= 1
    assert not np.allclose(data.x_train[0], data.x_train[0].T)


def test_split_is_stratified_and_disjoint(data):
    counts_test = np.bincount(data.y_test, minlength=10)
    counts_all = counts_test + np.bincount(data.y_train, minlength=10)
    np.testing.assert_array_equal(counts_test, np.round(0.25 * counts_all))
    train_rows = {row.tobytes() for row in data.x_train.reshape(len(data.x_train), -1)}
    test_rows = [row.tobytes() for row in data.x_test.reshape(len(data.x_test), -1)]
    overlap = sum(row in train_rows for row in test_rows)
    assert overlap < 5  # the data set has a few duplicate images; the split itself is disjoint


def test_seed_determines_the_split():
    a = load_digit_sequences(seed=1)
    b = load_digit_sequences(seed=1)
    c = load_digit_sequences(seed=2)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.y_test, c.y_test)


def test_test_fraction_changes_the_size():
    small = load_digit_sequences(seed=0, test_fraction=0.1)
    assert 170 <= small.x_test.shape[0] <= 190


@pytest.mark.parametrize(
    ("fraction", "error", "match"),
    [
        (0.0, ValueError, r"test_fraction: expected a finite number > 0 and < 1, got 0.0"),
        (1.5, ValueError, r"test_fraction: expected a finite number > 0 and < 1, got 1.5"),
        ("0.2", TypeError, r"test_fraction: expected a real number, got str '0.2'"),
    ],
)
def test_bad_fraction(fraction, error, match):
    with pytest.raises(error, match=match):
        load_digit_sequences(test_fraction=fraction)


def test_public_names():
    assert set(digits.__all__) == {
        "DigitSequences",
        "confusion_matrix",
        "load_digit_sequences",
        "plot_confusion",
        "plot_digits",
    }


def test_confusion_matrix_and_plots():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = digits.confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 2, 1, 2]), 3)
    np.testing.assert_array_equal(counts, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])
    with pytest.raises(ValueError, match=r"y_pred: expected shape \(4,\) = \(N,\), got \(3,\)"):
        digits.confusion_matrix(np.zeros(4, dtype=int), np.zeros(3, dtype=int))
    with pytest.raises(
        ValueError, match=r"y_true: expected integer labels in 0\.\.2, got values in 3\.\.3"
    ):
        digits.confusion_matrix(np.array([3]), np.array([0]), 3)
    ax = digits.plot_confusion(counts)
    assert len(ax.texts) == 4  # one label per non-zero cell
    images = np.zeros((3, 8, 8))
    ax = digits.plot_digits(images, ["a", "b", "c"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    with pytest.raises(ValueError, match=r"titles: expected 3 titles \(one per image\), got 1"):
        digits.plot_digits(images, ["a"])
    plt.close("all")
