"""Exercise checks for notebook 01 (the basic recurrent cell and layer).

* ``exercise_01_1(rnn_step)``: one step ``Y(t) = tanh(X(t) Wx + Y(t-1) Wy + b)`` for a batch;
* ``exercise_01_2(count_params)``: the number of parameters of a recurrent layer with D inputs and H units;
* ``exercise_01_3(receptive_field)``: how many time steps a stack of causal 1D convolutions sees.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._arrays import array_of_shape
from ._feedback import Feedback, attempt, failed, passed

__all__ = ["exercise_01_1", "exercise_01_2", "exercise_01_3"]


def exercise_01_1(rnn_step: Callable[..., np.ndarray], *, show: bool = True) -> Feedback:
    """Check ``rnn_step(x_t, y_prev, Wx, Wy, b) -> y_t``: x_t (N, D), y_prev (N, H), Wx (D, H), Wy (H, H), b (H,)."""
    ex = "01.1"
    rng = np.random.default_rng(11)
    n, d, h = 3, 4, 5
    x_t, y_prev = rng.normal(size=(n, d)), rng.normal(size=(n, h))
    Wx, Wy, b = rng.normal(size=(d, h)), rng.normal(size=(h, h)) * 0.5, rng.normal(size=h)
    got, problem = attempt(ex, rnn_step, x_t, y_prev, Wx, Wy, b, show=show)
    if problem is not None:
        return problem
    got, problem = array_of_shape(ex, got, (n, h), "(N, H)", "an output", show=show)
    if problem is not None:
        return problem
    want = np.tanh(x_t @ Wx + y_prev @ Wy + b)
    if np.allclose(got, want, atol=1e-8):
        return passed(ex, "correct: Y(t) = tanh(X(t) Wx + Y(t-1) Wy + b).", show=show)
    diagnoses = [
        (
            x_t @ Wx + y_prev @ Wy + b,
            "the values are right before the activation: apply phi = tanh.",
        ),
        (np.tanh(x_t @ Wx + y_prev @ Wy), "the bias b is missing."),
        (
            np.tanh(x_t @ Wx + b),
            "the recurrent term Y(t-1) Wy is missing: the step ignores the previous output.",
        ),
        (
            np.tanh(x_t @ Wx + y_prev @ Wy.T + b),
            "Wy is transposed: in row-batch form the term is Y(t-1) Wy.",
        ),
        (
            1 / (1 + np.exp(-(x_t @ Wx + y_prev @ Wy + b))),
            "that is the sigmoid: the simple RNN uses phi = tanh.",
        ),
        (
            np.maximum(x_t @ Wx + y_prev @ Wy + b, 0),
            "that is ReLU: the simple RNN here uses phi = tanh.",
        ),
    ]
    for candidate, message in diagnoses:
        if np.allclose(got, candidate, atol=1e-8):
            return failed(ex, message, show=show)
    err = float(np.max(np.abs(got - want)))
    return failed(
        ex,
        f"the shape is right but the values differ (largest difference {err:.3g}); check each term of X(t) Wx + Y(t-1) Wy + b.",
        show=show,
    )


def exercise_01_2(count_params: Callable[[int, int], int], *, show: bool = True) -> Feedback:
    """Check ``count_params(D, H)``: trainable parameters of a simple recurrent layer (Wx, Wy and b)."""
    ex = "01.2"
    cases = [
        (3, 5),
        (10, 32),
        (7, 2),
        (1, 1),
    ]  # D != H first, so each mistake gives a distinct number
    for d, h in cases:
        got, problem = attempt(ex, count_params, d, h, show=show)
        if problem is not None:
            return problem
        want = d * h + h * h + h
        if isinstance(got, bool) or not isinstance(got, (int, np.integer)) or got != want:
            hints = {
                d * h + h * h: "the bias b (H values) is missing.",
                d * h + h: "the recurrent weights Wy (H x H) are missing.",
                h * h + h: "the input weights Wx (D x H) are missing.",
                d * h
                + d * d
                + h: "Wy connects the H outputs back to the H units: it is H x H, not D x D.",
                d * h + h * h + d: "there is one bias per unit: H values, not D.",
                d
                + h
                + 1: "these are the weights of one neuron with one input, not a layer: Wx is D x H.",
            }
            key = (
                int(got)
                if isinstance(got, (int, np.integer)) and not isinstance(got, bool)
                else None
            )
            hint = hints.get(key, "count Wx (D x H), Wy (H x H) and b (H); return an int.")
            return failed(
                ex, f"for D={d}, H={h} you returned {got!r}, which is not right: {hint}", show=show
            )
    return passed(
        ex,
        "correct: D*H + H*H + H (it does not depend on T: the same weights serve every step).",
        show=show,
    )


def exercise_01_3(receptive_field: Callable[[int, int], int], *, show: bool = True) -> Feedback:
    """Check ``receptive_field(kernel_size, layers)``: steps seen by ``layers`` stacked causal convolutions."""
    ex = "01.3"
    for k, L in [(3, 1), (3, 2), (5, 3), (2, 4), (1, 3)]:
        got, problem = attempt(ex, receptive_field, k, L, show=show)
        if problem is not None:
            return problem
        want = 1 + L * (k - 1)
        if got != want:
            if got == k * L:
                hint = (
                    "neighbouring layers share steps: each extra layer adds k - 1 new steps, not k."
                )
            elif got == k**L:
                hint = (
                    "without dilation the field grows linearly with the depth, not exponentially."
                )
            elif got == L * (k - 1):
                hint = "do not forget the current step itself."
            else:
                hint = "one layer sees k steps; each extra layer reaches k - 1 steps further back."
            return failed(
                ex, f"for kernel_size={k}, layers={L} you returned {got!r}: {hint}", show=show
            )
    return passed(
        ex,
        "correct: 1 + layers * (kernel_size - 1). A recurrent state has no such limit.",
        show=show,
    )
