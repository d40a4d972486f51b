"""Gradient flow through time: how ``d h(T) / d h(t)`` shrinks or grows with the distance ``k = T - t``.

In the lecture's row-batch form ``Y(t) = phi(X(t) Wx + Y(t-1) Wy + b)`` (code: ``Wh`` for ``Wy``,
``h`` for ``y``), one step back through the recurrence multiplies the gradient by the Jacobian::

    d h(s) / d h(s-1) = diag(phi'(a(s))) Wh^T,        a(s) = x(s) Wx + h(s-1) Wh + b

so the gradient that reaches ``h(T - k)`` from ``h(T)`` passes through the product of ``k`` such factors,
ordered from the last step back, ``J(T) J(T-1) ... J(T-k+1)`` with ``J(s) = diag(phi'(a(s))) Wh^T``, and,
with ``|phi'| <= 1`` (tanh, linear),

    || d h(T) / d h(T-k) ||_2  <=  ||Wh||_2^k        (||Wh||_2: the spectral norm, largest singular value).

The spectral *norm* gives the bound at every ``k``; the spectral *radius* (largest ``|eigenvalue|``, at most
the norm) gives the long-run rate, ``||Wh^k||_2^(1/k) -> radius``. The two differ for a general matrix
(a random matrix scaled to radius 1 has a norm well above 1), and agree for ``Wh = rho * Q`` with ``Q`` orthogonal:
both are ``rho``, and with a linear activation the bound is an equality, because every singular value of
``Q^k`` is 1: the norm decays (``rho < 1``, vanishing) or grows (``rho > 1``, exploding) exactly
geometrically. With tanh, ``phi' = 1 - h^2 < 1`` shrinks it further, by how much depending on how far
the inputs drive tanh into saturation (``jacobian_norms(drive=...)``).

Used by notebook 04, ``widgets.gradflow`` and ``widgets.timestep`` (notebook 01). Shapes: ``Wh (H, H)``; norms are indexed by ``k``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .reference import rnn_forward
from .validation import (
    check_array,
    check_choice,
    check_int,
    check_length,
    check_number,
    check_positive_int,
)

if TYPE_CHECKING:  # pragma: no cover - matplotlib is imported only when drawing
    from matplotlib.axes import Axes

__all__ = [
    "ACTIVATIONS",
    "jacobian_norms",
    "plot_gradient_flow",
    "rho_power_bound",
    "scale_spectral_radius",
    "scaled_orthogonal",
    "spectral_radius",
]

#: Activations whose gradient flow :func:`jacobian_norms` measures.
ACTIVATIONS = ("tanh", "linear")


def scaled_orthogonal(H: int, rho: float, *, seed: int | None = None) -> np.ndarray:
    """A random orthogonal ``(H, H)`` matrix times ``rho``: spectral radius and spectral norm both ``rho``.

    ``Q`` comes from the QR decomposition of a Gaussian matrix, with the signs fixed so that ``Q`` is
    uniformly (Haar) distributed.

    >>> W = scaled_orthogonal(4, 0.5, seed=0)
    >>> W.shape, round(spectral_radius(W), 6), bool(np.allclose(W @ W.T, 0.25 * np.eye(4)))
    ((4, 4), 0.5, True)
    """
    H = check_positive_int(H, "H")
    rho = check_number(float(rho), "rho", low=0)
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.standard_normal((H, H)))
    q = q * np.sign(np.diag(r))  # sign fix: without it Q is not Haar-distributed
    return rho * q


def spectral_radius(W: np.ndarray) -> float:
    """The largest absolute eigenvalue of a square matrix ``W (H, H)``.

    >>> spectral_radius(np.array([[0.0, 2.0], [0.5, 0.0]]))
    1.0
    """
    W = check_array(W, "W", "H,H")
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def scale_spectral_radius(W: np.ndarray, rho: float) -> np.ndarray:
    """``W (H, H)`` rescaled so that its spectral radius is ``rho`` (>= 0).

    >>> round(spectral_radius(scale_spectral_radius(np.array([[0.0, 2.0], [1.0, 0.0]]), 0.9)), 6)
    0.9
    """
    W = check_array(W, "W", "H,H")
    check_number(rho, "rho", low=0)
    current = spectral_radius(W)
    if current == 0:
        raise ValueError(
            "W: expected a matrix with a non-zero eigenvalue to rescale, got spectral radius 0"
        )
    return W * (rho / current)


def rho_power_bound(rho: float, steps: int) -> np.ndarray:
    """The bound ``rho^k`` for ``k = 0, 1, ..., steps``, shape ``(steps + 1,)``.

    >>> rho_power_bound(0.5, 3).tolist()
    [1.0, 0.5, 0.25, 0.125]
    """
    steps = check_positive_int(steps, "steps")
    return float(rho) ** np.arange(steps + 1, dtype=np.float64)


def jacobian_norms(
    Wh: np.ndarray,
    steps: int,
    *,
    activation: str = "tanh",
    drive: float = 1.0,
    burn_in: int = 20,
    seed: int | None = None,
) -> np.ndarray:
    """Spectral norms ``|| d h(T) / d h(T-k) ||_2`` for ``k = 0, ..., steps``, shape ``(steps + 1,)``.

    For ``activation="linear"`` the Jacobian of a step is ``Wh^T`` whatever the inputs, so the result is
    ``||(Wh^T)^k||_2``. For ``"tanh"`` the Jacobians depend on the states: one trajectory
    ``h(t) = tanh(u(t) + h(t-1) Wh)`` is run with random pre-activation inputs ``u(t) ~ N(0, drive^2)``
    (they stand for ``x(t) Wx + b``) from ``h(0) = 0``, the first ``burn_in`` steps are discarded,
    and the Jacobians of the last ``steps`` steps are multiplied from ``T`` backwards.

    Args:
        Wh: recurrent matrix, shape ``(H, H)`` (the lecture's ``Wy``).
        steps: largest distance ``k = T - t``.
        activation: ``"tanh"`` or ``"linear"``.
        drive: standard deviation of the random inputs (tanh only); larger saturates tanh more.
        burn_in: steps run before ``t = T - steps`` so that the states are typical (tanh only).
        seed: seed for the random inputs (tanh only).

    >>> norms = jacobian_norms(scaled_orthogonal(8, 0.9, seed=0), 5, activation="linear")
    >>> bool(np.allclose(norms, 0.9 ** np.arange(6)))
    True
    >>> tanh = jacobian_norms(scaled_orthogonal(8, 0.9, seed=0), 5, seed=0)
    >>> bool(np.all(tanh <= norms + 1e-12)), float(tanh[0])
    (True, 1.0)
    """
    sizes: dict[str, int] = {}
    Wh = check_array(Wh, "Wh", "H,H", sizes, dtype=np.float64)
    steps = check_positive_int(steps, "steps")
    check_choice(activation, "activation", ACTIVATIONS)
    H = sizes["H"]
    if activation == "tanh":
        burn_in = check_int(int(burn_in), "burn_in", low=0)
        rng = np.random.default_rng(seed)
        u = float(drive) * rng.standard_normal((1, burn_in + steps, H))  # (N=1, T, H)
        # The trajectory is the reference SimpleRNN with Wx = I and b = 0, so u(t) plays x(t) Wx + b.
        h, _ = rnn_forward(u, np.zeros((1, H)), np.eye(H), Wh, np.zeros(H))  # (1, T, H)
        dphi = 1.0 - h[0, burn_in:] ** 2  # (steps, H): tanh'(a(s)) for the last `steps` steps
    else:
        dphi = np.ones((steps, H))
    norms = np.empty(steps + 1)
    jac = np.eye(H)  # d h(T) / d h(T-k), starting at k = 0
    norms[0] = 1.0
    for k in range(1, steps + 1):
        # One step further back: d h(T)/d h(T-k) = [J(T) ... J(T-k+2)] @ J(T-k+1),
        # with J(s) = diag(phi'(a(s))) Wh^T: the product is ordered from the last step back.
        jac = jac @ (dphi[steps - k][:, None] * Wh.T)
        norms[k] = np.linalg.norm(jac, 2)
    return norms


def plot_gradient_flow(
    curves: Mapping[str, Sequence[float] | np.ndarray],
    *,
    rhos: Sequence[float] = (),
    ax: Axes | None = None,
) -> Axes:
    """Draw gradient norms against the distance ``k = T - t`` on a log scale, with ``rho^k`` bounds.

    Args:
        curves: label -> norms indexed by ``k`` (e.g. from :func:`jacobian_norms`).
        rhos: draw the dashed bound ``rho^k`` for each of these spectral norms ``rho = ||Wh||_2``.
        ax: matplotlib axes to draw into; a new figure when None.

    Returns:
        The axes.
    """
    import matplotlib.pyplot as plt

    check_length(curves, "curves", what="curve")
    arrays = {label: np.asarray(values, dtype=np.float64) for label, values in curves.items()}
    steps = max(len(values) for values in arrays.values()) - 1
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for label, values in arrays.items():
        ax.semilogy(np.arange(len(values)), values, label=label)
    for rho in rhos:
        ax.semilogy(rho_power_bound(rho, max(steps, 1)), "k--", lw=0.8, alpha=0.6)
    if rhos:
        ax.plot([], [], "k--", lw=0.8, alpha=0.6, label=r"bound $\rho^k$")
    ax.set_xlabel(r"distance $k = T - t$")
    ax.set_ylabel(r"$\|\partial h^{(T)} / \partial h^{(t)}\|_2$")
    # beside the axes, not on them: inside, it covers the bound line (top left at rho > 1, bottom left below)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    ax.grid(True, which="major", alpha=0.3)
    return ax
