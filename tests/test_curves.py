"""Tests for course_utils.curves: one plotter for Keras histories, NumPy training runs and long-lag runs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils import curves, training
from course_utils.longlag import LongLagResult


def long_lag_result(cell, val_mse):
    return LongLagResult(
        cell=cell, T=10, seed=0, units=4, params=100, test_mse=0.1, baseline_mse=1 / 6,
        target_mse=0.01, reached=False, epochs=len(val_mse), epochs_to_target=None,
        seconds_to_target=None, seconds_per_epoch=1.0, seconds=3.0, val_mse=tuple(val_mse),
    )  # fmt: skip


def test_long_lag_runs_draw_their_validation_curves_and_reference_lines():
    runs = {"LSTM": long_lag_result("LSTM", [0.2, 0.1]), "GRU": long_lag_result("GRU", [0.3])}
    ax = curves.plot_curves(runs, hlines={"predict the mean": 1 / 6, "target": 0.01})
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["LSTM", "GRU", "predict the mean", "target"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [0.2, 0.1])
    assert ax.get_lines()[0].get_linestyle() == "--"  # a validation curve
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "validation MSE"
    plt.close("all")


def test_numpy_runs_are_drawn_per_update_and_keras_runs_per_epoch():
    ax = curves.plot_curves({"a": training.History(loss=[1.0, 0.5])})
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("update", "training loss")
    ax = curves.plot_curves({"k": {"loss": [1.0, 0.5]}}, logy=False)
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_yscale()) == ("epoch", "loss", "linear")
    assert [line.get_label() for line in ax.get_lines()] == ["k"]
    plt.close("all")
    with pytest.raises(ValueError, match="histories: expected at least one History, got none"):
        curves.plot_curves({})
