"""Tests for course_utils.seq2seq: the previous-output decoder, greedy decoding and beam search."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from course_utils import models, seq2seq
from course_utils.data import tokens

A, B, C, S = 0, 1, 2, 3
# Greedy takes A (0.6) and ends at 0.6 * 0.34 = 0.204; the sequence B, C has 0.4 * 0.9 = 0.36.
TABLE = np.array(
    [
        [0.34, 0.33, 0.33, 0.0],
        [0.05, 0.05, 0.90, 0.0],
        [0.34, 0.33, 0.33, 0.0],
        [0.60, 0.40, 0.00, 0.0],
    ]
)


def _best_by_enumeration(table, length, start):
    best, best_p = None, -1.0
    for seq in itertools.product(range(table.shape[0]), repeat=length):
        p, prev = 1.0, start
        for tok in seq:
            p *= table[prev, tok]
            prev = tok
        if p > best_p:
            best, best_p = seq, p
    return list(best), best_p


def test_greedy_and_beam_differ_on_the_hand_made_decoder():
    step = seq2seq.bigram_step(TABLE)
    state = np.zeros((1, 1))
    assert seq2seq.greedy_decode(step, state, 2, start=S).tolist() == [[A, A]]
    tokens_, logp = seq2seq.beam_search(step, state, 2, width=2, start=S)
    assert tokens_.tolist() == [[B, C]]
    assert np.exp(logp[0]) == pytest.approx(0.36)


def test_beam_of_width_one_is_greedy_and_a_wide_beam_finds_the_best_sequence():
    rng = np.random.default_rng(0)
    table = rng.dirichlet(np.ones(4) * 0.5, size=4)  # (V, V), rows sum to 1
    step = seq2seq.bigram_step(table)
    state = np.zeros((1, 1))
    greedy = seq2seq.greedy_decode(step, state, 4, start=3)
    assert seq2seq.beam_search(step, state, 4, width=1, start=3)[0].tolist() == greedy.tolist()
    best, best_p = _best_by_enumeration(table, 4, start=3)
    found, logp = seq2seq.beam_search(step, state, 4, width=4**4, start=3)
    assert found[0].tolist() == best and np.exp(logp[0]) == pytest.approx(best_p)


def test_beam_search_decodes_each_row_of_a_batch_on_its_own():
    step = seq2seq.bigram_step(TABLE)
    starts = np.zeros((3, 1))
    tokens_, _ = seq2seq.beam_search(step, starts, 2, width=2, start=S)
    assert tokens_.tolist() == [[B, C]] * 3


def test_feedback_model_step_decoder_equals_the_teacher_forced_model():
    pytest.importorskip("keras")
    model = models.feedback_model(tokens.VOCAB, 8)
    pairs = tokens.reverse_digits(3, 5, seed=0)
    x = tokens.one_hot(pairs.source)
    probs = np.asarray(model.train([x, tokens.one_hot(pairs.decoder_input)]))
    assert probs.shape == (3, 5, tokens.VOCAB)
    step = seq2seq.keras_step(model)
    state = np.asarray(model.encoder(x))
    for t in range(5):
        p, state = step(pairs.decoder_input[:, t], state)
        np.testing.assert_allclose(p, probs[:, t], atol=1e-5)
    assert seq2seq.greedy_decode(step, np.asarray(model.encoder(x)), 5).shape == (3, 5)


def test_exact_match_counts_whole_sequences():
    target = np.array([[1, 2], [3, 4]])
    assert seq2seq.exact_match(np.array([[1, 2], [3, 5]]), target) == 0.5
    with pytest.raises(
        ValueError,
        match=r"predicted: expected a 2-D array of shape \(2, 2\) = \(N, K\), got a 1-D array",
    ):
        seq2seq.exact_match(np.array([1, 2]), target)


def test_errors_name_the_argument():
    step = seq2seq.bigram_step(TABLE)
    with pytest.raises(
        ValueError,
        match=r"state: expected a 2-D array of shape \(N, H\), got a 1-D array of shape \(3,\)",
    ):
        seq2seq.greedy_decode(step, np.zeros(3), 2)
    with pytest.raises(ValueError, match="width: expected a positive integer, got 0"):
        seq2seq.beam_search(step, np.zeros((1, 1)), 2, width=0)
    with pytest.raises(ValueError, match="rows that each sum to 1"):
        seq2seq.bigram_step(np.full((2, 2), 0.7))
    with pytest.raises(ValueError, match="cell"):
        models.feedback_model(tokens.VOCAB, cell="lstm")
