"""Forecasting a time series: baselines, windows and splits, Keras forecasters, multi-step forecasts.

Used by notebook 03 (one step and 10 steps ahead) and notebook 05 (deep RNNs). Shapes are batch-first:

==========  =================  ==========================================================
name        shape              meaning
==========  =================  ==========================================================
series      (N, T, 1)          N whole series (from ``course_utils.data.generate_series``)
x           (N, T_in, 1)       the input window the model sees
y           (N, n_out)         the next ``n_out`` values to predict
==========  =================  ==========================================================

Two ways to forecast ``n_out`` steps:

* **iterative**: a one-step model predicts ``x(T+1)``, the prediction is appended to the window and fed
  back, ``n_out`` times (errors compound);
* **direct**: one model outputs the whole vector ``(x(T+1), ..., x(T+n_out))`` at once.

Baselines come first: the naive forecast repeats the last value, and the linear forecast is the
least-squares fit of the next values on the whole window (closed form, no training loop). The Keras
forecaster is :func:`course_utils.models.build_forecaster`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .validation import (
    check_array,
    check_instance,
    check_int,
    check_length,
    check_number,
    check_positive_int,
)

__all__ = [
    "LinearForecaster",
    "SeriesSplit",
    "fit_linear",
    "forecast_direct",
    "forecast_iterative",
    "mse",
    "mse_by_horizon",
    "naive_forecast",
    "plot_forecast",
    "plot_mse_by_horizon",
    "results_table",
    "sequence_targets",
    "split_series",
    "split_window",
]

# --- data handling -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesSplit:
    """Train/validation/test parts of a batch of series, split along N (each part ``(N_part, T, 1)``)."""

    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray


def split_series(series: np.ndarray, n_train: int, n_valid: int) -> SeriesSplit:
    """Split ``series`` ``(N, T, 1)`` into the first ``n_train``, the next ``n_valid`` and the rest.

    >>> s = split_series(np.zeros((10, 5, 1)), 6, 2)
    >>> s.train.shape, s.valid.shape, s.test.shape
    ((6, 5, 1), (2, 5, 1), (2, 5, 1))
    """
    series = check_array(series, "series", "N,T,1")
    n_train = check_positive_int(n_train, "n_train")
    n_valid = check_positive_int(n_valid, "n_valid")
    n = series.shape[0]
    check_int(
        n_train + n_valid,
        "n_train + n_valid",
        high=n - 1,
        what="number of series",
        hint=f"fewer than N = {n}, to leave a test part",
    )
    return SeriesSplit(
        series[:n_train], series[n_train : n_train + n_valid], series[n_train + n_valid :]
    )


def split_window(series: np.ndarray, n_out: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Split each series into the input window and the ``n_out`` values that follow it.

    Args:
        series: ``(N, T, 1)``.
        n_out: how many final steps become the target; must be smaller than T.

    Returns:
        ``x`` of shape ``(N, T - n_out, 1)`` and ``y`` of shape ``(N, n_out)``.

    >>> x, y = split_window(np.arange(12.0).reshape(2, 6, 1), n_out=2)
    >>> x.shape, y.tolist()
    ((2, 4, 1), [[4.0, 5.0], [10.0, 11.0]])
    """
    series = check_array(series, "series", "N,T,1")
    n_out = check_positive_int(n_out, "n_out")
    check_int(
        n_out,
        "n_out",
        high=series.shape[1] - 1,
        what="number of steps",
        hint=f"fewer than T = {series.shape[1]}, so an input window remains",
    )
    return series[:, :-n_out], series[:, -n_out:, 0]


def sequence_targets(series: np.ndarray, n_in: int, n_out: int = 1) -> np.ndarray:
    """Targets for training at every step: after each input step t, the next ``n_out`` values.

    ``y[n, t, k] = series[n, t + 1 + k, 0]`` for ``t < n_in``: shape ``(N, n_in, n_out)``. A model built with
    ``models.build_forecaster(..., every_step=True)`` learns from all ``n_in`` positions of a window instead of only
    the last one, which gives it ``n_in`` times more error signal per series.

    >>> sequence_targets(np.arange(6.0).reshape(1, 6, 1), n_in=3, n_out=2)[0].tolist()
    [[1.0, 2.0], [2.0, 3.0], [3.0, 4.0]]
    """
    series = check_array(series, "series", "N,T,1")
    n_in = check_positive_int(n_in, "n_in")
    n_out = check_positive_int(n_out, "n_out")
    check_int(
        n_in + n_out,
        "n_in + n_out",
        high=series.shape[1],
        what="number of steps",
        hint=f"T = {series.shape[1]}",
    )
    index = np.arange(n_in)[:, None] + np.arange(1, n_out + 1)[None, :]  # (n_in, n_out)
    return series[:, index, 0]


# --- baselines ---------------------------------------------------------------------------------------


def naive_forecast(x: np.ndarray, n_out: int = 1) -> np.ndarray:
    """Repeat the last value of each window ``n_out`` times: ``(N, T, 1) -> (N, n_out)``.

    >>> naive_forecast(np.array([[[1.0], [3.0]]]), n_out=3).tolist()
    [[3.0, 3.0, 3.0]]
    """
    x = check_array(x, "x", "N,T,1")
    n_out = check_positive_int(n_out, "n_out")
    return np.repeat(x[:, -1, :], n_out, axis=1)


@dataclass(frozen=True)
class LinearForecaster:
    """``y = x_flat @ weights + bias``: the next ``n_out`` values as a linear function of the window."""

    weights: np.ndarray  # (T, n_out)
    bias: np.ndarray  # (n_out,)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Forecast ``(N, n_out)`` from windows ``x`` ``(N, T, 1)`` (T as in training)."""
        x = check_array(x, "x", "N,T,1", {"T": self.weights.shape[0]})
        return x[..., 0] @ self.weights + self.bias


def fit_linear(x: np.ndarray, y: np.ndarray, *, ridge: float = 1e-6) -> LinearForecaster:
    """Least-squares fit (with a tiny ridge term for stability) of ``y`` ``(N, n_out)`` on ``x`` ``(N, T, 1)``.

    >>> t = np.arange(20.0)
    >>> x = np.stack([t[i : i + 5] for i in range(10)])[..., None]
    >>> y = x[:, -1, :] + 1  # a ramp: the next value is the last plus one
    >>> model = fit_linear(x, y)
    >>> float(np.round(model.predict(x[:1] + 100)[0, 0], 4))
    105.0
    """
    sizes: dict[str, int] = {}
    x = check_array(x, "x", "N,T,1", sizes)
    y = check_array(y, "y", "N,K", sizes)
    check_number(ridge, "ridge", low=0)
    flat = x[..., 0].astype(np.float64)  # (N, T)
    design = np.hstack([flat, np.ones((flat.shape[0], 1))])  # (N, T + 1): last column for the bias
    gram = design.T @ design + ridge * np.eye(design.shape[1])
    coef = np.linalg.solve(gram, design.T @ y.astype(np.float64))  # (T + 1, n_out)
    return LinearForecaster(weights=coef[:-1], bias=coef[-1])


# --- forecasting with a model ------------------------------------------------------------------------


def _predict_fn(model: Any) -> Callable[[np.ndarray], np.ndarray]:
    """A NumPy callable ``(N, T, 1) -> (N, n_out)`` from a Keras model or a plain function."""
    # A Keras model: predict_on_batch runs its compiled predict function (traced once, no progress bar,
    # no per-call dataset set-up); an eager model(x) call would be 15-50 times slower per call, which
    # matters when an iterative forecast calls the model once per step.
    # A model trained at every step returns (N, T, n_out): keep the forecast after the last step.
    if hasattr(model, "predict_on_batch") and hasattr(model, "layers"):

        def keras_predict(x: np.ndarray) -> np.ndarray:
            out = np.asarray(model.predict_on_batch(x.astype(np.float32)))
            return out[:, -1, :] if out.ndim == 3 else out

        return keras_predict
    if hasattr(model, "predict"):
        return model.predict
    return check_instance(model, "model", Callable, "a Keras model or a function")


def forecast_iterative(model: Any, x: np.ndarray, n_out: int) -> np.ndarray:
    """Forecast ``n_out`` steps by feeding one-step predictions back in.

    ``model`` maps ``(N, T, 1)`` to ``(N, 1)`` (a Keras model, a :class:`LinearForecaster`, or a function).
    The window keeps its length T: each step drops the oldest value and appends the prediction, so models
    trained on fixed-length windows (like the linear one) work too.

    Returns:
        ``(N, n_out)`` forecasts.

    >>> last = lambda w: w[:, -1, :] + 1.0  # "next = last + 1"
    >>> forecast_iterative(last, np.zeros((1, 3, 1)), 3).tolist()
    [[1.0, 2.0, 3.0]]
    """
    x = check_array(x, "x", "N,T,1")
    n_out = check_positive_int(n_out, "n_out")
    predict = _predict_fn(model)
    window = x.copy()
    outputs = []
    for _ in range(n_out):
        step = check_array(
            predict(window),
            "model",
            "N,1",
            {"N": window.shape[0]},
            dtype=window.dtype,
            finite=False,  # a diverged model's NaN forecasts are shown, not refused
            hint="a one-step forecast",
        )
        outputs.append(step[:, 0])
        window = np.concatenate([window[:, 1:], step[:, :, None]], axis=1)  # (N, T, 1)
    return np.stack(outputs, axis=1)


def forecast_direct(model: Any, x: np.ndarray) -> np.ndarray:
    """Forecast all steps at once with a model that outputs ``(N, n_out)`` from ``x`` ``(N, T, 1)``."""
    x = check_array(x, "x", "N,T,1")
    return np.asarray(_predict_fn(model)(x))


# --- evaluation --------------------------------------------------------------------------------------


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean squared error over every series and step; ``y_true`` and ``y_pred`` are ``(N, n_out)``.

    >>> mse(np.zeros((2, 3)), np.ones((2, 3)))
    1.0
    """
    sizes: dict[str, int] = {}
    y_true = check_array(y_true, "y_true", "N,K", sizes)
    y_pred = check_array(y_pred, "y_pred", "N,K", sizes)
    return float(np.mean((y_true.astype(np.float64) - y_pred) ** 2))


def mse_by_horizon(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Mean squared error at each forecast horizon: ``(N, n_out)`` and ``(N, n_out)`` -> ``(n_out,)``.

    Entry ``k`` averages over the N series the squared error of the forecast ``k + 1`` steps ahead, so an
    iterative forecast whose errors compound shows it as a curve that rises with the horizon. The mean of
    the curve is :func:`mse`.

    >>> mse_by_horizon(np.zeros((2, 3)), np.array([[0.0, 1.0, 2.0], [0.0, 1.0, 4.0]])).tolist()
    [0.0, 1.0, 10.0]
    """
    sizes: dict[str, int] = {}
    y_true = check_array(y_true, "y_true", "N,K", sizes)
    y_pred = check_array(y_pred, "y_pred", "N,K", sizes)
    return np.mean((y_true.astype(np.float64) - y_pred) ** 2, axis=0)


def results_table(results: Mapping[str, float], *, digits: int = 4) -> str:
    """A plain-text table of ``{model name: validation MSE}``, best first.

    >>> print(results_table({"naive": 0.02, "linear": 0.0041}))
    model    validation MSE
    linear           0.0041
    naive            0.0200
    """
    check_length(results, "results", what="entry")
    width = max(len("model"), *(len(name) for name in results))
    header = f"{'model':<{width}}   validation MSE"
    rows = [
        f"{name:<{width}}   {value:>{len('validation MSE')}.{digits}f}"
        for name, value in sorted(results.items(), key=lambda item: item[1])
    ]
    return "\n".join([header, *rows])


def plot_forecast(
    x: np.ndarray,
    y_true: np.ndarray,
    forecasts: Mapping[str, np.ndarray] | None = None,
    *,
    index: int = 0,
    ax: Any = None,
) -> Any:
    """Plot one series' input window, the true continuation and each forecast; return the axes.

    Args:
        x: input windows ``(N, T, 1)``.
        y_true: true continuations ``(N, n_out)``.
        forecasts: ``{label: (N, n_out) forecasts}`` drawn after the window.
        index: which of the N series to draw.
        ax: matplotlib axes to draw on (a new figure when None).
    """
    import matplotlib.pyplot as plt

    sizes: dict[str, int] = {}
    x = check_array(x, "x", "N,T,1", sizes)
    y_true = check_array(y_true, "y_true", "N,K", sizes)
    forecasts = {
        label: check_array(pred, f"forecasts[{label!r}]", "N,K", sizes)
        for label, pred in (forecasts or {}).items()
    }
    index = check_int(index, "index", low=0, high=x.shape[0] - 1, what="series index")
    t_in, n_out = x.shape[1], y_true.shape[1]
    past = np.arange(t_in)
    future = np.arange(t_in, t_in + n_out)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3))
    ax.plot(past, x[index, :, 0], ".-", color="0.3", label="input x(t)")
    ax.plot(future, y_true[index], "o-", color="k", label="truth", markersize=4)
    markers = "xs^vd+"
    for i, (label, pred) in enumerate(forecasts.items()):
        ax.plot(future, pred[index], markers[i % len(markers)] + "--", label=label, markersize=5)
    ax.axvline(t_in - 0.5, color="0.7", linewidth=1)
    ax.set_xlabel("time step t")
    ax.set_ylabel("value")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_mse_by_horizon(errors: Mapping[str, np.ndarray], *, ax: Any = None) -> Any:
    """Plot ``{name: MSE by horizon (n_out,)}`` (see :func:`mse_by_horizon`), log scale; return the axes.

    Args:
        errors: one curve per forecaster, all of the same length ``n_out``.
        ax: matplotlib axes to draw on (a new figure when None).
    """
    import matplotlib.pyplot as plt

    check_length(errors, "errors", what="curve")
    sizes: dict[str, int] = {}
    curves = {
        name: check_array(curve, f"errors[{name!r}]", "K", sizes) for name, curve in errors.items()
    }
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3))
    markers = "xs^vd+o"
    for i, (name, curve) in enumerate(curves.items()):
        horizons = np.arange(1, curve.shape[0] + 1)
        ax.plot(horizons, curve, markers[i % len(markers)] + "-", label=name, markersize=5)
    ax.set_yscale("log")
    ax.set_xlabel("horizon (steps ahead)")
    ax.set_ylabel("validation MSE")
    ax.set_xticks(np.arange(1, sizes["K"] + 1))
    ax.legend(loc="best", fontsize="small")
    return ax
