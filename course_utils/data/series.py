"""Synthetic time series for forecasting: sums of sines with random frequencies and phases, plus noise.

Used by notebook 03 (baselines, SimpleRNN and deep-RNN forecasters) and notebook 05 (deep RNNs). Each series
is

.. math::

    s_n(t) = \\sum_k a_k \\sin\\big(\\omega_{n,k} (t - \\tau_{n,k})\\big) + \\varepsilon_n(t),
    \\qquad t = 0, \\tfrac{1}{T-1}, \\dots, 1,

with amplitudes ``a_k`` fixed, angular frequencies ``omega_{n,k}`` drawn uniformly from ``freq_ranges[k]``,
offsets ``tau_{n,k}`` uniform in ``[0, 1)`` and noise ``epsilon`` uniform in ``[-noise/2, noise/2]``. So every
value lies in ``[-(sum(a) + noise/2), sum(a) + noise/2]`` (``[-0.75, 0.75]`` with the defaults).

Shapes are batch-first: ``generate_series`` returns ``(N, T, 1)`` float32 (N series, T steps, D = 1 feature).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..validation import check_array, check_number, check_positive_int, check_sequence

__all__ = ["DEFAULT_AMPLITUDES", "DEFAULT_FREQ_RANGES", "generate_series", "series_bound"]

#: Amplitude of each sine component (a slow, large wave and a faster, smaller one).
DEFAULT_AMPLITUDES: tuple[float, ...] = (0.5, 0.2)
#: Range of the angular frequency (radians per unit time, t spans [0, 1]) of each component. The ranges
#: are wide on purpose: one fixed linear filter cannot fit every frequency, a recurrent net can adapt.
#: Keep T >= 31 so the fastest wave (60 rad over T - 1 steps) stays within 2 rad per step (no aliasing).
DEFAULT_FREQ_RANGES: tuple[tuple[float, float], ...] = ((5.0, 30.0), (20.0, 60.0))


def _check_components(
    amplitudes: Sequence[float], freq_ranges: Sequence[tuple[float, float]]
) -> tuple[np.ndarray, np.ndarray]:
    sizes: dict[str, int] = {}
    amps = check_array(amplitudes, "amplitudes", "K", sizes, dtype=np.float64, low=0)
    check_sequence(amps.tolist(), "amplitudes", what="amplitudes", min_length=1)
    ranges = check_array(
        freq_ranges,
        "freq_ranges",
        "K,2",
        sizes,
        dtype=np.float64,
        low=0,
        hint="a (low, high) pair per amplitude",
    )
    check_array(ranges[:, 1] - ranges[:, 0], "freq_ranges (high - low)", "K", low=0)
    return amps, ranges


def generate_series(
    n_series: int,
    n_steps: int,
    *,
    seed: int = 0,
    amplitudes: Sequence[float] = DEFAULT_AMPLITUDES,
    freq_ranges: Sequence[tuple[float, float]] = DEFAULT_FREQ_RANGES,
    noise: float = 0.1,
) -> np.ndarray:
    """Generate ``n_series`` noisy sums of sines, each ``n_steps`` long.

    Args:
        n_series: N, the number of series.
        n_steps: T, the number of time steps of each series (t runs from 0 to 1 in T steps).
        seed: seed of the NumPy generator; the same seed gives the same array.
        amplitudes: ``a_k``, one per sine component.
        freq_ranges: ``(low, high)`` of the angular frequency of each component, one pair per amplitude.
        noise: width of the uniform noise; each value gets ``U(-noise/2, noise/2)`` added. 0 for none.

    Returns:
        ``(N, T, 1)`` float32 array; every value lies within ``series_bound(amplitudes, noise)``.

    >>> x = generate_series(3, 50, seed=1)
    >>> x.shape, x.dtype
    ((3, 50, 1), dtype('float32'))
    >>> bool(np.all(np.abs(x) <= series_bound()))
    True
    """
    n_series = check_positive_int(n_series, "n_series")
    n_steps = check_positive_int(n_steps, "n_steps")
    amps, ranges = _check_components(amplitudes, freq_ranges)
    noise = check_number(noise, "noise", low=0)
    rng = np.random.default_rng(seed)
    n_waves = amps.size
    # Draw all per-series parameters first (in a fixed order) so N does not change earlier series' draws
    # beyond the shared stream; the noise comes last.
    freqs = rng.uniform(ranges[:, 0], ranges[:, 1], size=(n_series, n_waves))  # (N, K)
    offsets = rng.uniform(0.0, 1.0, size=(n_series, n_waves))  # (N, K)
    time = np.linspace(0.0, 1.0, n_steps)  # (T,)
    phase = freqs[:, None, :] * (time[None, :, None] - offsets[:, None, :])  # (N, T, K)
    series = np.sin(phase) @ amps  # (N, T)
    if noise:
        series = series + noise * (rng.random((n_series, n_steps)) - 0.5)
    return series[..., None].astype(np.float32)  # (N, T, 1)


def series_bound(amplitudes: Sequence[float] = DEFAULT_AMPLITUDES, noise: float = 0.1) -> float:
    """The largest absolute value :func:`generate_series` can return: ``sum(amplitudes) + noise / 2``.

    >>> round(series_bound(), 6)
    0.75
    """
    return float(np.sum(np.abs(np.asarray(amplitudes, dtype=np.float64))) + noise / 2)
