"""Tests for the four mappings: their Keras recipes (course_utils.models) and course_utils.mappings."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_utils import mappings, models
from course_utils.data import signals

keras = pytest.importorskip("keras")


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_output_shapes_of_the_four_recipes():
    x = np.zeros((2, 7, 3), dtype="float32")
    assert models.seq2seq_model(None, 3, 4, outputs=2)(x).shape == (2, 7, 2)
    probs = np.asarray(models.seq2vec_model(None, 3, 4, outputs=5)(x))
    assert probs.shape == (2, 5)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-6)
    assert models.vec2seq_model(4, 9, 4)(np.zeros((2, 4), dtype="float32")).shape == (2, 9, 1)
    assert models.encoder_decoder_model(None, 3, 6, 4)(x).shape == (2, 6, 1)


def test_seq2seq_output_at_step_t_depends_only_on_steps_up_to_t():
    model = models.seq2seq_model(None, 1, 4)
    x = np.random.default_rng(0).normal(size=(1, 6, 1)).astype("float32")
    changed = x.copy()
    changed[0, 4] += 1.0
    a, b = np.asarray(model(x)), np.asarray(model(changed))
    np.testing.assert_array_equal(a[0, :4], b[0, :4])
    assert not np.allclose(a[0, 4:], b[0, 4:])


def test_encoder_state_starts_the_decoder():
    model = models.encoder_decoder_model(None, 1, 3, 4)
    decoder = model.get_layer("decoder")
    assert isinstance(decoder, keras.layers.SimpleRNN) and decoder.return_sequences
    assert model.get_layer("encoder").return_state
    x = np.random.default_rng(1).normal(size=(2, 5, 1)).astype("float32")
    changed = x.copy()
    changed[:, 0] += 2.0
    assert not np.allclose(np.asarray(model(x)), np.asarray(model(changed)))


def test_builders_validate_sizes():
    with pytest.raises(ValueError, match="units: expected a positive integer, got 0"):
        models.seq2seq_model(5, 1, units=0)
    with pytest.raises(ValueError, match="horizon: expected a positive integer, got 0"):
        models.encoder_decoder_model(5, 1, horizon=0)


@pytest.mark.parametrize("kind", signals.TASK_KINDS)
def test_plot_prediction_draws_target_baseline_and_prediction(kind):
    task = signals.make_task(kind, 6, 20, horizon=5, seed=0)
    prediction = np.eye(3)[task.y] if kind == "seq2vec" else task.y + 0.1
    ax = mappings.plot_prediction(task, prediction, index=1)
    labels = [line.get_label() for line in ax.get_lines()]
    if kind == "seq2vec":
        assert "true:" in ax.get_title() and "p = 1.00" in ax.get_title()
    else:
        assert {"target", "baseline", "prediction"} <= set(labels)
        line = next(line for line in ax.get_lines() if line.get_label() == "prediction")
        np.testing.assert_allclose(line.get_ydata(), prediction[1, :, 0])
        if kind == "encdec":
            np.testing.assert_array_equal(line.get_xdata(), np.arange(16, 21))
    assert ("input x(t)" in labels) == (kind != "vec2seq")
    assert ax.get_xlabel() and ax.get_ylabel()  # both axes say what they show


def test_plot_prediction_errors():
    task = signals.make_task("seq2seq", 4, 10)
    with pytest.raises(
        ValueError,
        match=r"prediction: expected shape \(4, 9, 1\) \(the shape of task.y\), got \(4, 9\)",
    ):
        mappings.plot_prediction(task, np.zeros((4, 9)))
    with pytest.raises(ValueError, match=r"index: expected a sequence index in 0\.\.3, got 4"):
        mappings.plot_prediction(task, task.y, index=4)


def test_encoder_decoder_with_gru_cells_and_a_softmax_readout():
    model = models.encoder_decoder_model(None, 5, 4, 6, outputs=5, cell="gru", activation="softmax")
    assert isinstance(model.get_layer("encoder"), keras.layers.GRU)
    assert isinstance(model.get_layer("decoder"), keras.layers.GRU)
    probs = np.asarray(model(np.zeros((2, 7, 5), dtype="float32")))
    assert probs.shape == (2, 4, 5)
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, atol=1e-6)
    with pytest.raises(ValueError, match="cell"):
        models.encoder_decoder_model(None, 1, 3, cell="lstm")


@pytest.mark.parametrize("kind", signals.TASK_KINDS)
def test_least_squares_baseline_shapes_and_it_beats_the_trivial_rule_where_it_should(kind):
    train = signals.make_task(kind, 300, 30, horizon=5, seed=1)
    test = signals.make_task(kind, 60, 30, horizon=5, seed=2)
    pred = mappings.least_squares_baseline(train, test, window=20)
    if kind == "seq2vec":
        assert pred.shape == (60, 3)
        # the phase is random, so no fixed weighting of the raw values tells the notes apart: near chance
        assert test.score(pred) < 0.6
    else:
        assert pred.shape == test.y.shape
        assert test.score(pred) < test.baseline_score


def test_least_squares_baseline_recovers_an_exactly_linear_rule():
    # noise-free sines obey s(t+1) = 2 cos(2 pi f) s(t) - s(t-1): for one f, the future is linear in two values
    s = signals.make_signals(40, 20, noise=0.0, seed=0)
    one_note = s.frequency_class == 0
    clean = signals.Signals(
        x=s.clean[one_note],
        clean=s.clean[one_note],
        amplitude=s.amplitude[one_note],
        frequency=s.frequency[one_note],
        frequency_class=s.frequency_class[one_note],
        phase=s.phase[one_note],
    )
    task = signals.continuation_task(clean, 3)  # every future value is linear in the last two
    pred = mappings.least_squares_baseline(task, task, window=2)
    np.testing.assert_allclose(pred, task.y, atol=1e-4)


def test_least_squares_baseline_errors():
    train = signals.make_task("encdec", 10, 12, horizon=4, seed=0)
    with pytest.raises(
        ValueError, match=r"window: expected a number of steps in 1\.\.8 \(T = 8\), got 9"
    ):
        mappings.least_squares_baseline(train, train, window=9)
    with pytest.raises(
        ValueError, match=r"test: expected kind='encdec' \(like train\), got kind='seq2seq'"
    ):
        mappings.least_squares_baseline(train, signals.make_task("seq2seq", 10, 12), window=3)
    with pytest.raises(TypeError, match="train: expected MappingTask, got ndarray"):
        mappings.least_squares_baseline(train.x, train)


@pytest.mark.parametrize("kind", signals.TASK_KINDS)
def test_plot_prediction_always_has_a_title(kind):
    # the title is the figure's text description for screen readers
    task = signals.make_task(kind, 6, 20, horizon=5, seed=0)
    prediction = np.eye(3)[task.y] if kind == "seq2vec" else task.y
    assert mappings.plot_prediction(task, prediction, index=2).get_title()
