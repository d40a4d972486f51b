"""Exercise checks for notebook 04 (training: backpropagation through time).

* ``exercise_04_1(step_back)``: one step of BPTT through ``h(t) = tanh(x(t) Wx + h(t-1) Wh + b)``:
  ``dh(t-1) = (dh(t) * (1 - h(t)^2)) Wh^T``;
* ``exercise_04_2(output_grads)``: the output layer's gradients ``dWo``, ``dbo``, summed over the batch
  *and over time*;
* ``exercise_04_3(clip_global)``: clipping a list of gradients by their global norm.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._arrays import array_of_shape, float_array
from ._feedback import Feedback, attempt, failed, passed

__all__ = ["exercise_04_1", "exercise_04_2", "exercise_04_3"]


def _diagnose(
    ex: str, got: np.ndarray, diagnoses: list[tuple[np.ndarray, str]], *, show: bool = True
) -> Feedback | None:
    for candidate, message in diagnoses:
        if candidate.shape == got.shape and np.allclose(got, candidate, atol=1e-8):
            return failed(ex, message, show=show)
    return None


def exercise_04_1(step_back: Callable[..., np.ndarray], *, show: bool = True) -> Feedback:
    """Check ``step_back(dh_t, h_t, Wh) -> dh_prev``: dh_t, h_t (N, H), Wh (H, H); dh_prev (N, H)."""
    ex = "04.1"
    rng = np.random.default_rng(41)
    n, h = 3, 4
    dh_t, h_t = rng.normal(size=(n, h)), np.tanh(rng.normal(size=(n, h)))
    Wh = rng.normal(size=(h, h))
    got, problem = attempt(ex, step_back, dh_t.copy(), h_t.copy(), Wh.copy(), show=show)
    if problem is not None:
        return problem
    got, problem = array_of_shape(ex, got, (n, h), "(N, H)", "dh(t-1)", show=show)
    if problem is not None:
        return problem
    da = dh_t * (1 - h_t**2)
    if np.allclose(got, da @ Wh.T, atol=1e-8):
        return passed(ex, "correct: dh(t-1) = (dh(t) * (1 - h(t)^2)) Wh^T.", show=show)
    found = _diagnose(
        ex,
        got,
        [
            (dh_t @ Wh.T, "the tanh derivative is missing: multiply dh(t) by 1 - h(t)^2 first."),
            (
                da @ Wh,
                "Wh is not transposed: h(t) uses h(t-1) Wh, so the gradient flows back through Wh^T.",
            ),
            (
                da,
                "that is the gradient of the pre-activation a(t); it still has to pass through Wh^T.",
            ),
            (
                (dh_t * (1 - np.tanh(h_t) ** 2)) @ Wh.T,
                "h(t) is already tanh(a(t)): the derivative is 1 - h(t)^2, not 1 - tanh(h(t))^2.",
            ),
            (
                (dh_t * (1 - h_t)) @ Wh.T,
                "the tanh derivative is 1 - h(t)^2 (squared), not 1 - h(t).",
            ),
            (-(da @ Wh.T), "the sign is flipped."),
        ],
        show=show,
    )
    if found is not None:
        return found
    err = float(np.max(np.abs(got - da @ Wh.T)))
    return failed(
        ex, f"the shape is right but the values differ (largest difference {err:.3g}).", show=show
    )


def exercise_04_2(
    output_grads: Callable[..., tuple[np.ndarray, np.ndarray]], *, show: bool = True
) -> Feedback:
    """Check ``output_grads(h, dz) -> (dWo, dbo)``: h (N, T, H), dz (N, T, O); dWo (H, O), dbo (O,)."""
    ex = "04.2"
    rng = np.random.default_rng(42)
    n, t, h, o = 2, 5, 3, 4
    hs, dz = rng.normal(size=(n, t, h)), rng.normal(size=(n, t, o))
    got, problem = attempt(ex, output_grads, hs.copy(), dz.copy(), show=show)
    if problem is not None:
        return problem
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return failed(ex, "expected a pair (dWo, dbo).", show=show)
    dWo, dbo = (float_array(g) for g in got)
    if dWo is None or dbo is None:
        return failed(ex, "dWo and dbo must be numeric arrays.", show=show)
    want_W = np.einsum("nth,nto->ho", hs, dz)
    want_b = dz.sum(axis=(0, 1))
    if dWo.shape == (o, h):
        return failed(
            ex,
            f"dWo has shape {dWo.shape} = (O, H): it must match Wo, (H, O) = {(h, o)}.",
            show=show,
        )
    if dWo.shape != (h, o) or dbo.shape != (o,):
        return failed(
            ex,
            f"expected dWo {(h, o)} = (H, O) and dbo {(o,)} = (O,), got {dWo.shape} and {dbo.shape}.",
            show=show,
        )
    ok_W, ok_b = np.allclose(dWo, want_W, atol=1e-8), np.allclose(dbo, want_b, atol=1e-8)
    if ok_W and ok_b:
        return passed(
            ex,
            "correct: Wo is used at every step, so its gradient is a sum over time (and batch).",
            show=show,
        )
    found = _diagnose(
        ex,
        dWo,
        [
            (
                hs[:, -1].T @ dz[:, -1],
                "dWo uses the last step only: Wo is shared by every step, sum over t.",
            ),
            (
                want_W / t,
                "dWo is averaged over time: the loss's 1/count is already in dz, so sum over t.",
            ),
            (
                want_W / n,
                "dWo is averaged over the batch: sum over the batch (dz already carries the mean).",
            ),
            (
                want_W / (n * t),
                "dWo is averaged: sum over batch and time (dz already carries the mean).",
            ),
        ],
        show=show,
    )
    if found is not None:
        return found
    if ok_W:
        return failed(ex, "dWo is right; dbo must be dz summed over the batch and time.", show=show)
    err = float(np.max(np.abs(dWo - want_W)))
    return failed(
        ex, f"dWo differs from sum_t H(t)^T dZ(t) (largest difference {err:.3g}).", show=show
    )


def exercise_04_3(clip_global: Callable[..., list[np.ndarray]], *, show: bool = True) -> Feedback:
    """Check ``clip_global(grads, max_norm) -> clipped``: a list of arrays, scaled together when needed."""
    ex = "04.3"
    rng = np.random.default_rng(43)
    grads = [rng.normal(size=(3, 4)) * 5, rng.normal(size=(4,)), rng.normal(size=(2, 2)) * 3]
    norm = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    for max_norm in (1.0, 2 * norm):  # clipped, then already small enough
        got, problem = attempt(ex, clip_global, [g.copy() for g in grads], max_norm, show=show)
        if problem is not None:
            return problem
        if not isinstance(got, (list, tuple)) or len(got) != len(grads):
            return failed(ex, f"expected a list of {len(grads)} arrays, like the input.", show=show)
        got = [float_array(g) for g in got]
        if any(g is None for g in got):
            return failed(
                ex, f"expected a list of {len(grads)} numeric arrays, like the input.", show=show
            )
        if any(g.shape != w.shape for g, w in zip(got, grads)):
            return failed(ex, "each clipped gradient must keep the shape of its input.", show=show)
        scale = min(1.0, max_norm / norm)
        if all(np.allclose(g, w * scale, atol=1e-10) for g, w in zip(got, grads)):
            continue
        if max_norm > norm and all(
            np.allclose(g, w * max_norm / norm, atol=1e-10) for g, w in zip(got, grads)
        ):
            return failed(
                ex,
                "gradients below max_norm must stay unchanged: clipping only ever shrinks.",
                show=show,
            )
        each = [w * min(1.0, max_norm / np.linalg.norm(w)) for w in grads]
        if all(np.allclose(g, e, atol=1e-10) for g, e in zip(got, each)):
            return failed(
                ex,
                "each array is clipped by its own norm: use one global norm over all of them.",
                show=show,
            )
        clipped = [np.clip(w, -max_norm, max_norm) for w in grads]
        if all(np.allclose(g, c, atol=1e-10) for g, c in zip(got, clipped)):
            return failed(
                ex,
                "that is clipping by value: scale all arrays by max_norm / global norm instead.",
                show=show,
            )
        new_norm = float(np.sqrt(sum(np.sum(g**2) for g in got)))
        return failed(
            ex,
            f"with max_norm={max_norm:g} and a global norm of {norm:.3g} the result should have norm "
            f"{min(norm, max_norm):.3g} and the same direction; yours has norm {new_norm:.3g}.",
            show=show,
        )
    return passed(
        ex,
        "correct: one global norm, every array scaled by the same factor, direction kept.",
        show=show,
    )
