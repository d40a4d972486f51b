"""Long-lag memory tasks: the adding problem and the copy task (notebooks 06 and 07).

Both tasks hide the information the answer needs far in the past, at a lag the caller chooses, so they
separate cells that can carry information across many steps (LSTM, GRU) from those that cannot
(a SimpleRNN, whose gradients vanish over the lag; notebook 04).

* :func:`adding_problem` (Hochreiter & Schmidhuber, 1997; Le et al., 2015): a regression task.
  Each step carries a random number and a marker; the target is the sum of the two marked numbers.
  One mark is in the first half of the sequence, the other in the second half, so the first marked
  number must be held for at least ``T // 2`` steps. Predicting the mean, 1, gives the baseline
  mean squared error ``Var(u1 + u2) = 2/12 = 1/6`` (:data:`ADDING_BASELINE_MSE`); remembering only the
  recent (second) number gives ``Var(u1) = 1/12`` (:data:`ADDING_HALF_MSE`).
* :func:`copy_task`: a classification task. A short string of symbols is shown, then ``delay`` blank
  steps, then a "go" marker; the network must output the symbols again. Guessing gives accuracy
  ``1 / n_symbols``.

Every generator takes ``seed=`` and returns batch-first arrays ``x (N, T, D)``.
"""

from __future__ import annotations

import numpy as np

from ..validation import check_int, check_positive_int

__all__ = ["ADDING_BASELINE_MSE", "ADDING_HALF_MSE", "adding_problem", "copy_task"]

#: Test MSE of always predicting 1 (the mean of the target) in the adding problem: Var(u1 + u2) = 1/6.
ADDING_BASELINE_MSE = 1.0 / 6.0
#: Test MSE of a model that knows only the second (recent) marked number: Var(u1) = 1/12.
ADDING_HALF_MSE = 1.0 / 12.0


def adding_problem(n: int, T: int, *, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``n`` sequences of the adding problem with ``T`` steps.

    Channel 0 of ``x`` holds numbers drawn uniformly from [0, 1); channel 1 holds a marker that is 1 at
    exactly two steps, one drawn uniformly from the first half ``[0, T // 2)`` and one from the second
    half ``[T // 2, T)``. The target is the sum of the two marked numbers, read after the last step.
    The lag (steps the first marked number must be remembered) is therefore at least ``T - T // 2``.

    Args:
        n: number of sequences N.
        T: sequence length (at least 2).
        seed: seed for NumPy's generator; the same seed gives the same data.

    Returns:
        ``(x, y)``: ``x`` of shape ``(N, T, 2)`` (float32: value, marker) and ``y`` of shape ``(N, 1)``
        (float32, in [0, 2)).

    >>> x, y = adding_problem(3, 10, seed=0)
    >>> x.shape, y.shape, x[:, :, 1].sum(axis=1).tolist()
    ((3, 10, 2), (3, 1), [2.0, 2.0, 2.0])
    >>> bool(np.allclose(y[:, 0], (x[:, :, 0] * x[:, :, 1]).sum(axis=1)))
    True
    """
    n = check_positive_int(n, "n")
    T = check_positive_int(T, "T")
    check_int(T, "T", low=2, what="number of steps", hint="one mark in each half")
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(n, T))
    half = T // 2
    first = rng.integers(0, half, size=n)  # (N,) in the first half
    second = rng.integers(half, T, size=n)  # (N,) in the second half
    markers = np.zeros((n, T))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1).astype(np.float32)  # (N, T, 2)
    y = (values[rows, first] + values[rows, second])[:, None].astype(np.float32)  # (N, 1)
    return x, y


def copy_task(
    n: int, length: int, delay: int, *, n_symbols: int = 8, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``n`` sequences of the copy task: remember ``length`` symbols across ``delay`` blanks.

    Time line of one sequence (``T = 2 * length + delay + 1`` steps)::

        steps 0 .. length-1                 the symbols s_1 .. s_L (one-hot, classes 0 .. n_symbols-1)
        steps length .. length+delay-1      blank
        step  length+delay                  the "go" marker
        steps length+delay+1 .. T-1         blank: the network must output s_1 .. s_L here

    Inputs are one-hot over ``n_symbols + 2`` channels (the symbols, then blank, then go). Targets are
    class labels over ``n_symbols + 1`` classes: the blank class ``n_symbols`` everywhere except the last
    ``length`` steps, which carry the symbols. The lag between a symbol and its copy is
    ``length + delay + 1`` steps.

    Args:
        n: number of sequences N.
        length: number of symbols L to copy.
        delay: blank steps between the symbols and the "go" marker (0 allowed).
        n_symbols: alphabet size (at least 2).
        seed: seed for NumPy's generator.

    Returns:
        ``(x, y)``: ``x`` of shape ``(N, T, n_symbols + 2)`` (float32 one-hot) and ``y`` of shape
        ``(N, T)`` (int64 labels).

    >>> x, y = copy_task(2, length=3, delay=4, n_symbols=5, seed=0)
    >>> x.shape, y.shape
    ((2, 11, 7), (2, 11))
    >>> bool((y[:, -3:] == x[:, :3, :5].argmax(-1)).all()), int(y[0, 0])
    (True, 5)
    """
    n = check_positive_int(n, "n")
    length = check_positive_int(length, "length")
    n_symbols = check_positive_int(n_symbols, "n_symbols")
    delay = check_int(delay, "delay", low=0)
    check_int(n_symbols, "n_symbols", low=2, what="number of symbols")
    rng = np.random.default_rng(seed)
    T = 2 * length + int(delay) + 1
    blank, go = n_symbols, n_symbols + 1
    symbols = rng.integers(0, n_symbols, size=(n, length))  # (N, L)
    tokens = np.full((n, T), blank)
    tokens[:, :length] = symbols
    tokens[:, length + delay] = go
    x = np.eye(n_symbols + 2, dtype=np.float32)[tokens]  # (N, T, n_symbols + 2)
    y = np.full((n, T), blank, dtype=np.int64)
    y[:, T - length :] = symbols
    return x, y
