"""Digit-string token tasks for sequence to sequence and bidirectional reading (notebook 08).

Every token is a digit ``0..9`` (ids 0..9); id :data:`START` = 10 opens the decoder's input, so a decoder
reading its previous output token sees ``V = 11`` possible ids (:data:`VOCAB`). Arrays are batch-first:
``N`` sequences of ``L`` tokens, integer ids of shape (N, L); :func:`one_hot` turns them into (N, L, V).

* :func:`reverse_digits`: read ``x(1..L)``, write it backwards, ``y(t) = x(L + 1 - t)``. The answer's first
  token is the input's *last*, so the whole input must be read before writing starts: an encoder-decoder
  task. :attr:`TokenPairs.decoder_input` is the target shifted right behind ``START``, what a decoder is
  fed under teacher forcing.
* :func:`later_match`: label every step ``t`` with 1 when its digit occurs again at a later step. The
  label depends on the *future*, so a reader that has only seen ``x(1..t)`` can at best guess it from
  ``t``: :func:`later_match_best_causal_accuracy` is that best guess's accuracy, exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..validation import check_int, check_labels, check_positive_int

__all__ = [
    "DIGITS",
    "START",
    "VOCAB",
    "LaterMatch",
    "TokenPairs",
    "later_match",
    "later_match_best_causal_accuracy",
    "one_hot",
    "reverse_digits",
    "to_text",
]

DIGITS = 10  #: token ids 0..9 are the digits
START = 10  #: the id that opens a decoder's input ("start of output")
VOCAB = 11  #: ids a decoder can read: the ten digits and START


@dataclass(frozen=True)
class TokenPairs:
    """Source and target token strings of a sequence-to-sequence task.

    Attributes:
        source: input digits, int64 (N, L).
        target: output digits, int64 (N, L).
    """

    source: np.ndarray
    target: np.ndarray

    @property
    def decoder_input(self) -> np.ndarray:
        """``START, y(1), ..., y(L-1)``, int64 (N, L): the target shifted right, fed under teacher forcing."""
        start = np.full((self.target.shape[0], 1), START, dtype=np.int64)
        return np.concatenate([start, self.target[:, :-1]], axis=1)


def reverse_digits(n: int, length: int, *, seed: int = 0) -> TokenPairs:
    """``n`` random digit strings of ``length`` digits and their reversals.

    >>> pairs = reverse_digits(2, 4, seed=1)
    >>> pairs.source.shape, bool((pairs.target == pairs.source[:, ::-1]).all()), pairs.decoder_input[:, 0].tolist()
    ((2, 4), True, [10, 10])
    """
    n = check_positive_int(n, "n")
    length = check_positive_int(length, "length")
    source = np.random.default_rng(seed).integers(0, DIGITS, size=(n, length))
    return TokenPairs(source=source.astype(np.int64), target=source[:, ::-1].astype(np.int64))


@dataclass(frozen=True)
class LaterMatch:
    """Digit strings labelled at every step by whether the step's digit occurs again later.

    Attributes:
        tokens: digits, int64 (N, T).
        labels: 1 where ``tokens[n, t]`` occurs in ``tokens[n, t+1:]``, else 0; int64 (N, T).
    """

    tokens: np.ndarray
    labels: np.ndarray


def later_match(n: int, steps: int, *, digits: int = DIGITS, seed: int = 0) -> LaterMatch:
    """``n`` strings of ``steps`` uniform random digits from ``0..digits-1``, labelled by a later match.

    >>> task = later_match(1, 6, seed=0)
    >>> task.tokens.tolist(), task.labels.tolist()
    ([[8, 6, 5, 2, 3, 0]], [[0, 0, 0, 0, 0, 0]])
    >>> later_match(1, 4, digits=2, seed=3).labels[0, -1]  # nothing comes after the last step
    np.int64(0)
    """
    n = check_positive_int(n, "n")
    steps = check_positive_int(steps, "steps")
    digits = check_int(digits, "digits", low=1, high=DIGITS)
    tokens = np.random.default_rng(seed).integers(0, digits, size=(n, steps)).astype(np.int64)
    later = (
        tokens[:, None, :] == tokens[:, :, None]
    )  # (N, T, T): [n, t, s] = token t equals token s
    later &= np.triu(np.ones((steps, steps), dtype=bool), k=1)  # keep s > t only
    return LaterMatch(tokens=tokens, labels=later.any(axis=2).astype(np.int64))


def later_match_best_causal_accuracy(steps: int, *, digits: int = DIGITS) -> float:
    """The best accuracy any reader of ``x(1..t)`` alone can reach on :func:`later_match`, on average over t.

    The later digits are independent of the earlier ones, so whatever it has read, the chance that step t's
    digit returns among the ``T - t`` later ones is ``p(t) = 1 - (1 - 1/digits)**(T - t)``: the best guess
    is right with probability ``max(p, 1 - p)``.

    >>> later_match_best_causal_accuracy(2, digits=2)  # step 1: p = 1/2; step 2: p = 0
    0.75
    """
    steps = check_positive_int(steps, "steps")
    digits = check_positive_int(digits, "digits")
    remaining = steps - np.arange(1, steps + 1)  # T - t later steps
    p = 1.0 - (1.0 - 1.0 / digits) ** remaining
    return float(np.mean(np.maximum(p, 1.0 - p)))


def one_hot(ids: np.ndarray, depth: int = VOCAB) -> np.ndarray:
    """Integer ids (N, L) as one-hot float32 vectors (N, L, depth).

    >>> one_hot(np.array([[0, 2]]), 3).tolist()
    [[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]]
    """
    depth = check_positive_int(depth, "depth")
    ids = check_labels(ids, "ids", depth)
    return np.eye(depth, dtype=np.float32)[ids]


def to_text(ids: np.ndarray) -> str:
    """One token string (L,) as text: digits as themselves, START as ``^``.

    >>> to_text(np.array([10, 3, 0, 7]))
    '^307'
    """
    return "".join("^" if int(i) == START else str(int(i)) for i in np.asarray(ids).ravel())
