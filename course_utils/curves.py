"""The course's one training-curve plotter: loss (or any metric) against epochs or updates, several runs.

:func:`plot_curves` draws, on one axes, one colour per run:

- a Keras ``History`` (or its ``.history`` dict of lists): the training curve of ``metric`` (solid) and,
  when present, ``val_<metric>`` (dashed), against the epoch (notebook 05);
- a NumPy :class:`course_utils.training.History`: its training loss against the update number, marked
  "(diverged)" when the run diverged (notebook 04);
- a :class:`course_utils.longlag.LongLagResult`: its validation MSE after each epoch (notebooks 06, 07).

``hlines`` adds labelled reference lines (a baseline, a target). Imports matplotlib only when drawing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .validation import check_instance, check_keys, check_length

if TYPE_CHECKING:  # pragma: no cover - matplotlib is imported only when drawing
    from matplotlib.axes import Axes

__all__ = ["plot_curves"]


def _curves(label: str, run: Any, metric: str) -> tuple[np.ndarray, np.ndarray, str, bool]:
    """``(train, validation, x unit, diverged)`` of one run; an empty array where a curve is missing."""
    if hasattr(run, "loss") and hasattr(run, "diverged") and not isinstance(run, Mapping):
        return np.asarray(run.loss, dtype=np.float64), np.array([]), "update", bool(run.diverged)
    if hasattr(run, "val_mse") and not isinstance(run, Mapping):
        return np.array([]), np.asarray(run.val_mse, dtype=np.float64), "epoch", False
    data = getattr(run, "history", run)
    name = f"histories[{label!r}]"
    check_instance(data, name, Mapping, "a Keras History or its .history dict")
    check_keys(data, name, (metric,))
    train = np.asarray(data[metric], dtype=np.float64)
    return train, np.asarray(data.get(f"val_{metric}", []), dtype=np.float64), "epoch", False


def plot_curves(
    histories: Mapping[str, Any],
    *,
    metric: str = "loss",
    ax: Axes | None = None,
    logy: bool = True,
    hlines: Mapping[str, float] | None = None,
) -> Axes:
    """Training (solid) and validation (dashed) curves of several runs on one axes, one colour per run.

    A run with only one curve is labelled with its name; a run with both gets ``"<name>: train"`` and
    ``"<name>: validation"``. Non-finite values (a diverged run) are left out of the line.

    Args:
        histories: label -> a Keras ``History`` or its ``.history`` dict (with ``metric`` and optionally
            ``val_<metric>``), a :class:`course_utils.training.History` (training loss per update) or a
            :class:`course_utils.longlag.LongLagResult` (validation MSE per epoch).
        metric: the key of a Keras history to plot, e.g. ``"loss"``.
        ax: matplotlib axes to draw on; a new figure when None.
        logy: logarithmic y axis.
        hlines: label -> y of horizontal reference lines (e.g. a baseline and a target).

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    check_length(histories, "histories", what="History")
    curves = {label: _curves(label, run, metric) for label, run in histories.items()}
    units = {unit for _, _, unit, _ in curves.values()}
    per_update = units == {"update"}
    only_validation = all(train.size == 0 for train, _, _, _ in curves.values())
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for i, (label, (train, val, _, diverged)) in enumerate(curves.items()):
        colour = f"C{i}"
        both = train.size and val.size
        name = label + (" (diverged)" if diverged else "")
        for values, style, part in ((train, "-", "train"), (val, "--", "validation")):
            if values.size:
                ax.plot(
                    np.arange(1, len(values) + 1),
                    np.where(np.isfinite(values), values, np.nan),
                    color=colour,
                    linestyle=style,
                    label=f"{name}: {part}" if both else name,
                )
    for j, (label, y) in enumerate((hlines or {}).items()):
        ax.axhline(float(y), color="black", lw=0.8, ls=("--", ":", "-.")[j % 3], label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("update" if per_update else "epoch")
    if per_update:
        ax.set_ylabel("training loss")
    elif only_validation:
        ax.set_ylabel("validation MSE" if metric == "loss" else f"validation {metric}")
    else:
        ax.set_ylabel(metric)
    ax.legend(fontsize=8 if per_update else "small")
    ax.grid(True, alpha=0.3)
    return ax
