"""The classic single-file NumPy character-level RNN: the peer that ``make bench`` times the course against.

This is the approach of the well-known ~100-line "minimal character-level RNN" scripts (written afresh
here): **one sequence at a time**, a Python loop over the time steps for the forward pass and another for
backpropagation through time, dense one-hot inputs, gradients clipped to [-5, 5] and Adagrad updates.
It is deliberately *not* the course's code (``course_utils.training`` batches ``N`` streams per update on
top of ``course_utils.reference``); it exists so the benchmark can measure what batching buys.

The model, for one sequence, with row vectors (the course's layouts with ``N = 1``)::

    h(t) = tanh(x(t) Wx + h(t-1) Wh + b)        x(t) (1, K) one-hot, h(t) (1, H)
    p(t) = softmax(h(t) Wo + bo)                p(t) (1, K): the next character's distribution
    L    = -sum_t log p(t)[target(t)]           summed over the T steps of the chunk

with ``Wx (K, H)``, ``Wh (H, H)``, ``b (H,)``, ``Wo (H, K)``, ``bo (K,)`` (K characters, H hidden units).

    python tools/charrnn_classic.py     # train briefly on the stdlib corpus, print loss and chars/s
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

PARAM_NAMES = ("Wx", "Wh", "b", "Wo", "bo")
CLIP = 5.0  # every gradient entry is clipped to [-CLIP, CLIP], as in the classic script


def encode(text: str) -> tuple[np.ndarray, str]:
    """Character ids ``(len(text),)`` and the alphabet (sorted distinct characters; id = position)."""
    chars = "".join(sorted(set(text)))
    lookup = {ch: i for i, ch in enumerate(chars)}
    return np.array([lookup[ch] for ch in text], dtype=np.int64), chars


def init_params(K: int, H: int, *, seed: int = 0) -> dict[str, np.ndarray]:
    """Small Gaussian weights (std 0.01) and zero biases, as the classic script starts."""
    rng = np.random.default_rng(seed)
    return {
        "Wx": rng.normal(0.0, 0.01, (K, H)),
        "Wh": rng.normal(0.0, 0.01, (H, H)),
        "b": np.zeros(H),
        "Wo": rng.normal(0.0, 0.01, (H, K)),
        "bo": np.zeros(K),
    }


def loss_and_grads(
    params: dict[str, np.ndarray], inputs: np.ndarray, targets: np.ndarray, h_prev: np.ndarray
) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """Forward and backward through one chunk of one sequence, step by step.

    Args:
        params: the dict from :func:`init_params`.
        inputs: character ids ``(T,)``; targets: the next characters' ids ``(T,)``.
        h_prev: the state entering the chunk, shape ``(1, H)``.

    Returns:
        ``(loss, grads, h_last)``: the summed cross-entropy, unclipped gradients (keys of
        :data:`PARAM_NAMES`) and the last state ``(1, H)`` (the next chunk's ``h_prev``).
    """
    Wx, Wh, b, Wo, bo = (params[k] for k in PARAM_NAMES)
    K = Wx.shape[0]
    xs, hs, ps = [], [h_prev], []
    loss = 0.0
    for i, j in zip(inputs, targets):  # forward, one step at a time
        x = np.zeros((1, K))
        x[0, i] = 1.0
        h = np.tanh(x @ Wx + hs[-1] @ Wh + b)  # (1, H)
        z = h @ Wo + bo  # (1, K)
        e = np.exp(z - z.max())
        p = e / e.sum()
        loss -= float(np.log(p[0, j]))
        xs.append(x)
        hs.append(h)
        ps.append(p)
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dh_next = np.zeros_like(h_prev)
    for t in reversed(range(len(inputs))):  # backward through time, one step at a time
        dz = ps[t].copy()
        dz[0, targets[t]] -= 1.0  # softmax + cross-entropy
        grads["Wo"] += hs[t + 1].T @ dz
        grads["bo"] += dz[0]
        da = (dz @ Wo.T + dh_next) * (1.0 - hs[t + 1] ** 2)  # through tanh
        grads["Wx"] += xs[t].T @ da
        grads["Wh"] += hs[t].T @ da
        grads["b"] += da[0]
        dh_next = da @ Wh.T
    return loss, grads, hs[-1]


@dataclass
class ClassicRun:
    """What :func:`train` did."""

    chars: int  # characters trained on (a whole number of chunks)
    # mean cross-entropy per character of each chunk (nats)
    loss_per_char: list[float] = field(default_factory=list)


def train(
    params: dict[str, np.ndarray],
    ids: np.ndarray,
    *,
    n_chars: int,
    seq_length: int = 25,
    learning_rate: float = 0.1,
) -> ClassicRun:
    """Train ``params`` in place on one stream of ids with Adagrad until ``n_chars`` characters are seen.

    The stream is walked in chunks of ``seq_length``; the state is carried from chunk to chunk and reset
    to zero when the stream is used up (and at the start).
    """
    H = params["Wh"].shape[0]
    if len(ids) < seq_length + 1:
        raise ValueError(
            f"ids: expected at least seq_length + 1 = {seq_length + 1} ids, got {len(ids)}"
        )
    memory = {k: np.zeros_like(v) for k, v in params.items()}
    run = ClassicRun(chars=0)
    h, pos = np.zeros((1, H)), 0
    while run.chars < n_chars:
        if pos + seq_length + 1 > len(ids):
            h, pos = np.zeros((1, H)), 0
        inputs, targets = ids[pos : pos + seq_length], ids[pos + 1 : pos + seq_length + 1]
        loss, grads, h = loss_and_grads(params, inputs, targets, h)
        for k in PARAM_NAMES:  # Adagrad on clipped gradients
            g = np.clip(grads[k], -CLIP, CLIP)
            memory[k] += g * g
            params[k] -= learning_rate * g / np.sqrt(memory[k] + 1e-8)
        run.loss_per_char.append(loss / seq_length)
        run.chars += seq_length
        pos += seq_length
    return run


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from course_utils.data import load_stdlib_corpus

    ids, alphabet = encode(load_stdlib_corpus(max_chars=50_000))
    weights = init_params(len(alphabet), 100)
    start = time.perf_counter()
    result = train(weights, ids, n_chars=20_000)
    seconds = time.perf_counter() - start
    print(
        f"{result.chars} chars in {seconds:.1f} s = {result.chars / seconds:,.0f} chars/s; loss per char "
        f"{np.mean(result.loss_per_char[:20]):.2f} -> {np.mean(result.loss_per_char[-20:]):.2f} nats"
    )
