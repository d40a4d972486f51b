"""Tests for course_utils.data.series: shapes, determinism, value ranges, frequencies and bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.data import series
from course_utils.data.series import generate_series, series_bound


def test_shape_and_dtype_are_batch_first_float32():
    x = generate_series(7, 33, seed=3)
    assert x.shape == (7, 33, 1)
    assert x.dtype == np.float32


def test_same_seed_same_series_different_seed_different_series():
    a = generate_series(5, 40, seed=11)
    b = generate_series(5, 40, seed=11)
    c = generate_series(5, 40, seed=12)
    np.testing.assert_array_equal(a, b)
    assert np.max(np.abs(a - c)) > 0.1


def test_values_stay_within_the_documented_bound_and_use_most_of_it():
    x = generate_series(400, 60, seed=0)
    bound = series_bound()
    assert bound == pytest.approx(0.75)
    assert np.all(np.abs(x) <= bound)
    assert np.max(np.abs(x)) > 0.6  # the waves do reach near their amplitude sum
    y = generate_series(50, 60, seed=0, amplitudes=(2.0,), freq_ranges=((5.0, 6.0),), noise=0.4)
    assert np.all(np.abs(y) <= series_bound((2.0,), 0.4))
    assert np.max(np.abs(y)) > 1.8


def test_noise_free_single_sine_has_the_drawn_frequency():
    # One component, one frequency: s(t) = sin(w (t - tau)) with w in [12, 12]; check by a fit.
    t = np.linspace(0.0, 1.0, 200)
    x = generate_series(3, 200, seed=5, amplitudes=(1.0,), freq_ranges=((12.0, 12.0),), noise=0.0)
    for row in x[:, :, 0]:
        basis = np.stack([np.sin(12.0 * t), np.cos(12.0 * t)], axis=1)
        coef, *_ = np.linalg.lstsq(basis, row, rcond=None)
        np.testing.assert_allclose(basis @ coef, row, atol=1e-5)
        assert np.hypot(*coef) == pytest.approx(1.0, abs=1e-5)


def test_noise_is_uniform_with_the_given_width():
    clean = generate_series(200, 50, seed=2, noise=0.0)
    noisy = generate_series(200, 50, seed=2, noise=0.2)
    diff = (noisy - clean).ravel()
    assert np.all(np.abs(diff) <= 0.1 + 1e-6)
    assert np.var(diff) == pytest.approx(0.2**2 / 12, rel=0.1)


def test_series_differ_from_each_other():
    x = generate_series(20, 50, seed=0)[:, :, 0]
    corr = np.corrcoef(x)
    off_diagonal = corr[~np.eye(20, dtype=bool)]
    assert np.mean(np.abs(off_diagonal)) < 0.6


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"n_series": 0, "n_steps": 5},
            ValueError,
            r"n_series: expected a positive integer, got 0",
        ),
        (
            {"n_series": 2, "n_steps": -1},
            ValueError,
            r"n_steps: expected a positive integer, got -1",
        ),
        (
            {"n_series": 2.5, "n_steps": 5},
            TypeError,
            r"n_series: expected a positive integer, got float",
        ),
        (
            {"n_series": 2, "n_steps": 5, "noise": -0.1},
            ValueError,
            r"noise: expected a finite number >= 0, got -0.1",
        ),
        (
            {"n_series": 2, "n_steps": 5, "amplitudes": (1.0, -1.0)},
            ValueError,
            r"amplitudes: expected values >= 0, got -1.0 at index \(1,\)",
        ),
        (
            {"n_series": 2, "n_steps": 5, "amplitudes": (1.0,)},
            ValueError,
            r"freq_ranges: expected shape \(1, 2\) = \(K, 2\) \(a \(low, high\) pair per amplitude\), got \(2, 2\)",
        ),
        (
            {"n_series": 2, "n_steps": 5, "freq_ranges": ((20.0, 10.0), (1.0, 2.0))},
            ValueError,
            r"freq_ranges \(high - low\): expected values >= 0, got -10.0 at index \(0,\)",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        generate_series(**kwargs)


def test_public_names():
    assert set(series.__all__) == {
        "DEFAULT_AMPLITUDES",
        "DEFAULT_FREQ_RANGES",
        "generate_series",
        "series_bound",
    }
