"""Tests for ``reference.clipping``: agreement with TensorFlow's clipping, and what clipping preserves."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import reference as ref


def grads(seed, scale=10.0):
    rng = np.random.default_rng(seed)
    return [scale * rng.normal(size=s) for s in [(3, 4), (4, 4), (4,)]]


def test_global_norm_clipping_keeps_direction_and_caps_the_norm():
    g = grads(0)
    norm = np.sqrt(sum(np.sum(a**2) for a in g))
    clipped, reported = ref.clip_by_global_norm(g, 1.0)
    assert reported == pytest.approx(norm, rel=1e-14) and reported > 1.0
    assert ref.global_norm(clipped) == pytest.approx(1.0, rel=1e-12)
    for a, c in zip(g, clipped):
        np.testing.assert_allclose(c, a / norm, rtol=1e-12)  # same direction, scaled together
    small = grads(1, scale=1e-3)
    unchanged, _ = ref.clip_by_global_norm(small, 1.0)
    for a, c in zip(small, unchanged):
        np.testing.assert_array_equal(a, c)


def test_value_clipping_bounds_every_entry():
    g = grads(2)
    clipped = ref.clip_by_value(g, 0.5)
    for a, c in zip(g, clipped):
        assert np.abs(c).max() <= 0.5
        inside = np.abs(a) <= 0.5
        np.testing.assert_array_equal(c[inside], a[inside])
        np.testing.assert_array_equal(c[~inside], 0.5 * np.sign(a[~inside]))


def test_dicts_in_dicts_out_and_dtypes_kept():
    g = {"dWx": np.full((2, 2), 3.0, np.float32), "db": np.full(2, 4.0, np.float32)}
    clipped, norm = ref.clip_by_global_norm(g, 5.0)
    assert list(clipped) == ["dWx", "db"] and clipped["db"].dtype == np.float32
    assert norm == pytest.approx(np.sqrt(4 * 9 + 2 * 16))
    assert set(ref.clip_by_value(g, 1.0)) == {"dWx", "db"}


def test_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    g = grads(3)
    clipped, norm = ref.clip_by_global_norm(g, 2.5)
    tf_clipped, tf_norm = tf.clip_by_global_norm([tf.constant(a) for a in g], 2.5)
    assert norm == pytest.approx(float(tf_norm), rel=1e-12)
    for a, b in zip(clipped, tf_clipped):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-12)
    for a, b in zip(ref.clip_by_value(g, 0.7), g):
        np.testing.assert_array_equal(a, tf.clip_by_value(b, -0.7, 0.7).numpy())


def test_errors():
    with pytest.raises(ValueError, match=r"^max_norm: expected a finite number > 0, got 0$"):
        ref.clip_by_global_norm(grads(4), 0)
    with pytest.raises(ValueError, match=r"^limit: expected a finite number > 0, got -1.0$"):
        ref.clip_by_value(grads(4), -1.0)
    with pytest.raises(
        TypeError,
        match=r"^grads: expected a list of gradient arrays \(or a dict of them\), got ndarray$",
    ):
        ref.clip_by_global_norm(np.ones(3), 1.0)
    with pytest.raises(
        ValueError, match=r"^grads\[1\]: expected finite values, got inf at index \(1,\)$"
    ):
        ref.clip_by_global_norm([np.ones(2), np.array([1.0, np.inf])], 1.0)
    with pytest.raises(ValueError, match=r"^dWh: expected finite values, got nan at index \(0,\)$"):
        ref.clip_by_value({"dWh": np.full(2, np.nan)}, 1.0)
    with pytest.raises(TypeError, match=r"^grads\[0\]: expected a numeric array, got dtype <U1$"):
        ref.global_norm(["a"])
