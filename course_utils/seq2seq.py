"""Sequence to sequence with a decoder that reads its own previous output (notebook 08).

Notebook 02's encoder-decoder feeds the decoder the encoder's final state at every step. Here the decoder's
input at step t is the previous output token instead, the way a translator writes one word after another:

    encoder:  h(s) = GRU(x(s), h(s-1)),   s = 1..L;   the decoder starts from h(0)_dec = h(L)
    decoder:  g(t) = GRU(y(t-1), g(t-1)),  P(y(t) | y(<t), x) = softmax(g(t) W_o + b_o),   y(0) = START

*Teacher forcing*: in training, ``y(t-1)`` is the true previous token, so all L steps are trained in one
pass (:func:`course_utils.models.feedback_model` ``.train``). At inference there is no true output: the
decoder is fed its own choice, one step at a time, through a ``step`` function ``(prev_tokens (B,),
state (B, H)) -> (probs (B, V), state (B, H))``:

* :func:`greedy_decode` takes the most likely token at every step;
* :func:`beam_search` keeps the ``width`` most likely prefixes (by summed log-probability) and extends each.

Any callable with that signature works as ``step``: :func:`keras_step` wraps the trained Keras decoder, and
:func:`bigram_step` turns a hand-made table ``P(y(t) | y(t-1))`` into one, small enough to follow greedy and
beam search by hand (notebook 08 and the tests use one where they disagree). The Keras model is built by
:func:`course_utils.models.feedback_model`; this module does not import Keras, so importing it stays light.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .data.tokens import START, VOCAB
from .validation import check_array, check_distribution, check_positive_int

if TYPE_CHECKING:  # pragma: no cover
    from .models import FeedbackSeq2Seq

__all__ = [
    "Step",
    "beam_search",
    "bigram_step",
    "exact_match",
    "greedy_decode",
    "keras_step",
]

#: ``step(prev_tokens (B,), state (B, H)) -> (probs (B, V), new_state (B, H))``
Step = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def keras_step(model: FeedbackSeq2Seq, vocab: int = VOCAB) -> Step:
    """The trained one-step decoder as a ``step`` function on token ids (see the module docstring)."""
    vocab = check_positive_int(vocab, "vocab")

    def step(prev_tokens: np.ndarray, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        token = np.eye(vocab, dtype=np.float32)[np.asarray(prev_tokens)][:, None]  # (B, 1, V)
        probs, new_state = model.decoder(
            [token, np.asarray(state, dtype=np.float32)], training=False
        )
        return np.asarray(probs), np.asarray(new_state)

    return step


def bigram_step(table: np.ndarray) -> Step:
    """A hand-made decoder: ``P(y(t) | y(t-1)) = table[y(t-1)]``; the state passes through unchanged.

    Args:
        table: (V, V) probabilities, each row summing to 1: row ``i`` is the next-token distribution after ``i``.

    >>> step = bigram_step(np.array([[0.1, 0.9], [0.5, 0.5]]))
    >>> step(np.array([0, 1]), np.zeros((2, 1)))[0].tolist()
    [[0.1, 0.9], [0.5, 0.5]]
    """
    table = check_distribution(table, "table", "V,V").astype(np.float64)

    def step(prev_tokens: np.ndarray, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return table[np.asarray(prev_tokens)], state

    return step


def _check_decode(state: np.ndarray, length: int) -> tuple[np.ndarray, int]:
    return check_array(state, "state", "N,H"), check_positive_int(length, "length")


def greedy_decode(step: Step, state: np.ndarray, length: int, start: int = START) -> np.ndarray:
    """Feed the decoder its own most likely token, ``length`` times; return the tokens, int64 (N, K).

    Args:
        step: ``(prev_tokens (N,), state (N, H)) -> (probs (N, V), state (N, H))``.
        state: the decoder's initial state (the encoder's final state), (N, H).
        length: K, the number of tokens to write.
        start: the token fed at the first step.
    """
    state, length = _check_decode(state, length)
    token = np.full(state.shape[0], start)  # (N,): y(0) = START
    out = []
    for _ in range(length):
        probs, state = step(token, state)  # (N, V), (N, H)
        token = probs.argmax(axis=-1)  # (N,): the decoder's own choice is its next input
        out.append(token)
    return np.stack(out, axis=1).astype(np.int64)


def beam_search(
    step: Step, state: np.ndarray, length: int, width: int = 3, start: int = START
) -> tuple[np.ndarray, np.ndarray]:
    """Keep the ``width`` most likely prefixes at every step; return the best sequence and its log-probability.

    At each step every kept prefix is extended by every token, scored by its summed log-probability
    ``log P(y(1..t) | x)``, and the ``width`` best extensions survive. ``width = 1`` is greedy decoding.

    Args:
        step, state, length, start: as in :func:`greedy_decode`.
        width: K_beam, the number of prefixes kept.

    Returns:
        tokens int64 (N, K) and their log-probabilities (N,).
    """
    state, length = _check_decode(state, length)
    width = check_positive_int(width, "width")
    n = state.shape[0]
    rows = np.arange(n)[:, None]  # (N, 1): to pick along the beam axis
    prefixes = np.zeros((n, 1, 0), dtype=np.int64)  # (N, B, t): the kept prefixes, B = 1 at first
    scores = np.zeros((n, 1))  # (N, B): their log-probabilities
    states = state[:, None]  # (N, B, H)
    last = np.full((n, 1), start)  # (N, B): the last token of each prefix
    for _ in range(length):
        beams = scores.shape[1]
        probs, new_states = step(
            last.reshape(-1), states.reshape(n * beams, -1)
        )  # (N*B, V), (N*B, H)
        vocab = probs.shape[-1]
        logp = np.log(np.maximum(probs.reshape(n, beams, vocab), 1e-30))  # (N, B, V)
        candidates = (scores[:, :, None] + logp).reshape(
            n, beams * vocab
        )  # every one-token extension
        best = np.argsort(-candidates, axis=1, kind="stable")[
            :, :width
        ]  # (N, B'): the `width` best
        beam, token = np.divmod(best, vocab)  # which prefix it extends, and by which token
        scores = np.take_along_axis(candidates, best, axis=1)
        prefixes = np.concatenate([prefixes[rows, beam], token[:, :, None]], axis=2)
        states = new_states.reshape(n, beams, -1)[rows, beam]
        last = token
    return prefixes[:, 0].astype(np.int64), scores[:, 0]


def exact_match(predicted: np.ndarray, target: np.ndarray) -> float:
    """The share of sequences whose every token is right: ``mean_n [predicted[n] == target[n] at all t]``."""
    sizes: dict[str, int] = {}
    target = check_array(target, "target", "N,K", sizes)
    predicted = check_array(predicted, "predicted", "N,K", sizes)
    return float(np.mean((predicted == target).all(axis=1)))
