"""The long-lag experiment: SimpleRNN, LSTM and GRU of the same parameter budget on the adding problem.

Notebook 06 runs it for LSTM and SimpleRNN at a long lag, notebook 07 for all three cells at a short and a
long lag; the benchmark runs single training runs over several seeds. The training lives here once so all
of them report the same thing.

A cell that fails at one learning rate may only have been trained badly, so the notebooks give every cell
the same small learning-rate sweep and the same epoch budget and keep each cell's best run
(:func:`sweep_long_lag`). :func:`gradient_norm_by_lag` measures, with the NumPy reference cells, how much of
the gradient of the last state reaches each earlier input (the bridge from notebooks 04 and 05).

Parameter counts of one recurrent layer with ``H`` units on ``D`` inputs (Keras' layouts)::

    SimpleRNN               H (D + H + 1)        Wx (D, H),  Wh (H, H),  b (H,)
    LSTM                  4 H (D + H + 1)        Wx (D, 4H), Wh (H, 4H), b (4H,)    gates i, f, c, o
    GRU, reset_after=False 3 H (D + H + 1)       Wx (D, 3H), Wh (H, 3H), b (3H,)    gates z, r, h
    GRU, reset_after=True  3 H (D + H + 2)       Wx (D, 3H), Wh (H, 3H), b (2, 3H)

:func:`course_utils.models.param_count` computes these; :func:`units_for_budget` inverts them, so that
models of different cells get (nearly) the same number of weights (each built by
:func:`course_utils.models.build_cell_model`); :func:`run_long_lag` trains one model and returns a :class:`LongLagResult`, and
:func:`sweep_long_lag` trains one per learning rate and returns a :class:`LongLagSweep`.
TensorFlow/Keras is imported only when a model is built, so the formulas work without it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from . import reference as ref
from .data.memory import ADDING_BASELINE_MSE, ADDING_HALF_MSE, adding_problem
from .models import GATES, KERAS_CELLS, build_cell_model, param_count
from .validation import (
    check_array,
    check_choice,
    check_keys,
    check_length,
    check_number,
    check_positive,
    check_positive_int,
    check_sequence,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "CELLS",
    "LEARNING_RATES",
    "LongLagResult",
    "LongLagSweep",
    "gradient_norm_by_lag",
    "plot_sweeps",
    "run_long_lag",
    "sweep_long_lag",
    "units_for_budget",
]

#: The recurrent cells compared, by their Keras layer names.
CELLS = KERAS_CELLS
#: The learning rates of :func:`sweep_long_lag`, largest first: Adam's 1e-3 default up to ten times more.
LEARNING_RATES = (1e-2, 3e-3, 1e-3)
# Colour (Okabe-Ito, safe for colour-blind readers) and marker of each cell in the figures.
_STYLES = {"SimpleRNN": ("#555555", "o"), "LSTM": ("#0072B2", "s"), "GRU": ("#D55E00", "^")}


def units_for_budget(cell: str, budget: int, input_dim: int, *, reset_after: bool = True) -> int:
    """The number of units whose :func:`course_utils.models.param_count` is nearest to ``budget`` (ties go to more units).

    >>> budget = param_count("LSTM", 16, 2)
    >>> budget, units_for_budget("SimpleRNN", budget, 2), units_for_budget("GRU", budget, 2)
    (1216, 33, 18)
    """
    check_choice(cell, "cell", CELLS)
    budget = check_positive_int(budget, "budget")
    D = check_positive_int(input_dim, "input_dim")
    # Solve g H^2 + g (D + rows) H = budget for H, then compare the two integers around the root.
    g = GATES[cell]
    rows = 2 if (cell == "GRU" and reset_after) else 1
    root = (-(D + rows) + math.sqrt((D + rows) ** 2 + 4 * budget / g)) / 2
    candidates = {max(1, math.floor(root)), max(1, math.ceil(root))}
    return min(
        candidates,
        key=lambda h: (abs(param_count(cell, h, D, reset_after=reset_after) - budget), -h),
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
    learning_rate: float = 0.01  # Adam's learning rate

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
    result, _ = _train(
        cell,
        T,
        seed=seed,
        budget=budget,
        epochs=epochs,
        n_train=n_train,
        n_test=n_test,
        batch_size=batch_size,
        learning_rate=learning_rate,
        target_mse=target_mse,
        stop_at_target=stop_at_target,
    )
    return result


def _train(
    cell: str,
    T: int,
    *,
    seed: int,
    budget: int,
    epochs: int,
    n_train: int,
    n_test: int,
    batch_size: int,
    learning_rate: float,
    target_mse: float,
    stop_at_target: bool,
) -> tuple[LongLagResult, Any]:
    """:func:`run_long_lag`, also returning the trained Keras model."""
    check_choice(cell, "cell", CELLS)
    T = check_positive_int(T, "T")
    epochs = check_positive_int(epochs, "epochs")
    check_positive(target_mse, "target_mse")
    _check_rate(learning_rate, "learning_rate")
    import keras

    from .layers import EpochClock

    data_seeds = np.random.default_rng(seed).integers(0, 2**31 - 1, size=3)
    x_train, y_train = adding_problem(n_train, T, seed=int(data_seeds[0]))
    x_val, y_val = adding_problem(n_test, T, seed=int(data_seeds[1]))
    x_test, y_test = adding_problem(n_test, T, seed=int(data_seeds[2]))

    units = units_for_budget(cell, budget, input_dim=2)
    keras.utils.set_random_seed(seed)  # the initial weights come from the global state, seeded here
    model = build_cell_model(
        cell,
        units,
        input_dim=2,
        compile=True,
        compile_kwargs={"optimizer": keras.optimizers.Adam(learning_rate, clipnorm=1.0)},
    )

    clock = EpochClock(x_val, y_val, float(target_mse), stop_at_target)
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
    result = LongLagResult(
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
        learning_rate=float(learning_rate),
    )
    return result, model


def _check_rate(value: object, name: str) -> float:
    return check_number(value, name, low=0, high=1, low_open=True, high_open=True)


@dataclass(frozen=True)
class LongLagSweep:
    """One cell trained at several learning rates (:func:`sweep_long_lag`), and the run kept."""

    cell: str  # "SimpleRNN", "LSTM" or "GRU"
    T: int  # sequence length
    seed: int  # seed of the data and the initial weights, the same for every rate
    epochs: int  # the epoch budget of the sweep
    runs: tuple[
        LongLagResult, ...
    ]  # one run per learning rate, in sweep order (largest rate first)
    budgets: tuple[int, ...]  # epochs each run was allowed (a later rate stops once it cannot win)
    best: LongLagResult  # fewest epochs to the target; if no run reached it, the lowest validation MSE
    weights: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)
    # the best run's recurrent-layer weights in the reference layout (ref.from_keras), for NumPy analysis

    @property
    def reached(self) -> bool:
        """Whether some learning rate reached the target within the budget."""
        return self.best.reached

    @property
    def epochs_to_target(self) -> int | None:
        """Epochs the best run needed to reach the target (None when no rate reached it)."""
        return self.best.epochs_to_target

    @property
    def epochs_needed(self) -> int:
        """Epochs the best run needed to reach the target, or ``epochs + 1`` when no rate reached it."""
        return self.best.epochs_to_target if self.best.reached else self.epochs + 1  # type: ignore[return-value]

    @property
    def best_val_mse(self) -> float:
        """The lowest validation MSE of any epoch at any learning rate."""
        return min(min(r.val_mse) for r in self.runs)


def sweep_long_lag(
    cell: str,
    T: int,
    *,
    learning_rates: Sequence[float] = LEARNING_RATES,
    seed: int = 0,
    budget: int = 1216,
    epochs: int = 30,
    target_mse: float = 0.01,
    **kwargs: Any,
) -> LongLagSweep:
    """Train ``cell`` once per learning rate, same data, initial weights and epoch budget; keep the best.

    The best run is the one that reached the target in the fewest epochs (ties: the earlier rate); when
    none reached it, the one with the lowest validation MSE. Rates run in the order given: once a rate
    has reached the target in ``n`` epochs, a later rate is trained for at most ``n`` epochs, since it can
    only be kept if it needs fewer. A cell that never reaches the target gets the full budget at every
    rate.

    Args:
        cell: ``"SimpleRNN"``, ``"LSTM"`` or ``"GRU"``.
        T: sequence length of the adding problem.
        learning_rates: Adam's learning rates to try, each in (0, 1).
        seed: seed of the data and the initial weights (the same for every rate).
        budget: weights of the recurrent layer, as for :func:`run_long_lag`.
        epochs: the epoch budget of every rate.
        target_mse: the validation MSE that counts as solved.
        **kwargs: passed on to :func:`run_long_lag` (``n_train``, ``n_test``, ``batch_size``).

    Returns:
        A :class:`LongLagSweep`.
    """
    check_choice(cell, "cell", CELLS)
    epochs = check_positive_int(epochs, "epochs")
    rates = tuple(
        check_sequence(learning_rates, "learning_rates", what="learning rates", min_length=1)
    )
    for i, rate in enumerate(rates):
        _check_rate(rate, f"learning_rates[{i}]")
    settings = dict(
        n_train=2000, n_test=500, batch_size=50, target_mse=target_mse, stop_at_target=True
    )
    settings.update(kwargs)
    runs: list[LongLagResult] = []
    budgets: list[int] = []
    best: LongLagResult | None = None
    best_model: Any = None
    for rate in rates:
        allowed = best.epochs_to_target if best is not None and best.reached else epochs
        result, model = _train(
            cell, T, seed=seed, budget=budget, epochs=allowed, learning_rate=rate, **settings
        )
        runs.append(result)
        budgets.append(allowed)
        if best is None or _better(result, best):
            best, best_model = result, model
    assert best is not None
    weights = ref.from_keras(best_model.get_layer(cell.lower()))
    return LongLagSweep(cell, T, seed, epochs, tuple(runs), tuple(budgets), best, weights)


def _better(new: LongLagResult, old: LongLagResult) -> bool:
    """Whether ``new`` beats ``old``: reached the target in fewer epochs, else a lower validation MSE."""
    if new.reached != old.reached:
        return new.reached
    if new.reached:
        return new.epochs_to_target < old.epochs_to_target  # type: ignore[operator]
    return min(new.val_mse) < min(old.val_mse)


def gradient_norm_by_lag(cell: str, x: np.ndarray, weights: dict[str, Any]) -> np.ndarray:
    """How strongly one layer's last state depends on each earlier input: ``||d h(T) / d x(T-k)||``.

    Steps are numbered 1..T, so lag 0 is the last input ``x(T)`` and lag T - 1 the first, ``x(1)``. The
    layer runs forward and backward in float64 through the NumPy reference cell of ``cell`` from
    ``h(0) = 0`` (and ``c(0) = 0``); the upstream gradient is ones on ``h(T)`` and zero elsewhere, and
    the norm of ``dx(t)`` is averaged over the batch. (:func:`course_utils.deep.gradient_norm_by_lag`
    does the same for a stack of SimpleRNN layers.)

    Args:
        cell: ``"SimpleRNN"``, ``"LSTM"`` or ``"GRU"``.
        x: inputs of shape (N, T, D).
        weights: the layer's weights in the reference layout, as :func:`course_utils.reference.from_keras`
            returns them (``Wx``, ``Wh``, ``b``; GRU also ``reset_after``).

    Returns:
        Array of shape (T,): entry k is the mean gradient norm for the input k steps before the end.
    """
    check_choice(cell, "cell", CELLS)
    x = check_array(x, "x", "N,T,D", dtype=np.float64)
    check_keys(weights, "weights", ("Wx", "Wh", "b"))
    params = {
        k: (v if k == "reset_after" else np.asarray(v, dtype=np.float64))
        for k, v in weights.items()
    }
    forward, backward = {
        "SimpleRNN": (ref.rnn_forward, ref.rnn_backward),
        "LSTM": (ref.lstm_forward, ref.lstm_backward),
        "GRU": (ref.gru_forward, ref.gru_backward),
    }[cell]
    h0 = np.zeros((x.shape[0], params["Wh"].shape[0]))  # (N, H)
    h, cache = forward(x, h0, **params)  # (N, T, H)
    dh = np.zeros_like(h)
    dh[:, -1, :] = 1.0  # the loss is the sum of h(T)
    dx = backward(dh, cache)[0]  # (N, T, D)
    return np.linalg.norm(dx, axis=2).mean(axis=0)[::-1].copy()  # (T,), lag 0 first


def plot_sweeps(sweeps: Sequence[LongLagSweep], ax: Axes | None = None) -> Axes:
    """Validation MSE per epoch of every run of several sweeps (log scale), the kept runs drawn bold.

    One colour and marker per cell, one line style per learning rate; the reference lines are predicting
    the mean (about 1/6), remembering only the second marked number (1/12) and the target.

    Args:
        sweeps: results of :func:`sweep_long_lag`.
        ax: axes to draw on; a new figure when None.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    check_length(sweeps, "sweeps", what="LongLagSweep")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.8))
    rates = sorted({r.learning_rate for s in sweeps for r in s.runs}, reverse=True)
    line_styles = ["-", "--", ":", "-."]
    for sweep in sweeps:
        color, marker = _STYLES[sweep.cell]
        for run in sweep.runs:
            kept = run is sweep.best
            ax.plot(
                np.arange(1, len(run.val_mse) + 1),
                run.val_mse,
                line_styles[rates.index(run.learning_rate) % len(line_styles)],
                color=color,
                marker=marker,
                ms=4 if kept else 2,
                lw=2.2 if kept else 1.0,
                alpha=1.0 if kept else 0.6,
                label=f"{sweep.cell}, lr {run.learning_rate:g}" + (" (kept)" if kept else ""),
            )
    first = sweeps[0].best
    ax.axhline(first.baseline_mse, color="black", lw=0.8, ls="--", label="predict the mean")
    ax.axhline(ADDING_HALF_MSE, color="black", lw=0.8, ls=":", label="recent number only")
    ax.axhline(first.target_mse, color="#009E73", lw=0.8, ls="-.", label="target")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation MSE")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax
