"""The delayed-echo task: a memory task whose dependency length is known exactly (notebook 04).

At every step the network sees one of ``K`` symbols (one-hot) and must output the symbol it saw
``delay`` steps earlier::

    x:  a c b b d a c ...
    y:  . . a c b b d ...        (delay = 2; "." = no target yet, masked out)

The answer at step ``t`` depends on the input at step ``t - delay`` and on nothing else, so the
dependency length is ``delay``: a gradient that is cut after fewer steps than that (truncated BPTT, notebook
04) never connects an output to the input that determines it. Guessing gives accuracy ``1 / K``
(:func:`chance_accuracy`).

Inputs are batch-first ``x (N, T, K)``; targets ``y (N, T)`` are integer class labels with a boolean
``mask (N, T)`` that is False for the first ``delay`` steps, where no target exists. Because each row
is one continuous stream, it can also be cut into consecutive chunks for stateful training.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..validation import check_int, check_positive_int

__all__ = ["EchoTask", "chance_accuracy", "delayed_echo"]


@dataclass(frozen=True)
class EchoTask:
    """A batch of the delayed-echo task (see the module docstring)."""

    x: np.ndarray  # (N, T, K) one-hot inputs, float64
    y: np.ndarray  # (N, T) int64 targets: y[:, t] = symbols[:, t - delay]; 0 where mask is False
    mask: np.ndarray  # (N, T) bool, True where a target exists (t >= delay)
    symbols: np.ndarray  # (N, T) int64 input symbols, x = one_hot(symbols)
    delay: int  # the dependency length, in steps


def chance_accuracy(n_symbols: int) -> float:
    """Accuracy of guessing in the delayed-echo task with ``n_symbols`` symbols: ``1 / K``.

    >>> chance_accuracy(4)
    0.25
    """
    return 1.0 / check_positive_int(n_symbols, "n_symbols")


def delayed_echo(
    n: int, T: int, delay: int, *, n_symbols: int = 4, seed: int | None = None
) -> EchoTask:
    """Generate ``n`` streams of ``T`` random symbols and their echo ``delay`` steps later.

    Args:
        n: number of sequences N.
        T: sequence length; must be larger than ``delay`` so that some targets exist.
        delay: the dependency length d: ``y(t) = x(t - d)``.
        n_symbols: alphabet size K (at least 2); inputs are one-hot with K features.
        seed: seed for NumPy's generator; the same seed gives the same data.

    Returns:
        An :class:`EchoTask` with ``x (N, T, K)``, ``y (N, T)``, ``mask (N, T)``, ``symbols (N, T)``.

    >>> task = delayed_echo(2, 6, 2, n_symbols=3, seed=0)
    >>> task.x.shape, task.y.shape, task.mask[0].tolist()
    ((2, 6, 3), (2, 6), [False, False, True, True, True, True])
    >>> bool((task.y[:, 2:] == task.symbols[:, :-2]).all())
    True
    """
    n = check_positive_int(n, "n")
    T = check_positive_int(T, "T")
    delay = check_positive_int(delay, "delay")
    n_symbols = check_positive_int(n_symbols, "n_symbols")
    check_int(n_symbols, "n_symbols", low=2, what="number of symbols")
    check_int(
        T,
        "T",
        low=delay + 1,
        what="number of steps",
        hint=f"more than delay={delay}, so that targets exist",
    )
    rng = np.random.default_rng(seed)
    symbols = rng.integers(0, n_symbols, size=(n, T))  # (N, T)
    x = np.eye(n_symbols)[symbols]  # (N, T, K)
    y = np.zeros((n, T), dtype=np.int64)
    y[:, delay:] = symbols[:, :-delay]
    mask = np.zeros((n, T), dtype=bool)
    mask[:, delay:] = True
    return EchoTask(x=x, y=y, mask=mask, symbols=symbols.astype(np.int64), delay=delay)
