"""Tests for course_utils.textgen: vocabulary, windows, temperature, sampling, generation with an end token."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import models, textgen
from course_utils.textgen import (
    CharVocab,
    apply_temperature,
    distinct_ngram_ratio,
    generate,
    make_char_windows,
    sample_next,
    unigram_cross_entropy,
    unigram_entropy,
)


def test_vocab_round_trip_and_sorted_alphabet():
    vocab = CharVocab.from_text("print('hi')\n", extra="\x03")
    assert list(vocab.chars) == sorted(vocab.chars)
    assert vocab.size == len(set("print('hi')\n\x03"))
    ids = vocab.encode("hi\n")
    assert ids.dtype == np.int64 and ids.shape == (3,)
    assert vocab.decode(ids) == "hi\n"
    assert vocab.id_of("\x03") == 0  # the smallest code point sorts first


def test_vocab_errors():
    vocab = CharVocab.from_text("abc")
    with pytest.raises(KeyError, match=r"text: characters \['z'\] are not in the vocabulary"):
        vocab.encode("az")
    with pytest.raises(KeyError, match=r"char: 'q' is not in the vocabulary of 3 characters"):
        vocab.id_of("q")
    with pytest.raises(
        ValueError, match=r"ids: expected integer labels in 0\.\.2, got values in 0\.\.3"
    ):
        vocab.decode([0, 3])
    with pytest.raises(ValueError, match="chars: expected distinct characters"):
        CharVocab(("a", "a"))
    with pytest.raises(ValueError, match="text: expected a non-empty str"):
        CharVocab.from_text("")


def test_char_windows_targets_are_shifted_inputs():
    ids = np.arange(20)
    x, y = make_char_windows(ids, 4, stride=3)
    assert x.shape == y.shape == (6, 4)
    np.testing.assert_array_equal(y, x + 1)
    np.testing.assert_array_equal(x[:, 0], [0, 3, 6, 9, 12, 15])
    with pytest.raises(ValueError, match=r"ids: expected at least 21 ids \(seq_len \+ 1\), got 20"):
        make_char_windows(ids, 20)
    with pytest.raises(ValueError, match=r"ids: expected a 1-D array of shape \(L,\)"):
        make_char_windows(np.zeros((2, 5)), 2)


def test_temperature_identity_sharpen_flatten():
    p = np.array([0.1, 0.2, 0.7])
    np.testing.assert_allclose(apply_temperature(p, 1.0), p)
    sharp, flat = apply_temperature(p, 0.5), apply_temperature(p, 2.0)
    np.testing.assert_allclose(sharp, p**2 / np.sum(p**2))
    np.testing.assert_allclose(flat, np.sqrt(p) / np.sum(np.sqrt(p)))
    assert sharp[2] > p[2] > flat[2]
    assert np.argmax(apply_temperature(p, 1e-3)) == 2 and apply_temperature(p, 1e-3)[2] > 0.999
    np.testing.assert_allclose(apply_temperature(np.stack([p, p[::-1]]), 0.5)[1], sharp[::-1])
    # zero probabilities stay zero at every temperature
    assert apply_temperature(np.array([0.0, 1.0]), 3.0)[0] == 0.0


@pytest.mark.parametrize("tau", [0.0, -1.0, float("nan"), True])
def test_temperature_must_be_positive(tau):
    with pytest.raises(ValueError, match="temperature: expected a positive number"):
        apply_temperature(np.array([0.5, 0.5]), tau)


def test_sampling_follows_the_scaled_distribution():
    p = np.tile([0.1, 0.3, 0.6], (20000, 1))
    rng = np.random.default_rng(0)
    draws = sample_next(p, 1.0, rng=rng)
    freq = np.bincount(draws, minlength=3) / len(draws)
    np.testing.assert_allclose(freq, [0.1, 0.3, 0.6], atol=0.015)
    cold = np.bincount(sample_next(p, 0.3, rng=rng), minlength=3) / len(draws)
    np.testing.assert_allclose(cold, apply_temperature(p[0], 0.3), atol=0.015)


def counting(vocab_size: int, end_after: int | None = None):
    """A deterministic next-distribution: next id = last id + 1; the end id after `end_after` steps."""

    def next_distribution(ctx):
        probs = np.zeros((ctx.shape[0], vocab_size))
        probs[np.arange(ctx.shape[0]), (ctx[:, -1] + 1) % vocab_size] = 1.0
        return probs

    return next_distribution


def test_generate_without_end_token_runs_max_len():
    out = generate(counting(10), np.array([[0], [5]]), max_len=4, temperature=0.7)
    assert [r.ids.tolist() for r in out] == [[1, 2, 3, 4], [6, 7, 8, 9]]
    assert not any(r.stopped_at_end for r in out)


def test_generate_stops_each_row_at_the_end_token():
    out = generate(counting(10), np.array([[0], [5], [8]]), max_len=8, end_id=9)
    assert [r.ids.tolist() for r in out] == [[1, 2, 3, 4, 5, 6, 7, 8], [6, 7, 8], []]
    assert [r.stopped_at_end for r in out] == [False, True, True]


def test_generate_passes_only_the_last_context_ids():
    seen = []

    def spy(ctx):
        seen.append(ctx.shape)
        return counting(10)(ctx)

    generate(spy, np.array([[0, 1, 2, 3]]), max_len=3, context=2)
    assert seen == [(1, 2)] * 3
    seen.clear()
    generate(spy, np.array([[0, 1]]), max_len=3)
    assert seen == [(1, 2), (1, 3), (1, 4)]


def test_generate_is_seeded_and_checks_arguments():
    uniform = lambda ctx: np.full((ctx.shape[0], 5), 0.2)  # noqa: E731
    a = generate(uniform, np.zeros((2, 1), dtype=int), max_len=30, seed=4)
    b = generate(uniform, np.zeros((2, 1), dtype=int), max_len=30, seed=4)
    c = generate(uniform, np.zeros((2, 1), dtype=int), max_len=30, seed=5)
    assert all(np.array_equal(x.ids, y.ids) for x, y in zip(a, b))
    assert not all(np.array_equal(x.ids, y.ids) for x, y in zip(a, c))
    with pytest.raises(ValueError, match=r"prompts: expected a 2-D array of shape \(N, T0\)"):
        generate(uniform, np.zeros(3, dtype=int), max_len=2)
    with pytest.raises(ValueError, match=r"max_len: expected a positive integer, got 0"):
        generate(uniform, np.zeros((1, 1), dtype=int), max_len=0)
    with pytest.raises(
        ValueError, match=r"next_distribution: expected a 2-D array of shape \(2, V\)"
    ):
        generate(lambda ctx: np.ones(5) / 5, np.zeros((2, 1), dtype=int), max_len=2)


def test_entropy_and_diversity_measures():
    assert unigram_entropy(np.array([3, 3, 3]), 5) == 0.0
    assert unigram_entropy(np.arange(4), 4) == pytest.approx(np.log(4))
    assert distinct_ngram_ratio("aaaaaaaa", 3) == pytest.approx(1 / 6)
    assert distinct_ngram_ratio("abcdefg", 3) == 1.0
    with pytest.raises(ValueError, match=r"text: expected at least 4 characters \(n\), got 2"):
        distinct_ngram_ratio("ab", 4)


def test_unigram_cross_entropy_counts_train_and_scores_held_out():
    train, test = np.array([0, 0, 0, 1]), np.array([0, 1])
    # add-one: q = (4/7, 2/7, 1/7) over V = 3
    expected = -(np.log(4 / 7) + np.log(2 / 7)) / 2
    assert unigram_cross_entropy(train, test, 3) == pytest.approx(expected)
    # scored on its own training text with tiny smoothing it is the unigram entropy
    assert unigram_cross_entropy(train, train, 2, smoothing=1e-9) == pytest.approx(
        unigram_entropy(train, 2)
    )
    # a character never seen in training still gets a finite loss
    assert np.isfinite(unigram_cross_entropy(np.array([0]), np.array([2]), 3))


def test_unigram_cross_entropy_errors_name_the_argument():
    with pytest.raises(
        ValueError, match=r"test_ids: expected integer labels in 0\.\.2, got values in 0\.\.3"
    ):
        unigram_cross_entropy(np.array([0]), np.array([0, 3]), 3)
    with pytest.raises(ValueError, match=r"train_ids: expected at least one id, got none"):
        unigram_cross_entropy(np.array([], dtype=int), np.array([0]), 3)
    with pytest.raises(ValueError, match=r"smoothing: expected a finite number > 0, got 0"):
        unigram_cross_entropy(np.array([0]), np.array([0]), 3, smoothing=0)


def test_char_model_learns_a_repeating_text():
    text = "abcabdabcabd" * 40
    vocab = CharVocab.from_text(text)
    ids = vocab.encode(text)
    x, y = make_char_windows(ids, 12, stride=4)
    model = models.build_char_model(vocab.size, units=16, embed_dim=4, seed=0, learning_rate=1e-2)
    assert tuple(model(x[:2]).shape) == (2, 12, vocab.size)
    history = model.fit(x, y, epochs=6, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * unigram_entropy(ids, vocab.size)
    next_char = textgen.keras_next_distribution(model)
    probs = next_char(vocab.encode("abcab")[None])
    assert probs.shape == (1, vocab.size) and probs.sum() == pytest.approx(1.0)
    assert vocab.chars[int(np.argmax(probs))] in "cd"
