"""Train a small recurrent model in NumPy with the reference BPTT (notebook 04).

The model is one recurrent layer and one output layer, in the lecture's row-batch notation::

    H(t) = tanh(X(t) Wx + H(t-1) Wh + b)        (the lecture's Y(t) = phi(X(t) Wx + Y(t-1) Wy + b))
    Z(t) = H(t) Wo + bo                         (output logits or regression outputs)

with Keras layouts (``SimpleRNN`` kernel ``Wx (D, H)``, recurrent kernel ``Wh (H, H)``, bias ``b (H,)``;
``Dense`` kernel ``Wo (H, O)``, bias ``bo (O,)``), so weights move to and from Keras unchanged. The
recurrent layer's forward and backward pass are :func:`course_utils.reference.rnn_forward` and
:func:`~course_utils.reference.rnn_backward` (with ``truncate=k`` for truncated BPTT); this module adds the
output layer, the losses, two optimisers, gradient clipping and the training loop. Everything is
batched: one step processes ``N`` sequences at once (``x (N, T, D)``, ``h0 (N, H)``).

* Losses: softmax cross-entropy (classes) or mean squared error, on every step (``"seq2seq"``, optionally
  masked) or on the last step only (``"seq2vec"``). The loss is the mean over the outputs the cost uses.
* Optimisers: :class:`SGD` and :class:`Adam`, a few lines each, updating the parameter dict in place.
* Stateful training (``chunk=L`` in :func:`train`): each row of ``x`` is one long stream cut into
  consecutive chunks of ``L`` steps; the last state of a chunk is the ``h0`` of the next, but the gradient
  stops at the chunk boundary (truncated BPTT over chunks). A character-level model is this with
  integer character ids (:func:`course_utils.textgen.char_streams` cuts a text into ``N`` parallel
  streams; :func:`train` one-hot encodes each chunk), and :func:`sample` generates text from it with the
  temperature sampling of :func:`course_utils.textgen.sample_next`::

      x, y, vocab = textgen.char_streams(text, n_streams=32)
      params = init_params(vocab.size, 100, vocab.size, seed=0)
      history = train(params, x, y, steps=1000, chunk=25, optimizer=Adam(2e-3))   # 32 * 25 chars/update
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .activations import log_softmax, softmax
from .gradflow import scaled_orthogonal
from .reference import (
    clip_by_global_norm,
    clip_by_value,
    global_norm,
    rnn_backward,
    rnn_forward,
    rnn_step_forward,
)
from .textgen import sample_next
from .validation import (
    check_array,
    check_choice,
    check_default,
    check_keys,
    check_labels,
    check_length,
    check_mask,
    check_positive_int,
)

__all__ = [
    "PARAM_NAMES",
    "SGD",
    "Adam",
    "History",
    "ModelCache",
    "accuracy",
    "backward",
    "clip_gradients",
    "forward",
    "init_params",
    "loss_and_grad",
    "one_hot",
    "sample",
    "train",
    "train_step",
]

#: The model's parameters, in the order used everywhere (recurrent layer, then output layer).
PARAM_NAMES = ("Wx", "Wh", "b", "Wo", "bo")
LOSSES = ("cross_entropy", "mse")
MAPPINGS = ("seq2seq", "seq2vec")

Params = dict[str, np.ndarray]


def _glorot_uniform(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    limit = np.sqrt(6.0 / (fan_in + fan_out))  # Keras' default kernel initialiser
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def init_params(
    D: int,
    H: int,
    n_out: int,
    *,
    rho: float = 1.0,
    seed: int | None = None,
    dtype: type = np.float64,
) -> Params:
    """Keras-style initial weights: Glorot-uniform kernels, ``rho`` times an orthogonal ``Wh``, zero biases.

    Args:
        D: input features, H: hidden units, n_out: outputs O (classes or regression targets).
        rho: spectral radius of the initial recurrent matrix (Keras' ``orthogonal`` is ``rho = 1``).
        seed: seed for the initialiser.
        dtype: float dtype of every parameter.

    Returns:
        ``{"Wx": (D, H), "Wh": (H, H), "b": (H,), "Wo": (H, O), "bo": (O,)}``.

    >>> {k: v.shape for k, v in init_params(3, 4, 2, seed=0).items()}
    {'Wx': (3, 4), 'Wh': (4, 4), 'b': (4,), 'Wo': (4, 2), 'bo': (2,)}
    """
    D, H, n_out = (check_positive_int(v, k) for v, k in ((D, "D"), (H, "H"), (n_out, "n_out")))
    rng = np.random.default_rng(seed)
    params = {
        "Wx": _glorot_uniform(rng, D, H),
        "Wh": scaled_orthogonal(H, rho, seed=int(rng.integers(2**31))),
        "b": np.zeros(H),
        "Wo": _glorot_uniform(rng, H, n_out),
        "bo": np.zeros(n_out),
    }
    return {k: v.astype(dtype) for k, v in params.items()}


def _check_params(params: Mapping[str, Any], sizes: dict[str, int]) -> Params:
    check_keys(params, "params", PARAM_NAMES)
    dims = {"Wx": "D,H", "Wh": "H,H", "b": "H", "Wo": "H,O", "bo": "O"}
    return {k: check_array(params[k], k, dims[k], sizes) for k in PARAM_NAMES}


@dataclass
class ModelCache:
    """What :func:`backward` needs from :func:`forward`."""

    rnn: Any  # the reference recurrent layer's cache
    h: np.ndarray  # (N, T, H) hidden states H(1..T)
    Wo: np.ndarray  # (H, O) output kernel


def forward(
    params: Mapping[str, np.ndarray], x: np.ndarray, h0: np.ndarray | None = None
) -> tuple[np.ndarray, ModelCache]:
    """Run the model on a batch: ``z (N, T, O) = tanh-RNN(x) Wo + bo``.

    Args:
        params: the dict from :func:`init_params`.
        x: inputs, shape ``(N, T, D)``.
        h0: initial state, shape ``(N, H)``; zeros when None.

    Returns:
        ``(z, cache)``: outputs ``z`` of shape ``(N, T, O)`` at every step and a :class:`ModelCache`.
    """
    sizes: dict[str, int] = {}
    p = _check_params(params, sizes)
    x = check_array(x, "x", "N,T,D", sizes)
    h0 = (
        np.zeros((sizes["N"], sizes["H"]), dtype=x.dtype)
        if h0 is None
        else check_array(h0, "h0", "N,H", sizes)
    )
    h, rnn_cache = rnn_forward(x, h0, p["Wx"], p["Wh"], p["b"])  # (N, T, H)
    z = h @ p["Wo"] + p["bo"]  # (N, T, O)
    return z, ModelCache(rnn=rnn_cache, h=h, Wo=p["Wo"])


def backward(
    dz: np.ndarray, cache: ModelCache, *, truncate: int | None = None
) -> tuple[Params, np.ndarray, np.ndarray]:
    """Backpropagate through time: gradients of the loss from ``dz = dL/dz``, shape ``(N, T, O)``.

    The output layer's gradients are sums over the batch *and over time* (``dWo = sum_t H(t)^T dZ(t)``);
    ``dL/dH(t) = dZ(t) Wo^T`` then enters the recurrent layer's BPTT at every step.

    Args:
        dz: upstream gradient of every output, shape ``(N, T, O)`` (zero where the loss ignores a step).
        cache: from :func:`forward`.
        truncate: stop each step's gradient after this many steps back (None: full BPTT).

    Returns:
        ``(grads, dx, dh0)``: a dict with the keys of :data:`PARAM_NAMES`, ``dx (N, T, D)``, ``dh0 (N, H)``.
    """
    h = cache.h
    N, T, H = h.shape
    dz = check_array(dz, "dz", "N,T,O", {"N": N, "T": T, "O": cache.Wo.shape[1]})
    dWo = h.reshape(N * T, H).T @ dz.reshape(N * T, -1)  # (H, O): sum over batch and time
    dbo = dz.sum(axis=(0, 1))
    dh = dz @ cache.Wo.T  # (N, T, H)
    dx, dh0, dWx, dWh, db = rnn_backward(dh, cache.rnn, truncate=truncate)
    return {"Wx": dWx, "Wh": dWh, "b": db, "Wo": dWo, "bo": dbo}, dx, dh0


def loss_and_grad(
    z: np.ndarray,
    targets: np.ndarray,
    *,
    loss: str = "cross_entropy",
    mapping: str = "seq2seq",
    mask: np.ndarray | None = None,
) -> tuple[float, np.ndarray]:
    """The loss over the outputs the cost uses, and its gradient ``dL/dz`` (zero on unused steps).

    Args:
        z: outputs, shape ``(N, T, O)``.
        targets: for ``"seq2seq"``: class labels ``(N, T)`` (cross-entropy) or values ``(N, T, O)`` (MSE);
            for ``"seq2vec"``: ``(N,)`` or ``(N, O)``, compared with the last step ``z[:, -1]`` only.
        loss: ``"cross_entropy"`` (softmax over the O outputs) or ``"mse"``.
        mapping: ``"seq2seq"`` (every step counts) or ``"seq2vec"`` (only the last step counts).
        mask: optional boolean ``(N, T)``, ``"seq2seq"`` only: steps that count.

    Returns:
        ``(L, dz)``: the mean loss over the counted outputs and ``dz`` of shape ``(N, T, O)``.

    >>> z = np.zeros((2, 3, 4)); L, dz = loss_and_grad(z, np.zeros((2, 3), dtype=int))
    >>> round(L, 4), round(float(np.log(4)), 4), dz.shape
    (1.3863, 1.3863, (2, 3, 4))
    """
    check_choice(loss, "loss", LOSSES)
    check_choice(mapping, "mapping", MAPPINGS)
    sizes: dict[str, int] = {}
    z = check_array(z, "z", "N,T,O", sizes)
    N, T, _ = z.shape
    if mapping == "seq2vec":
        check_default(mask, "mask", why="only used with mapping='seq2seq'")
        weight = np.zeros((N, T))
        weight[:, -1] = 1.0
        tdims = "N" if loss == "cross_entropy" else "N,O"
    else:
        weight = (
            np.ones((N, T)) if mask is None else check_mask(mask, "mask", sizes).astype(np.float64)
        )
        tdims = "N,T" if loss == "cross_entropy" else "N,T,O"
    check_length(np.flatnonzero(weight), "mask", what="True step")
    count = weight.sum()
    if loss == "cross_entropy":
        targets = check_labels(targets, "targets", sizes["O"], tdims, sizes)
        if mapping == "seq2vec":
            targets = np.broadcast_to(targets[:, None], (N, T))
        logp = log_softmax(z)  # (N, T, O)
        picked = np.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]  # (N, T)
        value = -(weight * picked).sum() / count
        dz = np.exp(logp)
        np.put_along_axis(
            dz, targets[..., None], np.take_along_axis(dz, targets[..., None], -1) - 1.0, -1
        )
    else:
        targets = check_array(targets, "targets", tdims, sizes)
        if mapping == "seq2vec":
            targets = np.broadcast_to(targets[:, None, :], z.shape)
        diff = z - targets  # (N, T, O)
        value = (weight * (diff**2).mean(axis=-1)).sum() / count
        dz = 2.0 * diff / z.shape[-1]
    dz = dz * (weight / count)[..., None]
    return float(value), dz


def accuracy(z: np.ndarray, targets: np.ndarray, mask: np.ndarray | None = None) -> float:
    """Fraction of counted steps where ``argmax z`` equals the label; ``z (N, T, O)``, ``targets (N, T)``.

    >>> z = np.array([[[1.0, 0.0], [0.0, 1.0]]]); accuracy(z, np.array([[0, 0]]))
    0.5
    """
    hits = np.argmax(z, axis=-1) == np.asarray(targets)
    return float(hits.mean() if mask is None else hits[np.asarray(mask)].mean())


def clip_gradients(
    grads: Mapping[str, np.ndarray],
    *,
    max_norm: float | None = None,
    max_value: float | None = None,
) -> Params:
    """Clip a gradient dict with the reference helpers: by global norm, by value, both, or neither.

    Clipping by global norm rescales all gradients together (direction kept); clipping by value clips each
    entry to ``[-max_value, max_value]`` (direction changes).
    """
    keys = list(grads)
    values = [grads[k] for k in keys]
    if max_value is not None:
        values = list(clip_by_value(values, max_value))
    if max_norm is not None:
        values, _ = clip_by_global_norm(values, max_norm)
    return dict(zip(keys, values))


class SGD:
    """Plain gradient descent: ``theta <- theta - lr * grad`` (in place)."""

    def __init__(self, lr: float = 0.1) -> None:
        self.lr = float(lr)

    def step(self, params: Params, grads: Mapping[str, np.ndarray]) -> None:
        """Update every parameter in ``params`` in place from its gradient in ``grads``."""
        for k in params:
            params[k] -= self.lr * grads[k]


class Adam:
    """Adam (Kingma & Ba, 2015): per-parameter steps from running means of the gradient and its square."""

    def __init__(
        self, lr: float = 1e-2, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ) -> None:
        self.lr, self.beta1, self.beta2, self.eps = float(lr), beta1, beta2, eps
        self.t = 0
        self.m: Params = {}
        self.v: Params = {}

    def step(self, params: Params, grads: Mapping[str, np.ndarray]) -> None:
        """One Adam update of every parameter in ``params``, in place (bias-corrected moments)."""
        self.t += 1
        for k in params:
            g = grads[k]
            self.m[k] = self.beta1 * self.m.get(k, 0.0) + (1 - self.beta1) * g
            self.v[k] = self.beta2 * self.v.get(k, 0.0) + (1 - self.beta2) * g * g
            m_hat = self.m[k] / (1 - self.beta1**self.t)
            v_hat = self.v[k] / (1 - self.beta2**self.t)
            params[k] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


@dataclass
class History:
    """What :func:`train` saw, one entry per update."""

    loss: list[float] = field(default_factory=list)  # training loss before the update
    grad_norm: list[float] = field(default_factory=list)  # global gradient norm before clipping
    # True when the loss or the gradients stopped being finite (training then stops)
    diverged: bool = False


def train_step(
    params: Params,
    x: np.ndarray,
    targets: np.ndarray,
    optimizer: SGD | Adam,
    *,
    h0: np.ndarray | None = None,
    loss: str = "cross_entropy",
    mapping: str = "seq2seq",
    mask: np.ndarray | None = None,
    truncate: int | None = None,
    max_norm: float | None = None,
    max_value: float | None = None,
) -> tuple[float, float, np.ndarray]:
    """One forward pass, BPTT, optional clipping and one optimiser update (``params`` change in place).

    Shapes as in :func:`forward` and :func:`loss_and_grad`. Returns ``(loss, grad_norm, h_last)``:
    the loss before the update, the global gradient norm before clipping and the last state ``(N, H)``
    (the ``h0`` of the next chunk in stateful training). When the outputs, the loss or the gradients are
    not finite (a diverged run) nothing is updated and the non-finite values are returned as ``inf``.
    """
    # A diverging run overflows: report it through the returned values (inf), not through warnings.
    with np.errstate(over="ignore", invalid="ignore"):
        z, cache = forward(params, x, h0)
        h_last = cache.h[:, -1]
        if not np.all(np.isfinite(z)):
            return float("inf"), float("inf"), h_last
        value, dz = loss_and_grad(z, targets, loss=loss, mapping=mapping, mask=mask)
        if not (np.isfinite(value) and np.all(np.isfinite(dz))):
            return float("inf"), float("inf"), h_last
        grads, _, _ = backward(dz, cache, truncate=truncate)
        if not all(np.all(np.isfinite(g)) for g in grads.values()):
            return value, float("inf"), h_last
        norm = global_norm(grads)
        optimizer.step(params, clip_gradients(grads, max_norm=max_norm, max_value=max_value))
    return value, norm, h_last


def train(
    params: Params,
    x: np.ndarray,
    targets: np.ndarray,
    *,
    steps: int,
    optimizer: SGD | Adam,
    batch_size: int | None = None,
    chunk: int | None = None,
    loss: str = "cross_entropy",
    mapping: str = "seq2seq",
    mask: np.ndarray | None = None,
    truncate: int | None = None,
    max_norm: float | None = None,
    max_value: float | None = None,
    seed: int | None = None,
) -> History:
    """Train ``params`` in place for ``steps`` updates and return the :class:`History`.

    Without ``chunk``, each update uses ``batch_size`` rows of ``x (N, T, D)`` drawn at random (all rows
    when None), from a zero state. With ``chunk=L`` training is stateful: every row is one stream, update
    ``i`` uses steps ``[iL, (i+1)L)`` of all rows, starting from the last state of the previous chunk (the
    gradient stops at the boundary); at the end of the streams the state is reset to zero and the walk
    starts again. Training stops early, with ``History.diverged`` set, once the loss is not finite.

    Args:
        params: the dict from :func:`init_params`, updated in place.
        x: inputs ``(N, T, D)``, or integer ids ``(N, T)`` that are one-hot encoded to
            ``D = Wx.shape[0]`` features one update at a time (a character model never holds the
            whole ``(N, T, V)`` one-hot corpus in memory); targets, mask: as in :func:`loss_and_grad`
            (sliced with ``x``).
        steps: number of updates.
        optimizer: :class:`SGD` or :class:`Adam`.
        batch_size: rows per update (not with ``chunk``).
        chunk: steps per chunk for stateful truncated BPTT.
        loss, mapping: see :func:`loss_and_grad` (``chunk`` needs ``"seq2seq"``).
        truncate: passed to the reference ``rnn_backward`` (per-step truncation, in steps).
        max_norm, max_value: gradient clipping (see :func:`clip_gradients`).
        seed: seed for drawing minibatches.
    """
    sizes: dict[str, int] = {}
    if np.issubdtype(np.asarray(x).dtype, np.integer):
        n_features = np.asarray(params["Wx"]).shape[0]
        ids = check_array(x, "x", "N,T", sizes, dtype=np.int64)

        def inputs(index: Any) -> np.ndarray:
            return one_hot(ids[index], n_features)

    else:
        dense = check_array(x, "x", "N,T,D", sizes)

        def inputs(index: Any) -> np.ndarray:
            return dense[index]

    steps = check_positive_int(steps, "steps")
    N, T = sizes["N"], sizes["T"]
    targets = np.asarray(targets)
    mask = None if mask is None else check_mask(mask, "mask", sizes)
    rng = np.random.default_rng(seed)
    history = History()
    kwargs = dict(
        loss=loss, mapping=mapping, truncate=truncate, max_norm=max_norm, max_value=max_value
    )
    if chunk is not None:
        chunk = check_positive_int(chunk, "chunk")
        check_default(batch_size, "batch_size", why="chunk=... trains on every row")
        check_choice(mapping, "mapping", ("seq2seq",), "stateful training with chunk=...")
    elif batch_size is not None:
        batch_size = check_positive_int(batch_size, "batch_size")
    h, start = None, 0
    for _ in range(steps):
        if chunk is not None:
            if start >= T:
                h, start = None, 0
            part = slice(start, start + chunk)
            step_mask = None if mask is None else mask[:, part]
            if step_mask is not None and not step_mask.any():
                # no target in this chunk (e.g. before the first echo): only carry the state forward
                _, cache = forward(params, inputs((slice(None), part)), h)
                h, start = cache.h[:, -1], start + chunk
                continue
            value, norm, h = train_step(
                params,
                inputs((slice(None), part)),
                targets[:, part],
                optimizer,
                h0=h,
                mask=step_mask,
                **kwargs,
            )
            start += chunk
        else:
            rows = (
                slice(None)
                if batch_size is None
                else rng.choice(N, size=min(batch_size, N), replace=False)
            )
            step_mask = None if mask is None else mask[rows]
            value, norm, _ = train_step(
                params, inputs(rows), targets[rows], optimizer, mask=step_mask, **kwargs
            )
        history.loss.append(value)
        history.grad_norm.append(norm)
        if not (np.isfinite(value) and np.isfinite(norm)) or not all(
            np.isfinite(p).all() for p in params.values()
        ):
            history.diverged = True
            break
    return history


def one_hot(ids: np.ndarray, K: int, *, dtype: type = np.float64) -> np.ndarray:
    """Integer ids ``(N, T)`` to one-hot inputs ``(N, T, K)`` (e.g. characters for a char-level model).

    >>> one_hot(np.array([[0, 2]]), 3).tolist()
    [[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]]
    """
    ids = np.asarray(ids)
    K = check_positive_int(K, "K")
    check_labels(ids, "ids", K)
    return np.eye(K, dtype=dtype)[ids]


def sample(
    params: Mapping[str, np.ndarray],
    start: np.ndarray,
    length: int,
    *,
    temperature: float = 1.0,
    seed: int | None = None,
) -> np.ndarray:
    """Generate ``length`` ids after priming with ``start`` ids ``(N, T0)`` (a one-hot classifier model).

    The primed state comes from :func:`forward`; then each sampled id is fed back one step at a time with
    the reference ``rnn_step_forward``. Returns the sampled ids, shape ``(N, length)``.
    """
    sizes: dict[str, int] = {}
    p = _check_params(params, sizes)
    length = check_positive_int(length, "length")
    rng = np.random.default_rng(seed)
    start = np.asarray(start)
    z, cache = forward(p, one_hot(start, sizes["D"]))
    h, logits = cache.h[:, -1], z[:, -1]  # (N, H), (N, O)
    out = np.empty((start.shape[0], length), dtype=np.int64)
    for t in range(length):
        ids = sample_next(softmax(logits), temperature, rng=rng)  # (N,)
        out[:, t] = ids
        h, _ = rnn_step_forward(one_hot(ids, sizes["D"]), h, p["Wx"], p["Wh"], p["b"])
        logits = h @ p["Wo"] + p["bo"]
    return out
