"""Exercise checks for notebook 06 (LSTM): the forget gate, parameter counts, the memory half-life.

Each check calls the student's function on fixed inputs, compares with the reference and, when the
answer is wrong, recognises the usual mistakes (wrong gate block, no sigmoid, a missing term) and says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import reference as ref
from ._arrays import array_of_shape
from ._feedback import Feedback, attempt, failed, passed

__all__ = ["exercise_06_1", "exercise_06_2", "exercise_06_3"]


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def exercise_06_1(forget_gate: Callable[..., Any], *, show: bool = True) -> Feedback:
    """Check ``forget_gate(x_t, h_prev, Wx, Wh, b) -> f (N, H)`` (Keras layout, gates i, f, c, o)."""
    ex = "06.1"
    rng = np.random.default_rng(61)
    N, D, H = 3, 4, 5
    x_t, h_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    Wx, Wh, b = rng.normal(size=(D, 4 * H)), rng.normal(size=(H, 4 * H)), rng.normal(size=4 * H)
    got, fb = attempt(
        ex, forget_gate, x_t.copy(), h_prev.copy(), Wx.copy(), Wh.copy(), b.copy(), show=show
    )
    if fb is not None:
        return fb
    _, _, cache = ref.lstm_step_forward(x_t, h_prev, np.zeros((N, H)), Wx, Wh, b)
    want = cache.f
    got, fb = array_of_shape(ex, got, want.shape, "(N, H)", show=show)
    if fb is not None:
        return fb
    if np.allclose(got, want, atol=1e-8):
        return passed(ex, "correct: the forget gate is the second block, columns H:2H.", show=show)
    a = x_t @ Wx + h_prev @ Wh + b
    blocks = np.split(a, 4, axis=1)
    for k, name in ((0, "input gate i"), (2, "candidate (c block)"), (3, "output gate o")):
        if np.allclose(got, _sigmoid(blocks[k])) or np.allclose(got, np.tanh(blocks[k])):
            return failed(
                ex,
                f"you used block {k} (columns {k}H:{k + 1}H), the {name}. Keras orders the blocks "
                "i, f, c, o: the forget gate is block 1, columns H:2H.",
                show=show,
            )
    if np.allclose(got, blocks[1]):
        return failed(ex, "right block, but apply the sigmoid: f = sigmoid(a_f).", show=show)
    if np.allclose(got, np.tanh(blocks[1])):
        return failed(ex, "right block, but gates use the sigmoid, not tanh.", show=show)
    a_f_nob = (x_t @ Wx + h_prev @ Wh)[:, H : 2 * H]
    if np.allclose(got, _sigmoid(a_f_nob)):
        return failed(ex, "the bias b (its block H:2H) is missing.", show=show)
    if np.allclose(got, _sigmoid((x_t @ Wx + b)[:, H : 2 * H])):
        return failed(ex, "the recurrent term h_prev @ Wh is missing.", show=show)
    return failed(
        ex,
        "the values are wrong: f = sigmoid(x_t @ Wx[:, H:2H] + h_prev @ Wh[:, H:2H] + b[H:2H]).",
        show=show,
    )


def exercise_06_2(lstm_param_count: Callable[..., Any], *, show: bool = True) -> Feedback:
    """Check ``lstm_param_count(units, input_dim, peephole=False) -> int``."""
    ex = "06.2"
    cases = [(16, 2), (5, 3), (32, 10)]
    for units, input_dim in cases:
        for peephole in (False, True):
            got, fb = attempt(ex, lstm_param_count, units, input_dim, peephole=peephole, show=show)
            if fb is not None:
                return fb
            want = 4 * units * (input_dim + units + 1) + (3 * units if peephole else 0)
            if got == want:
                continue
            H, D = units, input_dim
            where = f"units={H}, input_dim={D}, peephole={peephole}: expected {want}, got {got!r}"
            hints = {
                4 * H * (D + H): "the biases (4H of them) are missing",
                H * (D + H + 1)
                + (3 * H if peephole else 0): "an LSTM has four blocks: multiply by 4",
                3 * H * (D + H + 1)
                + (3 * H if peephole else 0): "an LSTM has four blocks (i, f, c, o), not three",
                4 * H * (D + H + 1): "peepholes add 3H weights (p_i, p_f, p_o: one per unit)",
                4 * H * (D + H + 1) + 4 * H: "there are three peephole vectors (i, f, o), not four",
                4 * H * (D + H + 1) + 3 * H * H: "peepholes are element-wise: 3H weights, not 3H^2",
            }
            hint = hints.get(got, "count Wx (D, 4H), Wh (H, 4H), b (4H,) and the peepholes (3, H)")
            return failed(ex, f"{where}. Hint: {hint}.", show=show)
    return passed(ex, "correct: 4H(D + H + 1), plus 3H with peepholes.", show=show)


def exercise_06_3(half_life: Callable[..., Any], *, show: bool = True) -> Feedback:
    """Check ``half_life(forget_bias) -> float``: steps until sigmoid(b) ** k = 1/2."""
    ex = "06.3"
    for bias in (0.5, 1.0, 3.0, 0.0, 6.0):
        got, fb = attempt(ex, half_life, bias, show=show)
        if fb is not None:
            return fb
        keep = 1.0 / (1.0 + math.exp(-bias))
        want = math.log(0.5) / math.log(keep)
        try:
            value = float(got)
        except (TypeError, ValueError):
            return failed(ex, f"expected a number, got {type(got).__name__}.", show=show)
        if math.isclose(value, want, rel_tol=1e-6):
            continue
        msg = f"forget bias {bias}: expected {want:.4g} steps, got {value:.4g}."
        if math.isclose(value, -want, rel_tol=1e-6):
            msg += " The sign is wrong: both logarithms are negative, so their ratio is positive."
        elif math.isclose(value, math.ceil(want), rel_tol=1e-9):
            msg += " Return the real number of steps, not rounded up."
        elif 0 < bias < 1 and math.isclose(value, math.log(0.5) / math.log(bias), rel_tol=1e-6):
            msg += " The value is multiplied by sigmoid(b_f), not by b_f itself."
        else:
            msg += " Solve sigmoid(b_f) ** k = 1/2 for k."
        return failed(ex, msg, show=show)
    return passed(
        ex, "correct: k = ln(1/2) / ln(sigmoid(b_f)), about 2.2 steps at b_f = 1.", show=show
    )
