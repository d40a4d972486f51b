"""Exercise checks for notebook 05 (deep RNNs).

* ``exercise_05_1(stack_forward)``: a stack of SimpleRNN layers in NumPy, ``stack_forward(x, layers) ->
  h`` (the top layer's states), each layer reading the state sequence of the layer below;
* ``exercise_05_2(param_count)``: the number of weights of a stacked SimpleRNN plus its dense head;
* ``exercise_05_3(residual_forward)``: the same stack with residual connections on every layer above the
  first, ``h^(l) = h^(l-1) + RNN_l(h^(l-1))``.

Each check compares with :mod:`course_utils.deep` on fresh random inputs (stacks of one to three layers so a
hard-coded depth shows) and names the usual mistakes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from .. import deep, models
from .. import reference as ref
from ._feedback import Feedback, attempt, failed, passed

__all__ = ["exercise_05_1", "exercise_05_2", "exercise_05_3"]


def _layers(sizes: Sequence[int], rng: np.random.Generator) -> list[dict[str, np.ndarray]]:
    return [
        {
            "Wx": 0.6 * rng.normal(size=(d, h)),
            "Wh": 0.6 * rng.normal(size=(h, h)) / np.sqrt(h),
            "b": 0.2 * rng.normal(size=h),
        }
        for d, h in itertools.pairwise(sizes)
    ]


def _copy(layers: list[dict[str, np.ndarray]]) -> list[dict[str, np.ndarray]]:
    return [{k: v.copy() for k, v in p.items()} for p in layers]


def _rnn(x: np.ndarray, p: dict[str, np.ndarray]) -> np.ndarray:
    return ref.rnn_forward(x, np.zeros((x.shape[0], p["Wh"].shape[0])), p["Wx"], p["Wh"], p["b"])[0]


def _residual_variant(
    x: np.ndarray, layers: list[dict[str, np.ndarray]], *, top_residual: bool, add_first: bool
) -> np.ndarray:
    """Typical wrong residual stacks: no residual on the top layer, or always adding layer 1's states."""
    first = inputs = _rnn(x, layers[0])
    for i, p in enumerate(layers[1:], start=1):
        out = _rnn(inputs, p)
        if i == len(layers) - 1 and not top_residual:
            inputs = out
        else:
            inputs = (first if add_first else inputs) + out
    return inputs


def _same(got: np.ndarray, want: np.ndarray) -> bool:
    return got.shape == want.shape and np.allclose(got, want, atol=1e-8)


def _as_states(
    ex: str, got: object, want: np.ndarray, *, show: bool = True
) -> tuple[np.ndarray | None, Feedback | None]:
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return None, failed(
            ex,
            f"expected an array of shape (N, T, H_L) = {want.shape}, got {type(got).__name__}.",
            show=show,
        )
    if arr.shape == (want.shape[0], want.shape[2]):
        return None, failed(
            ex,
            f"you returned shape {arr.shape}, the last state only: return the top layer's states at every "
            f"step, shape (N, T, H_L) = {want.shape}.",
            show=show,
        )
    if arr.shape != want.shape:
        return None, failed(
            ex,
            f"expected the top layer's states of shape (N, T, H_L) = {want.shape}, got {arr.shape}.",
            show=show,
        )
    return arr, None


def _run_case(
    ex: str,
    fn: Callable[..., object],
    x: np.ndarray,
    layers: list[dict[str, np.ndarray]],
    want: np.ndarray,
    *,
    show: bool = True,
) -> tuple[np.ndarray | None, Feedback | None]:
    """Call ``fn(x, layers)`` on copies and return its states as an array, or the feedback on what failed."""
    got, problem = attempt(ex, fn, x.copy(), _copy(layers), show=show)
    if problem is not None:
        return None, problem
    return _as_states(ex, got, want, show=show)


def exercise_05_1(stack_forward: Callable[..., np.ndarray], *, show: bool = True) -> Feedback:
    """Check ``stack_forward(x, layers) -> h``: x (N, T, D), layers a list of {"Wx", "Wh", "b"}; h (N, T, H_L)."""
    ex = "05.1"
    rng = np.random.default_rng(51)
    # Equal sizes in the first case so that feeding x to every layer runs (and can be named).
    for sizes in ((4, 4, 4, 4), (3, 5, 4), (2, 6)):
        x = rng.normal(size=(2, 6, sizes[0]))
        layers = _layers(sizes, rng)
        want, _ = deep.stack_rnn_forward(x, layers)
        got, problem = _run_case(ex, stack_forward, x, layers, want, show=show)
        if problem is not None:
            return problem
        if _same(got, want):
            continue
        states, inputs = [], x
        for p in layers:
            inputs = _rnn(inputs, p)
            states.append(inputs)
        if len(layers) > 1 and _same(got, states[-2]):
            return failed(
                ex,
                f"with {len(layers)} layers you returned the states of layer {len(layers) - 1}: run every layer in the list.",
                show=show,
            )
        if _same(got, states[0]) and len(layers) > 1:
            return failed(
                ex,
                "you returned the bottom layer's states: feed them to the next layer, and so on to the top.",
                show=show,
            )
        if sizes[0] == sizes[1] and _same(got, _rnn(x, layers[-1])):
            return failed(
                ex,
                "each layer must read the state sequence of the layer below, not the input x.",
                show=show,
            )
        err = float(np.max(np.abs(got - want)))
        return failed(
            ex,
            f"the shape is right but the values differ for a {len(layers)}-layer stack (largest difference {err:.3g}).",
            show=show,
        )
    return passed(
        ex, "correct: each layer reads the whole state sequence of the layer below.", show=show
    )


def exercise_05_2(param_count: Callable[..., int], *, show: bool = True) -> Feedback:
    """Check ``param_count(d_in, units, outputs) -> int`` for a SimpleRNN stack with a Dense(outputs) head."""
    ex = "05.2"
    cases = [(1, [20, 20], 1), (3, [8], 5), (2, [16, 8, 4], 10), (5, [7, 7], 2)]
    for d_in, units, outputs in cases:
        want = models.param_count("SimpleRNN", units, d_in, outputs=outputs)
        got, problem = attempt(ex, param_count, d_in, list(units), outputs, show=show)
        if problem is not None:
            return problem
        if isinstance(got, bool) or not isinstance(got, (int, np.integer, float)):
            return failed(ex, f"expected an integer, got {type(got).__name__}.", show=show)
        if got == want:
            continue
        label = f"d_in={d_in}, units={units}, outputs={outputs}"
        head = units[-1] * outputs + outputs
        sizes = [d_in, *units]
        no_bias = want - sum(units) - outputs
        same_d = sum(d_in * h + h * h + h for h in units) + head
        no_wh = want - sum(h * h for h in units)
        if got == want - head:
            return failed(
                ex,
                f"for {label} you left out the dense head: H_L * outputs + outputs weights.",
                show=show,
            )
        if got == no_bias or got == want - sum(units):
            return failed(
                ex,
                f"for {label} the biases are missing: each layer has H_l, the head has outputs.",
                show=show,
            )
        if got == same_d and sizes[1:] != sizes[:-1]:
            return failed(
                ex,
                f"for {label}: layer l reads the H_(l-1) states of the layer below, not the D inputs (only the first layer has D_1 = D).",
                show=show,
            )
        if got == no_wh:
            return failed(
                ex,
                f"for {label} the recurrent weights Wh (H_l x H_l per layer) are missing.",
                show=show,
            )
        return failed(
            ex,
            f"for {label} expected a different count than {got}; count Wx (D_l x H_l), Wh (H_l x H_l) and b (H_l) per layer, then the head.",
            show=show,
        )
    return passed(
        ex,
        "correct: sum over layers of D_l H_l + H_l^2 + H_l, plus H_L * O + O for the head.",
        show=show,
    )


def exercise_05_3(residual_forward: Callable[..., np.ndarray], *, show: bool = True) -> Feedback:
    """Check ``residual_forward(x, layers) -> h``: like exercise 05.1 with ``h^(l) = h^(l-1) + RNN_l(h^(l-1))``
    for every layer above the first."""
    ex = "05.3"
    rng = np.random.default_rng(53)
    for sizes in ((2, 4, 4, 4), (3, 5, 5), (3, 6)):
        x = rng.normal(size=(2, 5, sizes[0]))
        layers = _layers(sizes, rng)
        want, _ = deep.stack_rnn_forward(x, layers, residual=True)
        got, problem = _run_case(ex, residual_forward, x, layers, want, show=show)
        if problem is not None:
            return problem
        if _same(got, want):
            continue
        plain, _ = deep.stack_rnn_forward(x, layers)
        if _same(got, plain):
            return failed(
                ex,
                "no residual connection was added: above the first layer, return input + RNN(input).",
                show=show,
            )
        top_plain = _residual_variant(x, layers, top_residual=False, add_first=False)
        if len(layers) > 2 and _same(got, top_plain):
            return failed(
                ex,
                "the top layer's output is missing its residual: add its input there too.",
                show=show,
            )
        add_first = _residual_variant(x, layers, top_residual=True, add_first=True)
        if len(layers) > 2 and _same(got, add_first):
            return failed(
                ex,
                "each layer must add its own input (the output of the layer just below), not the first layer's states.",
                show=show,
            )
        err = float(np.max(np.abs(got - want)))
        return failed(
            ex,
            f"the shape is right but the values differ for a {len(layers)}-layer stack (largest difference {err:.3g}).",
            show=show,
        )
    return passed(
        ex, "correct: every layer above the first adds its input to its output.", show=show
    )
