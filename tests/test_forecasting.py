"""Tests for course_utils.forecasting: splits, baselines, multi-step forecasts, Keras builders, evaluation."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils import forecasting as fc
from course_utils import models
from course_utils.data import generate_series


def ramp(n: int = 6, t: int = 8) -> np.ndarray:
    """(n, t, 1) ramps with slope 1 and different starts."""
    return (np.arange(n)[:, None] * 10.0 + np.arange(t)[None, :])[..., None]


# --- splits ------------------------------------------------------------------------------------------


def test_split_series_keeps_order_and_sizes():
    s = ramp(10)
    parts = fc.split_series(s, 6, 3)
    np.testing.assert_array_equal(parts.train, s[:6])
    np.testing.assert_array_equal(parts.valid, s[6:9])
    np.testing.assert_array_equal(parts.test, s[9:])


def test_split_series_needs_a_test_part():
    with pytest.raises(
        ValueError,
        match=r"n_train \+ n_valid: expected a number of series <= 9 \(fewer than N = 10, .*\), got 10",
    ):
        fc.split_series(ramp(10), 6, 4)


def test_split_window_inputs_and_targets():
    x, y = fc.split_window(ramp(2, 8), n_out=3)
    assert x.shape == (2, 5, 1) and y.shape == (2, 3)
    np.testing.assert_array_equal(y, [[5, 6, 7], [15, 16, 17]])
    np.testing.assert_array_equal(x[1, :, 0], [10, 11, 12, 13, 14])


def test_split_window_errors_name_the_argument():
    with pytest.raises(
        ValueError, match=r"n_out: expected a number of steps <= 7 \(fewer than T = 8, .*\), got 8"
    ):
        fc.split_window(ramp(2, 8), n_out=8)
    with pytest.raises(
        ValueError,
        match=r"series: expected a 3-D array of shape \(N, T, 1\), got a 2-D array",
    ):
        fc.split_window(np.zeros((2, 8)))
    with pytest.raises(
        ValueError, match=r"series: expected shape \(2, 8, 1\) = \(N, T, 1\), got \(2, 8, 3\)"
    ):
        fc.split_window(np.zeros((2, 8, 3)))


# --- baselines ---------------------------------------------------------------------------------------


def test_naive_repeats_the_last_value():
    x = ramp(3, 4)
    np.testing.assert_array_equal(fc.naive_forecast(x, 2), [[3, 3], [13, 13], [23, 23]])


def test_linear_fit_recovers_a_known_linear_rule():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 6, 1))
    true_w = rng.normal(size=(6, 2))
    y = x[..., 0] @ true_w + np.array([0.5, -1.0])
    model = fc.fit_linear(x, y)
    np.testing.assert_allclose(model.weights, true_w, atol=1e-5)
    np.testing.assert_allclose(model.bias, [0.5, -1.0], atol=1e-5)
    assert model.predict(x[:3]).shape == (3, 2)


def test_linear_predict_checks_the_window_length():
    model = fc.fit_linear(ramp(6, 5), np.zeros((6, 1)))
    with pytest.raises(
        ValueError, match=r"x: expected shape \(2, 5, 1\) = \(N, T, 1\), got \(2, 4, 1\)"
    ):
        model.predict(ramp(2, 4))


def test_linear_beats_naive_on_sines_and_errors_on_bad_targets():
    s = generate_series(600, 31, seed=0)
    parts = fc.split_series(s, 400, 100)
    x, y = fc.split_window(parts.train)
    xv, yv = fc.split_window(parts.valid)
    linear = fc.mse(yv, fc.fit_linear(x, y).predict(xv))
    naive = fc.mse(yv, fc.naive_forecast(xv))
    assert linear < 0.5 * naive
    with pytest.raises(
        ValueError, match=r"y: expected shape \(400, 1\) = \(N, K\), got \(399, 1\)"
    ):
        fc.fit_linear(x, y[:-1])
    with pytest.raises(ValueError, match=r"ridge: expected a finite number >= 0, got -1"):
        fc.fit_linear(x, y, ridge=-1)


# --- multi-step forecasts ----------------------------------------------------------------------------


def test_iterative_feeds_predictions_back_with_a_sliding_window():
    seen = []

    def next_is_sum_of_last_two(window):
        seen.append(window.shape)
        return window[:, -1, :] + window[:, -2, :]

    x = np.array([[[0.0], [1.0], [1.0]]])  # Fibonacci
    out = fc.forecast_iterative(next_is_sum_of_last_two, x, 5)
    np.testing.assert_array_equal(out, [[2, 3, 5, 8, 13]])
    assert seen == [(1, 3, 1)] * 5  # the window keeps its length


def test_iterative_with_linear_forecaster_matches_a_direct_recurrence():
    model = fc.LinearForecaster(weights=np.array([[0.0], [0.5], [0.5]]), bias=np.array([1.0]))
    x = np.array([[[0.0], [2.0], [4.0]]])
    # next = 0.5 a + 0.5 b + 1 over the last two values
    expected = []
    a, b = 2.0, 4.0
    for _ in range(3):
        a, b = b, 0.5 * a + 0.5 * b + 1
        expected.append(b)
    np.testing.assert_allclose(fc.forecast_iterative(model, x, 3), [expected])


def test_iterative_rejects_multi_output_models():
    with pytest.raises(
        ValueError,
        match=r"model: expected shape \(2, 1\) = \(N, 1\) \(a one-step forecast\), got \(2, 3\)",
    ):
        fc.forecast_iterative(lambda w: np.zeros((2, 3)), np.zeros((2, 4, 1)), 2)
    with pytest.raises(
        TypeError, match=r"model: expected Callable \(a Keras model or a function\), got int"
    ):
        fc.forecast_iterative(3, np.zeros((2, 4, 1)), 2)


def test_direct_calls_the_model_once():
    calls = []

    def model(w):
        calls.append(1)
        return np.repeat(w[:, -1, :], 4, axis=1) * 2

    out = fc.forecast_direct(model, ramp(2, 3))
    np.testing.assert_array_equal(out, [[4, 4, 4, 4], [24, 24, 24, 24]])
    assert len(calls) == 1


# --- evaluation --------------------------------------------------------------------------------------


def test_mse_and_shape_check():
    assert fc.mse([[1.0, 2.0]], [[1.0, 4.0]]) == pytest.approx(2.0)
    with pytest.raises(
        ValueError, match=r"y_pred: expected shape \(1, 2\) = \(N, K\), got \(1, 3\)"
    ):
        fc.mse([[1.0, 2.0]], [[1.0, 4.0, 5.0]])


def test_mse_by_horizon_splits_the_mse_per_step():
    y = np.zeros((2, 3))
    pred = np.array([[0.0, 1.0, 2.0], [0.0, 3.0, 0.0]])
    curve = fc.mse_by_horizon(y, pred)
    np.testing.assert_allclose(curve, [0.0, 5.0, 2.0])
    assert curve.mean() == pytest.approx(fc.mse(y, pred))  # the curve averages to the overall MSE
    with pytest.raises(
        ValueError, match=r"y_pred: expected shape \(2, 3\) = \(N, K\), got \(2, 4\)"
    ):
        fc.mse_by_horizon(y, np.zeros((2, 4)))


def test_mse_by_horizon_of_a_compounding_forecast_grows():
    # "next = last": on a ramp the iterative error after k steps is k, so the MSE by horizon is k^2.
    x, y = fc.split_window(ramp(3, 12), n_out=4)
    pred = fc.forecast_iterative(lambda w: w[:, -1, :], x, 4)
    np.testing.assert_allclose(fc.mse_by_horizon(y, pred), [1.0, 4.0, 9.0, 16.0])


def test_plot_mse_by_horizon_one_line_per_model():
    ax = fc.plot_mse_by_horizon({"a": [1.0, 2.0, 4.0], "b": np.array([0.5, 0.5, 0.5])})
    assert [line.get_label() for line in ax.lines] == ["a", "b"]
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    assert ax.get_yscale() == "log"
    _, given = plt.subplots()
    assert fc.plot_mse_by_horizon({"a": [1.0]}, ax=given) is given
    with pytest.raises(ValueError, match="errors: expected at least one curve"):
        fc.plot_mse_by_horizon({})
    with pytest.raises(
        ValueError, match=r"errors\['b'\]: expected shape \(3,\) = \(K,\), got \(2,\)"
    ):
        fc.plot_mse_by_horizon({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0]})
    plt.close("all")


def test_results_table_sorted_best_first():
    table = fc.results_table({"deep RNN": 0.003, "naive": 0.02, "linear": 0.004}, digits=3)
    lines = table.splitlines()
    assert lines[0].split() == ["model", "validation", "MSE"]
    assert [line.rsplit(None, 1)[0].strip() for line in lines[1:]] == [
        "deep RNN",
        "linear",
        "naive",
    ]
    assert lines[1].endswith("0.003")
    with pytest.raises(ValueError, match="results: expected at least one entry"):
        fc.results_table({})


def test_plot_forecast_draws_window_truth_and_each_forecast():
    x, y = fc.split_window(ramp(3, 10), n_out=3)
    ax = fc.plot_forecast(x, y, {"naive": fc.naive_forecast(x, 3), "twice": 2 * y}, index=1)
    assert len(ax.lines) == 5  # input, truth, two forecasts, the divider
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), y[1])
    _, given = plt.subplots()
    assert fc.plot_forecast(x, y, ax=given) is given
    with pytest.raises(ValueError, match=r"index: expected a series index in 0\.\.2, got 3"):
        fc.plot_forecast(x, y, index=3)
    with pytest.raises(
        ValueError, match=r"forecasts\['bad'\]: expected shape \(3, 3\) = \(N, K\), got \(3, 2\)"
    ):
        fc.plot_forecast(x, y, {"bad": np.zeros((3, 2))})
    plt.close("all")


# --- Keras forecasters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "n_recurrent", "sequences"),
    [
        ({"kind": "simple", "units": 5, "outputs": 1}, 1, [False]),
        ({"kind": "deep", "units": 4, "outputs": 10, "n_layers": 3}, 3, [True, True, False]),
        ({"kind": "simple", "units": 3, "cell": "gru"}, 1, [False]),
    ],
)
def test_build_forecaster_architecture(kwargs, n_recurrent, sequences):
    import keras

    model = models.build_forecaster(**kwargs)
    recurrent = [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)]
    assert len(recurrent) == n_recurrent
    assert [layer.return_sequences for layer in recurrent] == sequences
    assert all(layer.units == kwargs["units"] for layer in recurrent)
    out = model(np.zeros((2, 7, 1), dtype=np.float32))
    assert tuple(out.shape) == (2, kwargs.get("outputs", 1))
    assert model.loss == "mse"


def test_build_forecaster_is_seeded():
    a = models.build_forecaster("deep", units=4, seed=3).get_weights()
    b = models.build_forecaster("deep", units=4, seed=3).get_weights()
    c = models.build_forecaster("deep", units=4, seed=4).get_weights()
    for wa, wb in zip(a, b):
        np.testing.assert_array_equal(wa, wb)
    assert not np.allclose(a[0], c[0])


def test_build_forecaster_is_the_stacked_builder_compiled():
    built = models.build_forecaster("deep", units=4, n_layers=3, outputs=2, every_step=True, seed=7)
    stacked = models.build_stacked_rnn((None, 1), (4, 4, 4), outputs=2, every_step=True, seed=7)
    assert [type(layer) for layer in built.layers] == [type(layer) for layer in stacked.layers]
    for wa, wb in zip(built.get_weights(), stacked.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_keras_forecaster_learns_and_works_iteratively():
    s = generate_series(300, 21, seed=1)
    x, y = fc.split_window(s)
    model = models.build_forecaster("simple", units=8, learning_rate=0.02, seed=0)
    before = fc.mse(y, fc.forecast_direct(model, x))
    model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    after = fc.mse(y, fc.forecast_direct(model, x))
    assert after < 0.5 * before
    out = fc.forecast_iterative(model, x[:4], 3)
    assert out.shape == (4, 3) and np.all(np.isfinite(out))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kind": "wide"}, r"kind: expected one of \('simple', 'deep'\), got 'wide'"),
        ({"cell": "rnn"}, r"cell: expected one of \('simple_rnn', 'lstm', 'gru'\), got 'rnn'"),
        ({"units": 0}, r"units: expected a positive integer, got 0"),
        (
            {"kind": "deep", "n_layers": 1},
            r"n_layers: expected an integer >= 2 \(kind='deep'\), got 1",
        ),
        (
            {"learning_rate": 0.0},
            r"learning_rate: expected a finite number > 0, got 0.0",
        ),
    ],
)
def test_build_forecaster_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        models.build_forecaster(**kwargs)


def test_sequence_targets_shift_the_series():
    s = np.arange(2 * 8, dtype=float).reshape(2, 8, 1)
    y = fc.sequence_targets(s, n_in=5, n_out=3)
    assert y.shape == (2, 5, 3)
    np.testing.assert_array_equal(y[1, 0], [9, 10, 11])
    np.testing.assert_array_equal(y[0, 4], [5, 6, 7])
    # the last step's targets are exactly split_window's targets
    _, y_last = fc.split_window(s, n_out=3)
    np.testing.assert_array_equal(y[:, -1], y_last)
    with pytest.raises(
        ValueError, match=r"n_in \+ n_out: expected a number of steps <= 8 \(T = 8\), got 9"
    ):
        fc.sequence_targets(s, n_in=6, n_out=3)


def test_every_step_forecaster_outputs_each_step_and_forecasts_from_the_last():
    import keras

    model = models.build_forecaster("deep", units=4, outputs=3, every_step=True)
    x = np.random.default_rng(0).normal(size=(2, 6, 1)).astype(np.float32)
    full = np.asarray(model(x))
    assert full.shape == (2, 6, 3)
    np.testing.assert_allclose(fc.forecast_direct(model, x), full[:, -1], atol=1e-6)
    one = models.build_forecaster("simple", units=4, every_step=True)
    assert fc.forecast_iterative(one, x, 2).shape == (2, 2)
    schedule = keras.optimizers.schedules.CosineDecay(1e-2, decay_steps=10)
    assert models.build_forecaster(units=2, learning_rate=schedule).optimizer is not None
