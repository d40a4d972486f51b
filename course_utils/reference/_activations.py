"""Elementwise activations shared by the reference cells."""

from __future__ import annotations

import numpy as np


def sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic function ``1 / (1 + exp(-a))``, computed as ``(tanh(a/2) + 1) / 2`` (no overflow)."""
    return 0.5 * (np.tanh(0.5 * a) + 1.0)
