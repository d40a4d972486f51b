"""The long-lag experiment: SimpleRNN, LSTM and GRU of the same parameter budget on the adding problem.

Notebook 06 runs it to show that an LSTM holds a number across a lag where a SimpleRNN cannot;
notebook 07 runs it for all three cells at several lags and tabulates the results; the benchmark runs it
over several seeds. The training lives here once so all three report the same thing.

Parameter counts of one recurrent layer with ``H`` units on ``D`` inputs (Keras' layouts)::

    SimpleRNN               H (D + H + 1)        Wx (D, H),  Wh (H, H),  b (H,)
    LSTM                  4 H (D + H + 1)        Wx (D, 4H), Wh (H, 4H), b (4H,)    gates i, f, c, o
    GRU, reset_after=False 3 H (D + H + 1)       Wx (D, 3H), Wh (H, 3H), b (3H,)    gates z, r, h
    GRU, reset_after=True  3 H (D + H + 2)       Wx (D, 3H), Wh (H, 3H), b (2, 3H)

:func:`units_for_budget` inverts these, so that models of different cells get (nearly) the same number of
weights, and :func:`run_long_lag` trains one model and returns a :class:`LongLagResult`.
TensorFlow/Keras is imported only when a model is built, so the formulas work without it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .data.memory import ADDING_BASELINE_MSE, adding_problem
from .validation import check_choice, check_positive_int

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "CELLS",
    "LongLagResult",
    "build_model",
    "param_count",
    "plot_curves",
    "run_long_lag",
    "units_for_budget",
]

#: The recurrent cells compared, by their Keras layer names.
CELLS = ("SimpleRNN", "LSTM", "GRU")
_GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


def param_count(cell: str, units: int, input_dim: int, *, reset_after: bool = True) -> int:
    """Number of weights in one recurrent layer (kernel, recurrent kernel and bias), as Keras counts them.

    Args:
        cell: ``"SimpleRNN"``, ``"LSTM"`` or ``"GRU"``.
        units: hidden units H.
        input_dim: input features D.
        reset_after: GRU only: Keras' default ``True`` has two bias rows ``(2, 3H)``.

    >>> [param_count(c, 10, 3) for c in CELLS]
    [140, 560, 450]
    >>> param_count("GRU", 10, 3, reset_after=False)
    420
    """
    check_choice(cell, "cell", CELLS)
    H = check_positive_int(units, "units")
    D = check_positive_int(input_dim, "input_dim")
    bias_rows = 2 if (cell == "GRU" and reset_after) else 1
    return _GATES[cell] * H * (D + H + bias_rows)


def units_for_budget(cell: str, budget: int, input_dim: int, *, reset_after: bool = True) -> int:
    """The number of units whose :func:`param_count` is nearest to ``budget`` (ties go to more units).

    >>> budget = param_count("LSTM", 16, 2)
    >>> budget, units_for_budget("SimpleRNN", budget, 2), units_for_budget("GRU", budget, 2)
    (1216, 33, 18)
    """
    check_choice(cell, "cell", CELLS)
    budget = check_positive_int(budget, "budget")
    D = check_positive_int(input_dim, "input_dim")
    # Solve g H^2 + g (D + rows) H = budget for H, then compare the two integers around the root.
    g = _GATES[cell]
    rows = 2 if (cell == "GRU" and reset_after) else 1
    root = (-(D + rows) + math.sqrt((D + rows) ** 2 + 4 * budget / g)) / 2
    candidates = {max(1, math.floor(root)), max(1, math.ceil(root))}
    return min(
        candidates,
        key=lambda h: (abs(param_count(cell, h, D, reset_after=reset_after) - budget), -h),
    )


def build_model(cell: str, units: int, input_dim: int, *, seed: int = 0) -> Any:
    """A ``keras.Sequential``: one recurrent layer of ``cell`` with ``units``, then ``Dense(1)``.

    Input ``(N, T, D)`` with any T; output ``(N, 1)``: the prediction after the last step.
    Keras' default initialisers are used (LSTM: forget-gate bias 1, ``unit_forget_bias=True``).
    """
    check_choice(cell, "cell", CELLS)
    units = check_positive_int(units, "units")
    input_dim = check_positive_int(input_dim, "input_dim")
    import keras

    keras.utils.set_random_seed(seed)
    layer = getattr(keras.layers, cell)(units, name=cell.lower())
    return keras.Sequential(
        [keras.Input((None, input_dim)), layer, keras.layers.Dense(1, name="readout")],
        name=f"{cell.lower()}_{units}",
    )


@dataclass(frozen=True)
class LongLagResult:
    """What one :func:`run_long_lag` training run measured."""

    cell: str  # "SimpleRNN", "LSTM" or "GRU"
    T: int  # sequence length; the first marked number is held at least T - T // 2 steps
    seed: int  # seed of the data and of the initial weights
    units: int  # hidden units H
    params: int  # trainable weights of the whole model (recurrent layer + Dense readout)
    test_mse: float  # mean squared error on held-out sequences after training
    baseline_mse: float  # test MSE of always predicting the mean (about 1/6)
    target_mse: float  # the MSE that counts as "solved"
    reached: bool  # validation MSE fell below target_mse within the budget
    epochs: int  # epochs actually run (training stops early once the target is reached)
    epochs_to_target: int | None  # first epoch (1-based) whose validation MSE was below the target
    seconds_to_target: float | None  # wall time from the start of training to that epoch's end
    seconds_per_epoch: float  # median wall time of one epoch (after the first, which also compiles)
    seconds: float  # total wall time of training
    val_mse: tuple[float, ...] = field(default=())  # validation MSE after each epoch

    def as_dict(self) -> dict[str, Any]:
        """The record as a plain dict (for tables and JSON)."""
        return asdict(self)


def run_long_lag(
    cell: str,
    T: int,
    *,
    seed: int = 0,
    budget: int = 1216,
    epochs: int = 30,
    n_train: int = 2000,
    n_test: int = 500,
    batch_size: int = 50,
    learning_rate: float = 0.01,
    target_mse: float = 0.01,
    stop_at_target: bool = True,
) -> LongLagResult:
    """Train one ``cell`` model of about ``budget`` weights on the adding problem of length ``T``.

    The data (:func:`course_utils.data.adding_problem`) and the initial weights come from ``seed``;
    the test set is independent of the training set. Adam with gradient clipping (global norm 1) and
    the same settings for every cell, so only the cell differs. After every epoch the validation MSE
    is compared with ``target_mse``; with ``stop_at_target`` training stops there (the time to target is
    what notebook 07 compares). The fixed budget is ``epochs`` epochs of ``n_train`` sequences.

    Args:
        cell: ``"SimpleRNN"``, ``"LSTM"`` or ``"GRU"``.
        T: sequence length (at least 2).
        seed: seed of the data and the weights.
        budget: number of weights of the recurrent layer; units come from :func:`units_for_budget`.
        epochs: the training budget in epochs.
        n_train: training sequences per epoch.
        n_test: validation and test sequences (each).
        batch_size: minibatch size.
        learning_rate: Adam's learning rate.
        target_mse: the validation MSE that counts as solved (the baseline is about 0.167).
        stop_at_target: stop as soon as the target is reached.

    Returns:
        A :class:`LongLagResult`.
    """
    check_choice(cell, "cell", CELLS)
    T = check_positive_int(T, "T")
    epochs = check_positive_int(epochs, "epochs")
    if not (isinstance(target_mse, (int, float)) and target_mse > 0):
        raise ValueError(f"target_mse: expected a positive number, got {target_mse!r}")
    import keras

    data_seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=3)
    x_train, y_train = adding_problem(n_train, T, seed=int(data_seeds[0]))
    x_val, y_val = adding_problem(n_test, T, seed=int(data_seeds[1]))
    x_test, y_test = adding_problem(n_test, T, seed=int(data_seeds[2]))

    units = units_for_budget(cell, budget, input_dim=2)
    model = build_model(cell, units, input_dim=2, seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0), loss="mse")

    clock = _epoch_clock(x_val, y_val, float(target_mse), stop_at_target)
    model.fit(
        x_train,
        y_train,
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
        verbose=0,
        callbacks=[clock],
    )
    test_mse = float(model.evaluate(x_test, y_test, batch_size=n_test, verbose=0))
    later = clock.durations[1:] or clock.durations
    return LongLagResult(
        cell=cell,
        T=T,
        seed=seed,
        units=units,
        params=int(model.count_params()),
        test_mse=test_mse,
        baseline_mse=ADDING_BASELINE_MSE,
        target_mse=float(target_mse),
        reached=clock.epoch_reached is not None,
        epochs=len(clock.val_mse),
        epochs_to_target=clock.epoch_reached,
        seconds_to_target=clock.seconds_reached,
        seconds_per_epoch=float(np.median(later)),
        seconds=float(sum(clock.durations)),
        val_mse=tuple(clock.val_mse),
    )


def plot_curves(results: Sequence[LongLagResult], ax: Axes | None = None) -> Axes:
    """Validation MSE per epoch of several runs (log scale), with the baseline and the target.

    Args:
        results: runs from :func:`run_long_lag` (the legend shows cell and T).
        ax: axes to draw on; a new figure when None.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    if not results:
        raise ValueError("results: expected at least one LongLagResult, got none")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    styles = {"SimpleRNN": ("#999999", "o"), "LSTM": ("#2b8cbe", "s"), "GRU": ("#e6550d", "^")}
    lags = sorted({r.T for r in results})
    for r in results:
        color, marker = styles[r.cell]
        dashes = "-" if r.T == lags[-1] else ":"
        epochs = np.arange(1, len(r.val_mse) + 1)
        ax.plot(
            epochs, r.val_mse, dashes, color=color, marker=marker, ms=3, label=f"{r.cell}, T={r.T}"
        )
    first = results[0]
    ax.axhline(first.baseline_mse, color="black", lw=0.8, ls="--", label="predict the mean")
    ax.axhline(first.target_mse, color="#31a354", lw=0.8, ls="--", label="target")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation MSE")
    ax.legend(fontsize=8, loc="center right", ncol=2)
    return ax


def _epoch_clock(x_val: np.ndarray, y_val: np.ndarray, target: float, stop: bool) -> Any:
    """A Keras callback (defined here so this module imports without Keras) that times every epoch,
    evaluates the validation MSE and stops training once it is below ``target`` (if ``stop``)."""
    import keras

    class EpochClock(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.durations: list[float] = []
            self.val_mse: list[float] = []
            self.epoch_reached: int | None = None
            self.seconds_reached: float | None = None
            self._start = 0.0

        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            mse = float(self.model.evaluate(x_val, y_val, batch_size=len(x_val), verbose=0))
            self.durations.append(time.perf_counter() - self._start)
            self.val_mse.append(mse)
            if self.epoch_reached is None and mse < target:
                self.epoch_reached = epoch + 1
                self.seconds_reached = float(sum(self.durations))
                if stop:
                    self.model.stop_training = True

    return EpochClock()
