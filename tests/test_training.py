"""Tests for course_utils.training: the NumPy sequence model trained with the reference BPTT."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from course_utils import curves, textgen
from course_utils import reference as ref
from course_utils import training as tr
from course_utils.data import delayed_echo
from course_utils.gradcheck import numerical_gradient, rel_error


def _model(D=3, H=5, n_out=4, seed=0):
    p = tr.init_params(D, H, n_out, seed=seed)
    rng = np.random.default_rng(seed + 1)
    p["b"] = 0.1 * rng.normal(size=H)
    p["bo"] = 0.1 * rng.normal(size=n_out)
    return p


def test_init_params_shapes_and_recurrent_scale():
    p = tr.init_params(3, 6, 2, rho=0.7, seed=0)
    assert {k: v.shape for k, v in p.items()} == {
        "Wx": (3, 6),
        "Wh": (6, 6),
        "b": (6,),
        "Wo": (6, 2),
        "bo": (2,),
    }
    np.testing.assert_allclose(p["Wh"] @ p["Wh"].T, 0.49 * np.eye(6), atol=1e-12)
    assert np.all(np.abs(p["Wx"]) <= np.sqrt(6 / 9)) and not p["b"].any()
    assert tr.init_params(3, 6, 2, seed=0, dtype=np.float32)["Wx"].dtype == np.float32


def test_forward_is_the_reference_rnn_then_a_dense_layer():
    p = _model()
    x = np.random.default_rng(2).normal(size=(2, 7, 3))
    h0 = np.random.default_rng(3).normal(size=(2, 5))
    z, cache = tr.forward(p, x, h0)
    h, _ = ref.rnn_forward(x, h0, p["Wx"], p["Wh"], p["b"])
    np.testing.assert_allclose(cache.h, h)
    np.testing.assert_allclose(z, h @ p["Wo"] + p["bo"])
    z0, _ = tr.forward(p, x)
    h_zero, _ = ref.rnn_forward(x, np.zeros((2, 5)), p["Wx"], p["Wh"], p["b"])
    np.testing.assert_allclose(z0, h_zero @ p["Wo"] + p["bo"])


CASES = [
    dict(loss="cross_entropy", mapping="seq2seq", mask=True),
    dict(loss="cross_entropy", mapping="seq2vec", mask=False),
    dict(loss="mse", mapping="seq2seq", mask=False),
    dict(loss="mse", mapping="seq2vec", mask=False),
]


def _targets(loss, mapping, N, T, n_out, rng):
    if loss == "cross_entropy":
        return rng.integers(0, n_out, size=(N, T) if mapping == "seq2seq" else (N,))
    return rng.normal(size=(N, T, n_out) if mapping == "seq2seq" else (N, n_out))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['loss']}-{c['mapping']}")
def test_bptt_gradients_pass_a_numerical_check(case):
    N, T, D, H, n_out = 3, 6, 3, 5, 4
    rng = np.random.default_rng(0)
    p = _model(D, H, n_out)
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    targets = _targets(case["loss"], case["mapping"], N, T, n_out, rng)
    mask = (rng.random((N, T)) > 0.3) if case["mask"] else None
    kw = dict(loss=case["loss"], mapping=case["mapping"], mask=mask)

    def loss_of_params():
        return np.array(tr.loss_and_grad(tr.forward(p, x, h0)[0], targets, **kw)[0])

    z, cache = tr.forward(p, x, h0)
    _, dz = tr.loss_and_grad(z, targets, **kw)
    grads, dx, dh0 = tr.backward(dz, cache)
    for name in tr.PARAM_NAMES:
        num = numerical_gradient(lambda _: loss_of_params(), p[name], np.array(1.0))
        assert rel_error(grads[name], num) < 1e-7, name
    num_x = numerical_gradient(
        lambda v: np.array(tr.loss_and_grad(tr.forward(p, v, h0)[0], targets, **kw)[0]),
        x,
        np.array(1.0),
    )
    assert rel_error(dx, num_x) < 1e-7
    num_h0 = numerical_gradient(
        lambda v: np.array(tr.loss_and_grad(tr.forward(p, x, v)[0], targets, **kw)[0]),
        h0,
        np.array(1.0),
    )
    assert rel_error(dh0, num_h0) < 1e-7


def test_seq2vec_uses_only_the_last_step():
    z = np.random.default_rng(0).normal(size=(2, 5, 3))
    L, dz = tr.loss_and_grad(z, np.array([0, 2]), mapping="seq2vec")
    assert not dz[:, :-1].any() and dz[:, -1].any()
    L_last, _ = tr.loss_and_grad(z[:, -1:], np.array([[0], [2]]))
    assert L == pytest.approx(L_last)


def test_mask_excludes_steps_from_loss_and_gradient():
    rng = np.random.default_rng(1)
    z, y = rng.normal(size=(2, 4, 3)), rng.integers(0, 3, size=(2, 4))
    mask = np.array([[False, True, True, True], [False, False, True, True]])
    L, dz = tr.loss_and_grad(z, y, mask=mask)
    assert not dz[~mask].any()
    L_changed, _ = tr.loss_and_grad(np.where(mask[..., None], z, 100.0), y, mask=mask)
    assert L == pytest.approx(L_changed)


def test_truncation_is_passed_to_the_reference_and_leaves_the_output_layer_alone():
    rng = np.random.default_rng(0)
    p = _model()
    x, y = rng.normal(size=(2, 8, 3)), rng.integers(0, 4, size=(2, 8))
    z, cache = tr.forward(p, x)
    _, dz = tr.loss_and_grad(z, y)
    full, _, _ = tr.backward(dz, cache)
    cut, _, _ = tr.backward(dz, cache, truncate=2)
    same, _, _ = tr.backward(dz, cache, truncate=8)
    dh = dz @ p["Wo"].T
    _, _, _, dWh, _ = ref.rnn_backward(dh, cache.rnn, truncate=2)
    np.testing.assert_allclose(cut["Wh"], dWh)
    np.testing.assert_allclose(cut["Wo"], full["Wo"])
    assert rel_error(cut["Wh"], full["Wh"]) > 1e-3
    for k in tr.PARAM_NAMES:
        np.testing.assert_allclose(same[k], full[k])


def test_sgd_and_adam_steps():
    p = {"w": np.array([1.0, -2.0])}
    tr.SGD(0.5).step(p, {"w": np.array([2.0, 2.0])})
    np.testing.assert_allclose(p["w"], [0.0, -3.0])
    p = {"w": np.array([1.0, -2.0])}
    adam = tr.Adam(0.1)
    # the first Adam step is lr * sign(g), whatever the gradient's scale
    adam.step(p, {"w": np.array([1e-3, -50.0])})
    np.testing.assert_allclose(p["w"], [0.9, -1.9], atol=1e-6)
    adam.step(p, {"w": np.array([1e-3, -50.0])})
    np.testing.assert_allclose(p["w"], [0.8, -1.8], atol=1e-5)


def test_clip_gradients_by_norm_and_by_value():
    g = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    by_norm = tr.clip_gradients(g, max_norm=1.0)
    np.testing.assert_allclose(by_norm["a"], [0.6, 0.0])
    np.testing.assert_allclose(by_norm["b"], [[0.8]])
    by_value = tr.clip_gradients(g, max_value=1.0)
    np.testing.assert_allclose(by_value["a"], [1.0, 0.0])
    np.testing.assert_allclose(by_value["b"], [[1.0]])
    same = tr.clip_gradients(g)
    np.testing.assert_allclose(same["b"], g["b"])


def test_training_learns_a_short_echo():
    task = delayed_echo(32, 20, 1, n_symbols=3, seed=0)
    p = tr.init_params(3, 16, 3, seed=0)
    hist = tr.train(p, task.x, task.y, mask=task.mask, steps=150, optimizer=tr.Adam(0.02))
    assert hist.loss[-1] < 0.05 * hist.loss[0] and not hist.diverged
    z, _ = tr.forward(p, task.x)
    assert tr.accuracy(z, task.y, task.mask) > 0.99
    assert len(hist.loss) == len(hist.grad_norm) == 150


def test_minibatches_are_seeded():
    task = delayed_echo(16, 10, 1, n_symbols=3, seed=0)
    runs = []
    for seed in (0, 0, 1):
        p = tr.init_params(3, 4, 3, seed=0)
        runs.append(
            tr.train(
                p,
                task.x,
                task.y,
                mask=task.mask,
                steps=3,
                batch_size=4,
                optimizer=tr.SGD(0.1),
                seed=seed,
            ).loss
        )
    assert runs[0] == runs[1] and runs[0] != runs[2]


def test_stateful_chunks_carry_the_state_and_cut_the_gradient():
    task = delayed_echo(4, 12, 2, n_symbols=3, seed=0)
    p_auto, p_hand = tr.init_params(3, 5, 3, seed=1), tr.init_params(3, 5, 3, seed=1)
    hist = tr.train(p_auto, task.x, task.y, mask=task.mask, steps=5, chunk=4, optimizer=tr.SGD(0.3))
    opt, h, losses = tr.SGD(0.3), None, []
    for start in (0, 4, 8, 0, 4):  # three chunks, then the streams start again from a zero state
        h = None if start == 0 else h
        part = slice(start, start + 4)
        value, _, h = tr.train_step(
            p_hand, task.x[:, part], task.y[:, part], opt, h0=h, mask=task.mask[:, part]
        )
        losses.append(value)
    np.testing.assert_allclose(hist.loss, losses)
    for k in tr.PARAM_NAMES:
        np.testing.assert_allclose(p_auto[k], p_hand[k])


def test_chunks_shorter_than_the_delay_cannot_learn_the_echo():
    # every target's source lies in an earlier chunk: the recurrent weights get no useful gradient
    task = delayed_echo(32, 240, 4, n_symbols=6, seed=0)
    short, long = tr.init_params(6, 16, 6, seed=0), tr.init_params(6, 16, 6, seed=0)
    tr.train(short, task.x, task.y, mask=task.mask, steps=300, chunk=4, optimizer=tr.Adam(0.01))
    tr.train(long, task.x, task.y, mask=task.mask, steps=300, chunk=10, optimizer=tr.Adam(0.01))
    test = delayed_echo(64, 40, 4, n_symbols=6, seed=1)
    acc = {
        name: tr.accuracy(tr.forward(p, test.x)[0], test.y, test.mask)
        for name, p in (("short", short), ("long", long))
    }
    assert acc["short"] < 0.4 < 0.9 < acc["long"]


def test_divergence_is_reported_without_warnings():
    task = delayed_echo(8, 30, 1, n_symbols=3, seed=0)
    p = tr.init_params(3, 8, 3, rho=3.0, seed=0)
    y = tr.one_hot(task.y, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hist = tr.train(p, task.x, y, loss="mse", steps=200, optimizer=tr.SGD(50.0))
    assert hist.diverged and len(hist.loss) < 200
    assert all(np.all(np.isfinite(v)) for v in p.values())


def test_one_hot_and_sampling():
    np.testing.assert_array_equal(tr.one_hot(np.array([[1, 0]]), 2), [[[0, 1], [1, 0]]])
    p = tr.init_params(5, 8, 5, seed=0)
    start = np.array([[0, 1, 2], [3, 4, 0]])
    a = tr.sample(p, start, 6, seed=0)
    assert a.shape == (2, 6) and a.min() >= 0 and a.max() < 5
    np.testing.assert_array_equal(a, tr.sample(p, start, 6, seed=0))
    # a very low temperature is greedy: each sampled id is the argmax of the model fed the ids so far
    greedy = tr.sample(p, start, 4, temperature=1e-6, seed=1)
    ids = start
    for t in range(4):
        z, _ = tr.forward(p, tr.one_hot(ids, 5))
        np.testing.assert_array_equal(greedy[:, t], z[:, -1].argmax(axis=1))
        ids = np.concatenate([ids, greedy[:, t : t + 1]], axis=1)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda p: tr.forward({"Wx": p["Wx"]}, np.zeros((1, 2, 3))),
            ValueError,
            r"params: expected a 'Wh' entry, got keys \['Wx'\]",
        ),
        (
            lambda p: tr.forward(p, np.zeros((1, 2, 4))),
            ValueError,
            r"x: expected shape \(1, 2, 3\) = \(N, T, D\), got \(1, 2, 4\)",
        ),
        (
            lambda p: tr.forward(p, np.zeros((2, 2, 3)), np.zeros((2, 6))),
            ValueError,
            r"h0: expected shape \(2, 5\) = \(N, H\), got \(2, 6\)",
        ),
        (
            lambda p: tr.loss_and_grad(np.zeros((1, 2, 4)), np.array([[0, 4]])),
            ValueError,
            r"targets: expected integer labels in 0\.\.3, got values in 0\.\.4",
        ),
        (
            lambda p: tr.loss_and_grad(np.zeros((1, 2, 4)), np.zeros((1, 2))),
            TypeError,
            r"targets: expected integer labels in 0\.\.3, got dtype float64",
        ),
        (
            lambda p: tr.loss_and_grad(
                np.zeros((1, 2, 4)), np.zeros((1, 2), dtype=int), mapping="vec2seq"
            ),
            ValueError,
            r"mapping: expected one of \('seq2seq', 'seq2vec'\), got 'vec2seq'",
        ),
        (
            lambda p: tr.loss_and_grad(
                np.zeros((1, 2, 4)),
                np.zeros(1, dtype=int),
                mapping="seq2vec",
                mask=np.ones((1, 2), bool),
            ),
            ValueError,
            r"mask: expected None \(only used with mapping='seq2seq'\), got ndarray",
        ),
        (
            lambda p: tr.loss_and_grad(
                np.zeros((1, 2, 4)), np.zeros((1, 2), dtype=int), mask=np.zeros((1, 2), bool)
            ),
            ValueError,
            r"mask: expected at least one True step, got none",
        ),
        (
            lambda p: tr.train(
                p,
                np.zeros((2, 4, 3)),
                np.zeros((2, 4), dtype=int),
                steps=1,
                optimizer=tr.SGD(),
                chunk=2,
                batch_size=1,
            ),
            ValueError,
            r"batch_size: expected None \(chunk=... trains on every row\), got int 1",
        ),
        (
            lambda p: tr.sample(p, np.zeros((1, 2), dtype=int), 3, temperature=0),
            ValueError,
            r"temperature: expected a positive number, got 0",
        ),
    ],
)
def test_errors_name_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call(tr.init_params(3, 5, 4, seed=0))


def test_plot_losses_draws_one_line_per_run():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = {
        "a": tr.History(loss=[2.0, 1.0, 0.5]),
        "b": tr.History(loss=[1.0, np.inf], diverged=True),
    }
    fig, ax = plt.subplots()
    assert curves.plot_curves(runs, ax=ax) is ax
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["a", "b (diverged)"] and ax.get_yscale() == "log"
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [2.0, 1.0, 0.5])
    plt.close(fig)
    with pytest.raises(ValueError, match="histories: expected at least one History, got none"):
        curves.plot_curves({})


def test_a_character_model_trains_from_integer_ids_and_samples():
    text = "hello world, hello rnn. " * 40
    x, y, char_vocab = textgen.char_streams(text, 4)
    vocab = "".join(char_vocab.chars)
    assert x.shape == y.shape == (4, len(text) // 4 - 1) and vocab == "".join(sorted(set(text)))
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])
    V = len(vocab)
    p_ids, p_dense = tr.init_params(V, 24, V, seed=0), tr.init_params(V, 24, V, seed=0)
    hist = tr.train(p_ids, x, y, steps=60, chunk=16, optimizer=tr.Adam(0.02))
    dense = tr.train(p_dense, tr.one_hot(x, V), y, steps=60, chunk=16, optimizer=tr.Adam(0.02))
    np.testing.assert_allclose(hist.loss, dense.loss)  # ids are one-hot encoded per chunk
    assert np.mean(hist.loss[-5:]) < 0.3 * hist.loss[0]
    start = np.array([[vocab.index(c) for c in "hello wor"]])
    out = "".join(vocab[i] for i in tr.sample(p_ids, start, 3, temperature=0.05, seed=0)[0])
    assert out == "ld,"


def test_char_streams_errors():
    with pytest.raises(
        ValueError,
        match=r"text: expected at least 6 characters \(2 per stream, n_streams=3\), got 5",
    ):
        textgen.char_streams("abcde", 3)
    with pytest.raises(TypeError, match="text: expected a str, got bytes"):
        textgen.char_streams(b"abc", 1)
