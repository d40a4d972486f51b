"""The character-text pipeline: a vocabulary, ids, training windows and parallel streams, temperature
sampling, and generation that stops at an end token (notebook 03, "a creative RNN"; notebook 04's NumPy
character model uses the same vocabulary, streams and sampling). The Keras character model itself is
:func:`course_utils.models.build_char_model`.

Shapes are batch-first: token ids ``(N, T)`` ints, a character model maps them to next-character logits
``(N, T, V)`` (V = vocabulary size), and a *next-distribution function* maps a batch of contexts ``(N, T)``
to probabilities ``(N, V)`` for the character that follows each context.

Temperature rescales a distribution before sampling,

.. math::

    p_\\tau(k) = \\frac{p(k)^{1/\\tau}}{\\sum_j p(j)^{1/\\tau}}
               = \\operatorname{softmax}\\!\\left(\\frac{\\log p}{\\tau}\\right)_k,

so ``tau -> 0`` always picks the most likely character (faithful but repetitive), ``tau = 1`` samples the
model's own distribution and ``tau > 1`` flattens it (diverse but noisy).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .activations import softmax
from .validation import (
    check_array,
    check_int,
    check_labels,
    check_length,
    check_positive,
    check_positive_int,
    check_string,
)

__all__ = [
    "CharVocab",
    "Generation",
    "apply_temperature",
    "char_streams",
    "distinct_ngram_ratio",
    "generate",
    "keras_next_distribution",
    "make_char_windows",
    "sample_next",
    "unigram_cross_entropy",
    "unigram_entropy",
]

NextDistribution = Callable[
    [np.ndarray], np.ndarray
]  # contexts (N, T) ints -> probabilities (N, V)


# --- vocabulary --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CharVocab:
    """A sorted character alphabet; ``encode`` maps text to ids ``(L,)`` and ``decode`` maps ids back.

    >>> vocab = CharVocab.from_text("hello")
    >>> vocab.chars, vocab.encode("hole").tolist(), vocab.decode([3, 1])
    (('e', 'h', 'l', 'o'), [1, 3, 2, 0], 'oh')
    """

    chars: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.chars or len(set(self.chars)) != len(self.chars):
            raise ValueError(f"chars: expected distinct characters, got {self.chars!r}")
        for i, c in enumerate(self.chars):
            check_string(c, f"chars[{i}]", what="a single character", pattern=".")
        object.__setattr__(self, "_index", {c: i for i, c in enumerate(self.chars)})

    @classmethod
    def from_text(cls, text: str, *, extra: str = "") -> CharVocab:
        """The sorted set of characters in ``text`` plus ``extra`` (e.g. an end token never in the text)."""
        check_string(text, "text", what="a non-empty str")
        return cls(tuple(sorted(set(text) | set(extra))))

    @property
    def size(self) -> int:
        """V, the number of characters."""
        return len(self.chars)

    def id_of(self, char: str) -> int:
        """The id of one character."""
        index: dict[str, int] = self._index  # type: ignore[attr-defined]
        if char not in index:
            raise KeyError(f"char: {char!r} is not in the vocabulary of {self.size} characters")
        return index[char]

    def encode(self, text: str) -> np.ndarray:
        """Ids ``(L,)`` int64 of the characters of ``text``; an unknown character is a ``KeyError``."""
        index: dict[str, int] = self._index  # type: ignore[attr-defined]
        missing = sorted(set(text) - index.keys())
        if missing:
            raise KeyError(f"text: characters {missing!r} are not in the vocabulary")
        return np.fromiter((index[c] for c in text), dtype=np.int64, count=len(text))

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        """The text of ids ``(L,)``."""
        ids = check_labels(np.asarray(ids, dtype=np.int64).ravel(), "ids", self.size)
        return "".join(self.chars[i] for i in ids)


def make_char_windows(
    ids: np.ndarray, seq_len: int, *, stride: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Cut a long id sequence into training windows and their next-character targets.

    Args:
        ids: ``(L,)`` token ids.
        seq_len: T, the window length.
        stride: distance between window starts (``seq_len`` by default: windows do not overlap).

    Returns:
        ``x`` ``(N, T)`` and ``y`` ``(N, T)`` with ``y[n, t] = x[n, t + 1]`` inside the text.

    >>> x, y = make_char_windows(np.arange(7), 3)
    >>> x.tolist(), y.tolist()
    ([[0, 1, 2], [3, 4, 5]], [[1, 2, 3], [4, 5, 6]])
    """
    ids = np.asarray(ids)
    check_array(ids, "ids", "L")
    check_labels(ids, "ids", None)
    seq_len = check_positive_int(seq_len, "seq_len")
    stride = seq_len if stride is None else check_positive_int(stride, "stride")
    check_length(ids, "ids", low=seq_len + 1, what="ids", hint="seq_len + 1")
    starts = np.arange(0, ids.size - seq_len, stride)
    offsets = np.arange(seq_len)
    x = ids[starts[:, None] + offsets]  # (N, T)
    y = ids[starts[:, None] + offsets + 1]  # (N, T)
    return x, y


def char_streams(text: str, n_streams: int) -> tuple[np.ndarray, np.ndarray, CharVocab]:
    """Cut a text into ``n_streams`` parallel character streams for a stateful character model.

    The text is encoded with its sorted alphabet (a :class:`CharVocab` of V characters) and split into
    ``N`` contiguous, equal parts (the tail that does not divide evenly is dropped); row ``n`` is part ``n``.
    Inputs are every character but the last of a row, targets the next character. Train with integer
    inputs and ``chunk=L`` (:func:`course_utils.training.train` one-hot encodes each chunk): update ``i``
    reads characters ``[iL, (i+1)L)`` of every row, so one update processes ``N * L`` characters.
    (:func:`make_char_windows` cuts independent windows instead, for a stateless model.)

    Returns:
        ``(x, y, vocab)``: ids ``x (N, L)`` and targets ``y (N, L)`` (int64), ``L = len(text) // N - 1``,
        and the :class:`CharVocab`.

    >>> x, y, vocab = char_streams("abcabcabcab", 2)
    >>> vocab.chars, x.tolist(), y.tolist()
    (('a', 'b', 'c'), [[0, 1, 2, 0], [2, 0, 1, 2]], [[1, 2, 0, 1], [0, 1, 2, 0]])
    """
    check_string(text, "text", what="a str", pattern=".*")
    n_streams = check_positive_int(n_streams, "n_streams")
    check_length(
        text,
        "text",
        low=2 * n_streams,
        what="characters",
        hint=f"2 per stream, n_streams={n_streams}",
    )
    per_stream = len(text) // n_streams
    vocab = CharVocab.from_text(text)
    ids = vocab.encode(text[: per_stream * n_streams])
    rows = ids.reshape(n_streams, per_stream)  # (N, L + 1)
    return rows[:, :-1].copy(), rows[:, 1:].copy(), vocab


# --- temperature and sampling ------------------------------------------------------------------------


def apply_temperature(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Rescale distributions ``(..., V)`` by ``temperature``: ``softmax(log(p) / temperature)``.

    >>> apply_temperature(np.array([0.2, 0.8]), 1.0).round(3).tolist()
    [0.2, 0.8]
    >>> apply_temperature(np.array([0.2, 0.8]), 0.5).round(3).tolist()  # sharper: 0.04 : 0.64
    [0.059, 0.941]
    """
    if isinstance(temperature, bool) or not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"temperature: expected a positive number, got {temperature!r}")
    probs = check_array(probs, "probs", None, dtype=np.float64, low=0)
    check_length(probs, "probs", what="probability", hint="the vocabulary on the last axis")
    with np.errstate(divide="ignore"):
        logits = np.log(probs) / temperature
    return softmax(logits)


def sample_next(
    probs: np.ndarray, temperature: float = 1.0, *, rng: np.random.Generator
) -> np.ndarray:
    """Sample one id per row from distributions ``(N, V)`` after temperature; returns ``(N,)`` int64."""
    scaled = apply_temperature(check_array(probs, "probs", "N,V"), temperature)
    cumulative = np.cumsum(scaled, axis=1)
    draws = rng.random((scaled.shape[0], 1)) * cumulative[:, -1:]
    return np.minimum((cumulative <= draws).sum(axis=1), scaled.shape[1] - 1).astype(np.int64)


@dataclass(frozen=True)
class Generation:
    """The result of :func:`generate` for one prompt: new ids (without the end token) and why it stopped."""

    ids: np.ndarray  # (L,) generated ids, L <= max_len
    stopped_at_end: bool  # True when the end token was produced, False when max_len was reached


def generate(
    next_distribution: NextDistribution,
    prompts: np.ndarray,
    *,
    max_len: int,
    temperature: float = 1.0,
    end_id: int | None = None,
    context: int | None = None,
    seed: int = 0,
) -> list[Generation]:
    """Generate a continuation of every prompt, one id at a time, until ``end_id`` or ``max_len``.

    Each step calls ``next_distribution`` on the current contexts ``(N, T)`` (the last ``context`` ids, or
    everything so far), samples one id per row with :func:`sample_next`, and appends it. A row that
    produces ``end_id`` stops there (the end token is not part of its ``ids``), so the outputs have
    different lengths: the variable-length outputs of the lecture.

    Args:
        next_distribution: contexts ``(N, T)`` -> next-id probabilities ``(N, V)``.
        prompts: ``(N, T0)`` ids to start from.
        max_len: the most ids to generate per prompt.
        temperature: sampling temperature (see :func:`apply_temperature`).
        end_id: the end-of-sequence id, or None to always generate ``max_len`` ids.
        context: how many of the latest ids the model sees each step (None: all of them).
        seed: seeds the sampling.

    Returns:
        One :class:`Generation` per prompt.
    """
    prompts = np.asarray(prompts)
    check_array(prompts, "prompts", "N,T0")
    check_labels(prompts, "prompts", None)
    check_int(prompts.shape[1], "prompts", low=1, what="prompt length T0")
    max_len = check_positive_int(max_len, "max_len")
    if context is not None:
        context = check_positive_int(context, "context")
    rng = np.random.default_rng(seed)
    n = prompts.shape[0]
    sequence = prompts.astype(np.int64)
    done = np.zeros(n, dtype=bool)
    lengths = np.full(n, max_len)
    for step in range(max_len):
        window = sequence if context is None else sequence[:, -context:]
        probs = check_array(
            next_distribution(window), "next_distribution", "N,V", {"N": n}, hint="probabilities"
        )
        ids = sample_next(probs, temperature, rng=rng)
        if end_id is not None:
            ended = (ids == end_id) & ~done
            lengths[ended] = step
            done |= ended
        sequence = np.concatenate([sequence, ids[:, None]], axis=1)
        if done.all():
            break
    new = sequence[:, prompts.shape[1] :]
    return [Generation(ids=new[i, : lengths[i]], stopped_at_end=bool(done[i])) for i in range(n)]


# --- Keras character models --------------------------------------------------------------------------


def keras_next_distribution(model: Any) -> NextDistribution:
    """Wrap a character model (ids ``(N, T)`` -> logits ``(N, T, V)``) as contexts -> probabilities ``(N, V)``.

    Generation calls it once per character, so it uses the model's compiled predict function
    (``predict_on_batch``, traced once) rather than an eager call, which is some 30 times slower.
    """

    def next_distribution(window: np.ndarray) -> np.ndarray:
        logits = np.asarray(model.predict_on_batch(window.astype(np.int32)))[:, -1, :]
        return softmax(logits.astype(np.float64))

    return next_distribution


# --- measuring text ----------------------------------------------------------------------------------


def unigram_entropy(ids: np.ndarray, vocab_size: int) -> float:
    """Entropy in nats of the character frequencies: the loss of a model that ignores all context.

    >>> round(unigram_entropy(np.array([0, 1, 0, 1]), 2), 4)  # two equally likely characters: log 2
    0.6931
    """
    ids = np.asarray(ids).ravel()
    vocab_size = check_positive_int(vocab_size, "vocab_size")
    check_length(ids, "ids", what="id")
    counts = np.bincount(ids, minlength=vocab_size).astype(np.float64)
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def unigram_cross_entropy(
    train_ids: np.ndarray, test_ids: np.ndarray, vocab_size: int, *, smoothing: float = 1.0
) -> float:
    """Held-out loss in nats per character of the unigram model fit on ``train_ids``.

    The unigram model ignores all context: ``q(k) = (count_train(k) + smoothing) / (L_train + V smoothing)``
    (add-``smoothing`` so a character never seen in training still gets some probability). Its loss on the
    held-out ids is ``-mean log q(test_ids)``: the number a character model must beat on the same held-out
    text to show that it learned something from context.

    Args:
        train_ids: ``(L_train,)`` ids the frequencies are counted on.
        test_ids: ``(L_test,)`` held-out ids the loss is measured on.
        vocab_size: V; every id must lie in ``[0, V)``.
        smoothing: pseudo-count added to every character (> 0).

    >>> round(unigram_cross_entropy(np.array([0, 1]), np.array([0, 0]), 2), 4)  # q(0) = 1/2: log 2
    0.6931
    >>> round(unigram_cross_entropy(np.array([0, 0]), np.array([1]), 2), 4)  # q(1) = 1/4: log 4
    1.3863
    """
    vocab_size = check_positive_int(vocab_size, "vocab_size")
    check_positive(smoothing, "smoothing")
    arrays = []
    for name, ids in (("train_ids", train_ids), ("test_ids", test_ids)):
        ids = check_labels(ids, name, vocab_size, "L")
        arrays.append(check_length(ids, name, what="id"))
    counts = np.bincount(arrays[0], minlength=vocab_size).astype(np.float64) + smoothing
    log_q = np.log(counts / counts.sum())
    return float(-log_q[arrays[1]].mean())


def distinct_ngram_ratio(text: str, n: int = 3) -> float:
    """Distinct n-grams divided by all n-grams of ``text``: near 1 for varied text, small for loops.

    >>> distinct_ngram_ratio("abababab", 2), distinct_ngram_ratio("abcdefgh", 2)
    (0.2857142857142857, 1.0)
    """
    n = check_positive_int(n, "n")
    check_length(text, "text", low=n, what="characters", hint="n")
    grams = [text[i : i + n] for i in range(len(text) - n + 1)]
    return len(set(grams)) / len(grams)
