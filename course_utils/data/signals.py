"""Noisy sine waves: the one toy task family behind the four input/output mappings (notebook 02).

Every sequence is ``x(t) = A sin(2 pi f t + phase) + noise``: one of three "notes" ``f`` (slow, medium, fast:
the *frequency class*) played with a random amplitude ``A`` and a random phase. Because the
data never changes, the four mappings differ only in the question asked of it:

=================  ==========================================  ======================  =======================
mapping            question                                    input -> target         trivial baseline
=================  ==========================================  ======================  =======================
sequence-to-seq.   the clean value one step ahead, every step  (N, T-1, 1) -> same     persistence: y = x(t)
sequence-to-vec.   which note is it (slow/medium/fast)?               (N, T, 1) -> (N,)       the most frequent class
vector-to-seq.     draw the clean signal from its parameters   (N, 4) -> (N, T, 1)     the average signal
encoder-decoder    read T-K steps, then forecast the next K    (N, T-K, 1) -> (N, K, 1) repeat the last value
=================  ==========================================  ======================  =======================

Arrays are batch-first: N sequences, T steps, one feature per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..validation import check_choice, check_int, check_number, check_positive_int, check_same_shape

__all__ = [
    "FREQUENCIES",
    "TASK_KINDS",
    "MappingTask",
    "Signals",
    "continuation_task",
    "frequency_task",
    "generation_task",
    "make_signals",
    "make_task",
    "next_step_task",
]

#: The three frequencies ("notes") in cycles per step, one per class: slow, medium, fast.
FREQUENCIES: tuple[float, ...] = (0.03, 0.07, 0.13)
#: The four mappings, in the order the notebook teaches them.
TASK_KINDS: tuple[str, ...] = ("seq2seq", "seq2vec", "vec2seq", "encdec")


@dataclass(frozen=True)
class Signals:
    """A batch of noisy sine waves and the parameters that drew them.

    Attributes:
        x: noisy observations, shape (N, T, 1).
        clean: the noise-free signal ``A sin(2 pi f t + phase)``, shape (N, T, 1).
        amplitude: ``A`` per sequence, shape (N,).
        frequency: ``f`` in cycles per step, one of :data:`FREQUENCIES`, shape (N,).
        frequency_class: the index of ``f`` in :data:`FREQUENCIES` (0 slow, 1 medium, 2 fast), shape (N,).
        phase: the phase in radians, shape (N,).
    """

    x: np.ndarray
    clean: np.ndarray
    amplitude: np.ndarray
    frequency: np.ndarray
    frequency_class: np.ndarray
    phase: np.ndarray

    @property
    def params(self) -> np.ndarray:
        """The parameters as one vector per sequence, shape (N, 4): ``A``, scaled ``f``, ``cos`` and ``sin`` of the phase.

        The frequency is rescaled to [0, 1] so a network sees inputs of similar size.
        """
        low, high = min(FREQUENCIES), max(FREQUENCIES)
        f_scaled = (self.frequency - low) / (high - low)
        return np.stack([self.amplitude, f_scaled, np.cos(self.phase), np.sin(self.phase)], axis=1)


def make_signals(n: int, steps: int, *, noise: float = 0.1, seed: int = 0) -> Signals:
    """Draw ``n`` noisy sine waves of ``steps`` time steps with balanced frequency classes.

    Args:
        n: number of sequences N.
        steps: number of time steps T.
        noise: standard deviation of the Gaussian noise added to the observations.
        seed: seed of the random generator (same seed, same data).

    Returns:
        A :class:`Signals` with ``x`` and ``clean`` of shape (N, T, 1).

    >>> s = make_signals(6, 20, seed=1)
    >>> s.x.shape, s.clean.shape, s.params.shape, sorted(s.frequency_class.tolist())
    ((6, 20, 1), (6, 20, 1), (6, 4), [0, 0, 1, 1, 2, 2])
    """
    n = check_positive_int(n, "n")
    steps = check_positive_int(steps, "steps")
    noise = check_number(noise, "noise", low=0)
    rng = np.random.default_rng(seed)
    classes = rng.permutation(np.arange(n) % len(FREQUENCIES))
    frequency = np.asarray(FREQUENCIES)[classes]
    amplitude = rng.uniform(0.5, 1.5, size=n)
    phase = rng.uniform(0.0, 2 * np.pi, size=n)
    t = np.arange(steps)
    clean = amplitude[:, None] * np.sin(
        2 * np.pi * frequency[:, None] * t[None, :] + phase[:, None]
    )  # (N, T)
    x = clean + noise * rng.standard_normal(clean.shape)
    return Signals(
        x=x[..., None].astype(np.float32),
        clean=clean[..., None].astype(np.float32),
        amplitude=amplitude,
        frequency=frequency,
        frequency_class=classes.astype(np.int64),
        phase=phase,
    )


@dataclass(frozen=True)
class MappingTask:
    """One mapping's inputs, targets and the trivial baseline a model must beat.

    Attributes:
        kind: one of :data:`TASK_KINDS`.
        question: the question in words.
        x: the model input, (N, T, 1) for sequence inputs or (N, 4) for the parameter vector.
        y: the target, (N, T', 1) for sequences or (N,) class labels.
        baseline: the trivial prediction, same shape as ``y``.
        baseline_name: the trivial rule in words.
        metric: ``"mse"`` (lower is better) or ``"accuracy"`` (higher is better).
    """

    kind: str
    question: str
    x: np.ndarray
    y: np.ndarray
    baseline: np.ndarray
    baseline_name: str
    metric: str

    def score(self, prediction: np.ndarray) -> float:
        """The task metric of ``prediction`` against ``y`` (class scores (N, C) are reduced with argmax)."""
        prediction = np.asarray(prediction)
        if self.metric == "accuracy":
            labels = prediction.argmax(axis=-1) if prediction.ndim == 2 else prediction
            check_same_shape(labels, "prediction", self.y, "y, or (N, C) class scores")
            return float(np.mean(labels == self.y))
        check_same_shape(prediction, "prediction", self.y, "y")
        return float(np.mean((prediction - self.y) ** 2))

    @property
    def baseline_score(self) -> float:
        """The task metric of the trivial baseline."""
        return self.score(self.baseline)


def next_step_task(signals: Signals) -> MappingTask:
    """Sequence-to-sequence: at every step, the clean value one step ahead; baseline: persistence.

    Input (N, T-1, 1) observations ``x(1..T-1)``; target (N, T-1, 1) clean values ``s(2..T)``.
    """
    x = signals.x[:, :-1]
    return MappingTask(
        kind="seq2seq",
        question="at every step, what is the clean signal one step ahead?",
        x=x,
        y=signals.clean[:, 1:],
        baseline=x.copy(),
        baseline_name="persistence (predict the current observation)",
        metric="mse",
    )


def frequency_task(signals: Signals) -> MappingTask:
    """Sequence-to-vector: which note (0 slow, 1 medium, 2 fast); baseline: the most frequent class.

    Input (N, T, 1); target (N,) integer labels.
    """
    y = signals.frequency_class
    majority = int(np.bincount(y, minlength=len(FREQUENCIES)).argmax())
    return MappingTask(
        kind="seq2vec",
        question="is the whole sequence slow, medium or fast?",
        x=signals.x,
        y=y,
        baseline=np.full_like(y, majority),
        baseline_name="always the most frequent class",
        metric="accuracy",
    )


def generation_task(signals: Signals) -> MappingTask:
    """Vector-to-sequence: draw the clean signal from its parameters; baseline: the average signal.

    Input (N, 4) parameter vectors (see :attr:`Signals.params`); target (N, T, 1) clean signals.
    """
    y = signals.clean
    return MappingTask(
        kind="vec2seq",
        question="given amplitude, frequency and phase, what does the signal look like?",
        x=signals.params.astype(np.float32),
        y=y,
        baseline=np.broadcast_to(y.mean(axis=0, keepdims=True), y.shape).copy(),
        baseline_name="the average signal of the set",
        metric="mse",
    )


def continuation_task(signals: Signals, horizon: int) -> MappingTask:
    """Encoder-decoder: read the first T-K observations, then forecast the next K clean values.

    Input (N, T-K, 1); target (N, K, 1) with ``K = horizon``; baseline: repeat the last observed value.
    """
    steps = signals.x.shape[1]
    horizon = check_int(
        horizon,
        "horizon",
        low=1,
        high=steps - 1,
        what="number of steps",
        hint=f"fewer than T = {steps}",
    )
    x = signals.x[:, :-horizon]
    return MappingTask(
        kind="encdec",
        question=f"after reading the sequence, what are the next {horizon} clean values?",
        x=x,
        y=signals.clean[:, -horizon:],
        baseline=np.repeat(x[:, -1:], horizon, axis=1),
        baseline_name="repeat the last observed value",
        metric="mse",
    )


def make_task(
    kind: str, n: int, steps: int, *, horizon: int = 10, noise: float = 0.1, seed: int = 0
) -> MappingTask:
    """Draw signals and pose the question of one mapping (``kind`` in :data:`TASK_KINDS`).

    Args:
        kind: ``"seq2seq"``, ``"seq2vec"``, ``"vec2seq"`` or ``"encdec"``.
        n: number of sequences N.
        steps: number of time steps T drawn (the encoder-decoder reads T-K of them).
        horizon: K, the steps the encoder-decoder forecasts.
        noise: observation noise.
        seed: data seed.

    >>> task = make_task("encdec", 4, 30, horizon=5)
    >>> task.x.shape, task.y.shape, task.baseline.shape
    ((4, 25, 1), (4, 5, 1), (4, 5, 1))
    """
    check_choice(kind, "kind", TASK_KINDS)
    signals = make_signals(n, steps, noise=noise, seed=seed)
    if kind == "seq2seq":
        return next_step_task(signals)
    if kind == "seq2vec":
        return frequency_task(signals)
    if kind == "vec2seq":
        return generation_task(signals)
    return continuation_task(signals, horizon)
