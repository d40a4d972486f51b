"""Gradient clipping, the standard cure for exploding gradients in BPTT (used by the BPTT notebook).

* by global norm (Pascanu et al., 2013): if ``g = sqrt(sum_k ||G_k||^2)`` exceeds ``max_norm``, scale every
  gradient by ``max_norm / g`` — the direction of the update is kept; same as ``tf.clip_by_global_norm``.
* by value: clip every entry into ``[-limit, limit]`` — simpler, but it changes the direction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..validation import check_array, check_positive, check_sequence

__all__ = ["clip_by_global_norm", "clip_by_value", "global_norm"]

Grads = Sequence[np.ndarray] | Mapping[str, np.ndarray]


def _items(grads: Grads) -> list[tuple[str, np.ndarray]]:
    if isinstance(grads, Mapping):
        pairs = list(grads.items())
    else:
        items = check_sequence(grads, "grads", what="gradient arrays", hint="or a dict of them")
        pairs = [(f"grads[{k}]", g) for k, g in enumerate(items)]
    out = []
    for name, g in pairs:
        arr = np.asarray(g)
        dtype = arr.dtype if np.issubdtype(arr.dtype, np.floating) else np.float64
        out.append((str(name), check_array(arr, str(name), None, dtype=dtype)))
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
    max_norm = check_positive(max_norm, "max_norm")
    items = _items(grads)
    norm = _norm(items)
    scale = max_norm / max(norm, max_norm)  # 1 when already small enough
    return _rebuild(grads, [g * np.asarray(scale, dtype=g.dtype) for _, g in items]), norm


def clip_by_value(grads: Grads, limit: float) -> Grads:
    """Clip every entry of every gradient into ``[-limit, limit]``.

    >>> [g.tolist() for g in clip_by_value([np.array([-3.0, 0.5, 2.0])], 1.0)]
    [[-1.0, 0.5, 1.0]]
    """
    limit = check_positive(limit, "limit")
    return _rebuild(grads, [np.clip(g, -limit, limit) for _, g in _items(grads)])
