"""Gradient clipping, the standard cure for exploding gradients in BPTT (used by the BPTT notebook).

* by global norm (Pascanu et al., 2013): if ``g = sqrt(sum_k ||G_k||^2)`` exceeds ``max_norm``, scale every
  gradient by ``max_norm / g`` — the direction of the update is kept; same as ``tf.clip_by_global_norm``.
* by value: clip every entry into ``[-limit, limit]`` — simpler, but it changes the direction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["clip_by_global_norm", "clip_by_value", "global_norm"]

Grads = Sequence[np.ndarray] | Mapping[str, np.ndarray]


def _items(grads: Grads) -> list[tuple[str, np.ndarray]]:
    if isinstance(grads, Mapping):
        pairs = list(grads.items())
    elif isinstance(grads, Sequence) and not isinstance(grads, (str, bytes)):
        pairs = [(f"grads[{k}]", g) for k, g in enumerate(grads)]
    else:
        raise TypeError(
            f"grads: expected a list or dict of gradient arrays, got {type(grads).__name__}"
        )
    out = []
    for name, g in pairs:
        arr = np.asarray(g)
        if not np.issubdtype(arr.dtype, np.number) or arr.dtype == bool:
            raise TypeError(f"{name}: expected a numeric array, got dtype {arr.dtype}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(
                f"{name}: expected finite values, got {int(np.sum(~np.isfinite(arr)))} NaN or infinite entries"
            )
        out.append(
            (str(name), arr if np.issubdtype(arr.dtype, np.floating) else arr.astype(np.float64))
        )
    return out


def _rebuild(grads: Grads, arrays: list[np.ndarray]) -> Grads:
    if isinstance(grads, Mapping):
        return dict(zip(grads.keys(), arrays))
    return list(arrays)


def _norm(items: list[tuple[str, np.ndarray]]) -> float:
    return float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for _, g in items)))


def global_norm(grads: Grads) -> float:
    """``sqrt(sum_k ||G_k||^2)`` over a list (or dict) of gradient arrays of any shapes."""
    return _norm(_items(grads))


def clip_by_global_norm(grads: Grads, max_norm: float) -> tuple[Grads, float]:
    """Scale all gradients together so that their global norm is at most ``max_norm``.

    Args:
        grads: list (or dict) of gradient arrays, e.g. ``[dWx, dWh, db]``.
        max_norm: the largest allowed global norm (> 0).

    Returns:
        ``(clipped, norm)``: new arrays of the same kind (list or dict), and the global norm *before*
        clipping (handy to plot). Gradients are unchanged when ``norm <= max_norm``.

    >>> clipped, norm = clip_by_global_norm([np.array([3.0]), np.array([4.0])], 1.0)
    >>> norm, [round(float(g[0]), 12) for g in clipped]
    (5.0, [0.6, 0.8])
    """
    if (
        not isinstance(max_norm, (int, float, np.floating, np.integer))
        or isinstance(max_norm, bool)
        or not max_norm > 0
    ):
        raise ValueError(f"max_norm: expected a positive number, got {max_norm!r}")
    items = _items(grads)
    norm = _norm(items)
    scale = max_norm / max(norm, max_norm)  # 1 when already small enough
    return _rebuild(grads, [g * np.asarray(scale, dtype=g.dtype) for _, g in items]), norm


def clip_by_value(grads: Grads, limit: float) -> Grads:
    """Clip every entry of every gradient into ``[-limit, limit]``.

    >>> [g.tolist() for g in clip_by_value([np.array([-3.0, 0.5, 2.0])], 1.0)]
    [[-1.0, 0.5, 1.0]]
    """
    if (
        not isinstance(limit, (int, float, np.floating, np.integer))
        or isinstance(limit, bool)
        or not limit > 0
    ):
        raise ValueError(f"limit: expected a positive number, got {limit!r}")
    return _rebuild(grads, [np.clip(g, -limit, limit) for _, g in _items(grads)])
