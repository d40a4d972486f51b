"""Exercise checks for notebook 07 (GRU): parameter counts, the update-gate interpolation, matched budgets.

Each check calls the student's function on fixed inputs, compares with the reference and, when the
answer is wrong, recognises the usual mistakes (swapped z, a missing bias row) and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..longlag import units_for_budget
from ..models import param_count
from ._arrays import array_of_shape
from ._feedback import Feedback, attempt, failed, passed

__all__ = ["exercise_07_1", "exercise_07_2", "exercise_07_3"]


def exercise_07_1(gru_param_count: Callable[..., Any], *, show: bool = True) -> Feedback:
    """Check ``gru_param_count(units, input_dim, reset_after=True) -> int``."""
    ex = "07.1"
    for units, input_dim in ((18, 2), (5, 3), (32, 10)):
        for reset_after in (True, False):
            got, fb = attempt(
                ex, gru_param_count, units, input_dim, reset_after=reset_after, show=show
            )
            if fb is not None:
                return fb
            want = param_count("GRU", units, input_dim, reset_after=reset_after)
            if got == want:
                continue
            H, D = units, input_dim
            where = (
                f"units={H}, input_dim={D}, reset_after={reset_after}: expected {want}, got {got!r}"
            )
            rows = 2 if reset_after else 1
            hints = {
                3 * H * (D + H + (1 if reset_after else 2)): (
                    "reset_after=True keeps two bias rows, b (2, 3H); reset_after=False one, b (3H,)"
                ),
                3 * H * (D + H): "the biases are missing",
                4 * H * (D + H + rows): "a GRU has three blocks (z, r, h), not four",
                H * (D + H + rows): "a GRU has three blocks (z, r, h): multiply by 3",
            }
            hint = hints.get(got, "count Wx (D, 3H), Wh (H, 3H) and b ((2, 3H) or (3H,))")
            return failed(ex, f"{where}. Hint: {hint}.", show=show)
    return passed(
        ex, "correct: 3H(D + H + 2) with reset_after=True, 3H(D + H + 1) without.", show=show
    )


def exercise_07_2(gru_update: Callable[..., Any], *, show: bool = True) -> Feedback:
    """Check ``gru_update(h_prev, g, z) -> h (N, H)``: Keras' h(t) = z * h(t-1) + (1 - z) * g."""
    ex = "07.2"
    rng = np.random.default_rng(72)
    h_prev, g = rng.uniform(-1, 1, size=(3, 4)), rng.uniform(-1, 1, size=(3, 4))
    z = rng.uniform(0, 1, size=(3, 4))
    got, fb = attempt(ex, gru_update, h_prev.copy(), g.copy(), z.copy(), show=show)
    if fb is not None:
        return fb
    want = z * h_prev + (1 - z) * g
    got, fb = array_of_shape(ex, got, want.shape, "(N, H)", show=show)
    if fb is not None:
        return fb
    if np.allclose(got, want):
        return passed(
            ex, "correct: z = 1 keeps the old state, z = 0 takes the candidate.", show=show
        )
    if np.allclose(got, (1 - z) * h_prev + z * g):
        return failed(
            ex,
            "z and 1 - z are swapped. In Keras (and Cho et al.) z = 1 keeps the old state: "
            "h(t) = z * h(t-1) + (1 - z) * g.",
            show=show,
        )
    if np.allclose(got, z * h_prev + g):
        return failed(
            ex, "the candidate must be scaled by (1 - z): the two weights sum to 1.", show=show
        )
    return failed(
        ex, "the values are wrong: h(t) = z * h(t-1) + (1 - z) * g, element-wise.", show=show
    )


def exercise_07_3(matching_units: Callable[..., Any], *, show: bool = True) -> Feedback:
    """Check ``matching_units(cell, budget, input_dim) -> int``: units whose count is nearest to budget."""
    ex = "07.3"
    for cell, budget, input_dim in (
        ("GRU", 1216, 2),
        ("SimpleRNN", 1216, 2),
        ("LSTM", 5000, 3),
        ("GRU", 300, 1),
    ):
        got, fb = attempt(ex, matching_units, cell, budget, input_dim, show=show)
        if fb is not None:
            return fb
        want = units_for_budget(cell, budget, input_dim)
        if got == want:
            continue
        msg = f"{cell}, budget {budget}, input_dim {input_dim}: expected {want} units, got {got!r}."
        if isinstance(got, (int, np.integer)) and got > 0:
            mine = param_count(cell, int(got), input_dim)
            best = param_count(cell, want, input_dim)
            msg += (
                f" {got} units give {mine} weights; {want} units give {best}, nearer to {budget}."
            )
            if cell == "GRU" and got == units_for_budget(
                cell, budget, input_dim, reset_after=False
            ):
                msg += " Keras' GRU has reset_after=True: two bias rows, 3H(D + H + 2)."
        else:
            msg += " Return a positive integer."
        return failed(ex, msg, show=show)
    return passed(
        ex,
        "correct: SimpleRNN(33), LSTM(16) and GRU(18) all have about 1,216 weights on D = 2.",
        show=show,
    )
