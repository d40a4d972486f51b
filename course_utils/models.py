"""Every Keras model builder of the course, in one place, and the one parameter counter.

All shapes are batch-first: a batch of sequences is ``(N, T, D)`` (N sequences, T steps, D features),
recurrent states are ``(N, T, H)`` or, for the last step only, ``(N, H)``; character ids are ``(N, T)``.

=============================  ===============================================================  =========
builder                        model                                                            notebook
=============================  ===============================================================  =========
:func:`seq2seq_model`          SimpleRNN, output at every step   ``(N, T, D) -> (N, T, O)``       02
:func:`seq2vec_model`          SimpleRNN, last output only       ``(N, T, D) -> (N, O)``          02
:func:`vec2seq_model`          RepeatVector + SimpleRNN          ``(N, P) -> (N, T, O)``          02
:func:`encoder_decoder_model`  encoder state -> decoder          ``(N, T, D) -> (N, K, O)``       02, 08
:func:`feedback_model`         decoder reads its last output     ``(N, L, V) -> (N, K, V)``       08
:func:`build_forecaster`       one or more layers, forecasts     ``(N, T, 1) -> (N, O)``          03, 05
:func:`build_char_model`       Embedding + SimpleRNN, logits     ``(N, T) -> (N, T, V)``          03
:func:`build_stacked_rnn`      L layers, optional every step     ``(N, T, D) -> (N, O)``          05
:func:`build_cell_model`       one SimpleRNN/LSTM/GRU + Dense    ``(N, T, D) -> (N, O)``          06, 07
=============================  ===============================================================  =========

The builders share one set of conventions:

- ``seed: int | None = None``. None leaves every initialiser and dropout mask to Keras' global random
  state, which ``runtime.setup()`` (or ``keras.utils.set_random_seed``) has seeded; an integer seeds each
  of them explicitly (a fixed offset per weight), so the same seed gives the same model without touching
  the global state.
- ``outputs``: the size of the dense output head; ``outputs=None`` builds no head, so the last recurrent
  layer is the output (``build_stacked_rnn((None, 1), [20, 20, 1], outputs=None)`` is the textbook's
  20-20-1 recurrent stack, ``seq2vec_model(None, 1, units=1, outputs=None)`` a bare ``SimpleRNN(1)``).
- ``compile``: whether the model comes back compiled. It defaults to True for the builders whose model a
  notebook trains as it is (:func:`build_forecaster`, :func:`build_char_model`) and to False for the
  others. A compiled model uses Adam with Keras' own default learning rate (1e-3) unless
  ``learning_rate`` (a number or a ``LearningRateSchedule``) is given, the builder's default loss unless
  ``loss`` is given, and anything else for ``model.compile`` (``metrics=...``) in ``compile_kwargs``.

:func:`param_count` counts the weights of a stack of SimpleRNN, LSTM or GRU layers (GRU with
``reset_after`` True or False) and an optional dense head, as ``model.count_params()`` does.

TensorFlow/Keras are imported inside the builders (and :mod:`course_utils.layers` with them), so importing
this module, and :func:`param_count`, work without TensorFlow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .deep import _residual_flags
from .validation import (
    check_bool,
    check_choice,
    check_default,
    check_instance,
    check_int,
    check_positive,
    check_positive_int,
    check_probability,
    check_seed,
    check_sequence,
)

if TYPE_CHECKING:  # pragma: no cover
    import keras

__all__ = [
    "CELLS",
    "GATES",
    "KERAS_CELLS",
    "FeedbackSeq2Seq",
    "build_cell_model",
    "build_char_model",
    "build_forecaster",
    "build_stacked_rnn",
    "encoder_decoder_model",
    "feedback_model",
    "param_count",
    "seq2seq_model",
    "seq2vec_model",
    "vec2seq_model",
]

#: Cell names of :func:`build_stacked_rnn` and :func:`build_forecaster`.
CELLS = ("simple_rnn", "lstm", "gru")
#: The same cells by their Keras layer names (:func:`build_cell_model`, :mod:`course_utils.longlag`).
KERAS_CELLS = ("SimpleRNN", "LSTM", "GRU")
_KERAS_NAME = dict(zip(CELLS, KERAS_CELLS)) | {name: name for name in KERAS_CELLS}
#: Gate blocks per cell: a layer has ``GATES[cell]`` copies of the SimpleRNN weights.
GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}
FORECASTER_KINDS = ("simple", "deep")


# --------------------------------------------------------------------------------------------------
# Counting weights
# --------------------------------------------------------------------------------------------------


def param_count(
    cell: str,
    units: int | Sequence[int],
    input_dim: int,
    *,
    outputs: int | None = None,
    reset_after: bool = True,
) -> int:
    """Number of weights of a stack of recurrent layers and an optional dense head, as Keras counts them.

    One layer with H units on D inputs has ``g H (D + H + 1)`` weights, ``g`` = 1 (SimpleRNN), 4 (LSTM,
    gates i, f, c, o) or 3 (GRU, gates z, r, h); Keras' default GRU (``reset_after=True``) has two bias
    rows, ``3 H (D + H + 2)``. Layer l reads the H_(l-1) states of the layer below; a head adds
    ``H_L O + O``.

    Args:
        cell: ``"SimpleRNN"``, ``"LSTM"``, ``"GRU"`` or the builders' ``"simple_rnn"``, ``"lstm"``, ``"gru"``.
        units: H of one layer, or H_l of each layer of a stack, bottom first.
        input_dim: D, the input features per step.
        outputs: O, the size of a ``Dense`` head on top; None for no head.
        reset_after: GRU only: Keras' default ``True`` has bias ``(2, 3H)``.

    >>> [param_count(c, 10, 3) for c in KERAS_CELLS]
    [140, 560, 450]
    >>> param_count("GRU", 10, 3, reset_after=False)
    420
    >>> param_count("simple_rnn", [20, 20], 1, outputs=1)  # two SimpleRNN(20) and Dense(1)
    1281
    """
    cell = _keras_cell(cell)
    gates = GATES[cell]
    bias_rows = 2 if (cell == "GRU" and check_bool(reset_after, "reset_after")) else 1
    d = check_positive_int(input_dim, "input_dim")
    if isinstance(units, (int, np.integer)) and not isinstance(units, bool):
        sizes = [check_positive_int(units, "units")]
    else:
        units = check_sequence(
            units, "units", what="layer sizes", min_length=1, hint="or a positive integer"
        )
        sizes = [check_positive_int(h, f"units[{i}]") for i, h in enumerate(units)]
    total = 0
    for h in sizes:
        total += gates * h * (d + h + bias_rows)
        d = h
    if outputs is not None:
        o = check_positive_int(outputs, "outputs")
        total += d * o + o
    return total


# --------------------------------------------------------------------------------------------------
# Shared helpers: seeds, initialisers, compiling
# --------------------------------------------------------------------------------------------------


def _keras_cell(cell: object) -> str:
    """The Keras layer name of ``cell``, given as ``"LSTM"`` or as ``"lstm"``."""
    if isinstance(cell, str) and cell in CELLS:
        return _KERAS_NAME[cell]
    return str(check_choice(cell, "cell", KERAS_CELLS))


def _check_outputs(outputs: object) -> int | None:
    return None if outputs is None else check_positive_int(outputs, "outputs")


def _check_learning_rate(learning_rate: Any) -> None:
    """None, a schedule (any other object), or a number, which must be positive."""
    if isinstance(learning_rate, (bool, np.bool_, int, float, np.integer, np.floating)):
        check_positive(learning_rate, "learning_rate")


def _kernel_inits(seed: int | None, offset: int, *, recurrent: bool = True) -> dict[str, Any]:
    """Seeded Glorot-uniform kernel (seed + offset) and orthogonal recurrent kernel (seed + offset + 1),
    Keras' own defaults; nothing when ``seed`` is None (Keras' global random state)."""
    if seed is None:
        return {}
    import keras

    inits = {"kernel_initializer": keras.initializers.GlorotUniform(seed=seed + offset)}
    if recurrent:
        inits["recurrent_initializer"] = keras.initializers.Orthogonal(seed=seed + offset + 1)
    return inits


def _finish(
    model: Any,
    compile: bool,
    loss: Any,
    learning_rate: Any,
    compile_kwargs: Mapping[str, Any] | None,
) -> Any:
    """Compile ``model`` with Adam (Keras' default learning rate unless given) if ``compile``."""
    compile = check_bool(compile, "compile")
    _check_learning_rate(learning_rate)
    if compile_kwargs is not None:
        check_instance(compile_kwargs, "compile_kwargs", Mapping, "model.compile arguments")
    if not compile:
        check_default(learning_rate, "learning_rate", why="used only with compile=True")
        check_default(compile_kwargs or None, "compile_kwargs", why="used only with compile=True")
        return model
    import keras

    options = dict(compile_kwargs or {})
    if "optimizer" in options:
        check_default(learning_rate, "learning_rate", why="compile_kwargs has an optimizer")
    if "optimizer" not in options:
        adam = {} if learning_rate is None else {"learning_rate": learning_rate}
        options["optimizer"] = keras.optimizers.Adam(**adam)
    options.setdefault("loss", loss)
    model.compile(**options)
    return model


def _head(y: Any, outputs: int | None, seed: int | None, offset: int, **kwargs: Any) -> Any:
    """``Dense(outputs)`` named ``"readout"`` on ``y`` (kernel seeded with ``seed + offset``), or ``y``
    itself when ``outputs`` is None."""
    if outputs is None:
        return y
    import keras

    dense = keras.layers.Dense(
        outputs, name="readout", **kwargs, **_kernel_inits(seed, offset, recurrent=False)
    )
    return dense(y)


def _simple_rnn_model(
    inputs: Any,
    seq: Any,
    units: int,
    outputs: int | None,
    seed: int | None,
    name: str,
    *,
    return_sequences: bool,
    activation: str | None = None,
) -> Any:
    """``SimpleRNN(units)`` named ``"rnn"`` on ``seq`` (N, T, D), then :func:`_head`: an uncompiled model."""
    import keras

    rnn = keras.layers.SimpleRNN(
        units, return_sequences=return_sequences, name="rnn", **_kernel_inits(seed, 0)
    )
    y = _head(rnn(seq), outputs, seed, 2, activation=activation)  # (N, T, O) or (N, O)
    return keras.Model(inputs, y, name=name)


def _recurrent_class(cell: str) -> Any:
    import keras

    return getattr(keras.layers, _KERAS_NAME[cell])


# --------------------------------------------------------------------------------------------------
# The four input/output mappings (notebook 02)
# --------------------------------------------------------------------------------------------------


def seq2seq_model(
    steps: int | None,
    features: int,
    units: int = 32,
    outputs: int | None = 1,
    *,
    seed: int | None = None,
    compile: bool = False,
    loss: Any = "mse",
    learning_rate: Any = None,
    compile_kwargs: Mapping[str, Any] | None = None,
) -> Any:
    """Sequence-to-sequence: an output at every step, ``(N, T, D) -> (N, T, O)``.

    ``SimpleRNN(units, return_sequences=True)`` gives states ``(N, T, H)``; ``Dense(outputs)`` applied to
    them acts on every step with the same weights. ``steps`` (T) may be None for any length; ``outputs=None``
    leaves out the ``Dense`` so the output is the states ``(N, T, H)``. Seeding and compiling as described
    in the module docstring.
    """
    import keras

    features, units = (
        check_positive_int(v, k) for v, k in ((features, "features"), (units, "units"))
    )
    outputs, seed = _check_outputs(outputs), check_seed(seed, allow_none=True)
    inputs = keras.Input(shape=(steps, features), name="x")
    model = _simple_rnn_model(
        inputs, inputs, units, outputs, seed, "seq2seq", return_sequences=True
    )
    return _finish(model, compile, loss, learning_rate, compile_kwargs)


def seq2vec_model(
    steps: int | None,
    features: int,
    units: int = 32,
    outputs: int | None = 3,
    activation: str | None = "softmax",
    *,
    seed: int | None = None,
    compile: bool = False,
    loss: Any = "sparse_categorical_crossentropy",
    learning_rate: Any = None,
    compile_kwargs: Mapping[str, Any] | None = None,
) -> Any:
    """Sequence-to-vector: only the last output, ``(N, T, D) -> (N, O)`` (class probabilities by default).

    ``SimpleRNN(units)`` returns its last state ``(N, H)``; ``Dense(outputs, activation)`` reads it.
    ``outputs=None`` leaves out the ``Dense``: ``seq2vec_model(None, 1, units=1, outputs=None)`` is the
    textbook's bare ``SimpleRNN(1)``, ``(N, T, 1) -> (N, 1)``.
    """
    import keras

    features, units = (
        check_positive_int(v, k) for v, k in ((features, "features"), (units, "units"))
    )
    outputs, seed = _check_outputs(outputs), check_seed(seed, allow_none=True)
    inputs = keras.Input(shape=(steps, features), name="x")
    model = _simple_rnn_model(
        inputs,
        inputs,
        units,
        outputs,
        seed,
        "seq2vec",
        return_sequences=False,
        activation=activation,
    )  # (N, H) -> (N, O)
    return _finish(model, compile, loss, learning_rate, compile_kwargs)


def vec2seq_model(
    params: int,
    steps: int,
    units: int = 32,
    outputs: int | None = 1,
    *,
    seed: int | None = None,
    compile: bool = False,
    loss: Any = "mse",
    learning_rate: Any = None,
    compile_kwargs: Mapping[str, Any] | None = None,
) -> Any:
    """Vector-to-sequence: one input vector fed at every step, ``(N, P) -> (N, T, O)``.

    ``RepeatVector(T)`` turns ``(N, P)`` into ``(N, T, P)`` so the recurrent layer sees the vector at every
    step; its states ``(N, T, H)`` go through ``Dense(outputs)`` (none when ``outputs=None``).
    """
    import keras

    params, steps, units = (
        check_positive_int(v, k)
        for v, k in ((params, "params"), (steps, "steps"), (units, "units"))
    )
    outputs, seed = _check_outputs(outputs), check_seed(seed, allow_none=True)
    inputs = keras.Input(shape=(params,), name="v")
    repeated = keras.layers.RepeatVector(steps, name="repeat")(inputs)  # (N, T, P)
    model = _simple_rnn_model(
        inputs, repeated, units, outputs, seed, "vec2seq", return_sequences=True
    )
    return _finish(model, compile, loss, learning_rate, compile_kwargs)


def encoder_decoder_model(
    steps: int | None,
    features: int,
    horizon: int,
    units: int = 32,
    outputs: int | None = 1,
    *,
    cell: str = "simple",
    activation: str | None = None,
    seed: int | None = None,
    compile: bool = False,
    loss: Any = "mse",
    learning_rate: Any = None,
    compile_kwargs: Mapping[str, Any] | None = None,
) -> Any:
    """Encoder-decoder: read the whole input, then emit ``K = horizon`` outputs, ``(N, T, D) -> (N, K, O)``.

    The encoder's final state ``h(T)`` (N, H) is handed to the decoder as its ``initial_state``; the decoder
    also reads that state at each of its K steps (``RepeatVector(K)``), the sequence-to-vector then
    vector-to-sequence composition of the lecture. (Notebook 08 compares it with a decoder that reads its
    own previous output instead: :mod:`course_utils.seq2seq`.) With ``outputs=None`` the output is the
    decoder's states ``(N, K, H)``.

    Args:
        cell: ``"simple"`` (``SimpleRNN``, notebook 02) or ``"gru"`` for encoder and decoder.
        activation: of the readout ``Dense`` (None: linear; ``"softmax"`` for token probabilities).
    """
    import keras

    check_choice(cell, "cell", ("simple", "gru"))
    rnn = keras.layers.GRU if cell == "gru" else keras.layers.SimpleRNN
    features, horizon, units = (
        check_positive_int(v, k)
        for v, k in ((features, "features"), (horizon, "horizon"), (units, "units"))
    )
    outputs, seed = _check_outputs(outputs), check_seed(seed, allow_none=True)
    inputs = keras.Input(shape=(steps, features), name="x")
    _, state = rnn(units, return_state=True, name="encoder", **_kernel_inits(seed, 0))(
        inputs
    )  # state (N, H)
    context = keras.layers.RepeatVector(horizon, name="repeat")(state)  # (N, K, H)
    y = rnn(units, return_sequences=True, name="decoder", **_kernel_inits(seed, 2))(
        context, initial_state=[state]
    )  # (N, K, H)
    y = _head(y, outputs, seed, 4, activation=activation)  # (N, K, O)
    model = keras.Model(inputs, y, name="encoder_decoder")
    return _finish(model, compile, loss, learning_rate, compile_kwargs)


class FeedbackSeq2Seq(NamedTuple):
    """The three views of one encoder-decoder whose decoder reads its previous output (shared weights).

    Attributes:
        train: ``[source one-hot (N, L, V), decoder input one-hot (N, K, V)] -> probs (N, K, V)``, trained
            with teacher forcing (the decoder input is ``START, y(1), ..., y(K-1)``).
        encoder: ``source one-hot (N, L, V) -> state (N, H)``, the decoder's initial state.
        decoder: ``[one token one-hot (N, 1, V), state (N, H)] -> [probs (N, V), state (N, H)]``, one step.
    """

    train: keras.Model
    encoder: keras.Model
    decoder: keras.Model


def feedback_model(
    vocab: int,
    units: int = 64,
    *,
    cell: str = "gru",
    seed: int | None = None,
    compile: bool = False,
    loss: Any = "sparse_categorical_crossentropy",
    learning_rate: Any = None,
    compile_kwargs: Mapping[str, Any] | None = None,
) -> FeedbackSeq2Seq:
    """Encoder-decoder whose decoder is fed the previous output token (notebook 08).

    The encoder's final state starts the decoder; at step t the decoder reads ``y(t-1)`` (one-hot, V)
    instead of :func:`encoder_decoder_model`'s repeated context, and a softmax readout gives
    ``P(y(t) | y(<t), x)``. :mod:`course_utils.seq2seq` decodes with it (``keras_step``). There is no
    ``outputs`` argument: the readout must have V units, since what it writes is read back.

    Args:
        vocab: V, the size of the one-hot token vectors (inputs and outputs).
        units: H, units of the encoder and of the decoder.
        cell: ``"gru"`` or ``"simple"`` (``SimpleRNN``) for encoder and decoder.
        seed, compile, learning_rate, compile_kwargs: as for every builder (module docstring); ``compile``
            compiles ``train``, by default with ``loss="sparse_categorical_crossentropy"`` on token ids.

    Returns:
        A :class:`FeedbackSeq2Seq`: the training model and the encoder and one-step decoder for inference.
    """
    check_choice(cell, "cell", ("gru", "simple"))
    vocab = check_positive_int(vocab, "vocab")
    units = check_positive_int(units, "units")
    seed = check_seed(seed, allow_none=True)
    import keras

    rnn = keras.layers.GRU if cell == "gru" else keras.layers.SimpleRNN
    source = keras.Input((None, vocab), name="source")  # (N, L, V)
    # (N, K, V): START, y(1), ..., y(K-1)
    previous = keras.Input((None, vocab), name="previous_output")
    _, state = rnn(units, return_state=True, name="encoder", **_kernel_inits(seed, 0))(
        source
    )  # (N, H)
    decoder_rnn = rnn(
        units,
        return_sequences=True,
        return_state=True,
        name="decoder",
        **_kernel_inits(seed, 2),
    )
    readout = keras.layers.Dense(
        vocab, activation="softmax", name="readout", **_kernel_inits(seed, 4, recurrent=False)
    )
    g, _ = decoder_rnn(previous, initial_state=[state])  # (N, K, H)
    train = keras.Model([source, previous], readout(g), name="teacher_forced")

    encoder = keras.Model(source, state, name="encoder")
    token = keras.Input((1, vocab), name="token")  # (N, 1, V): one step
    state_in = keras.Input((units,), name="state")  # (N, H)
    g_step, state_out = decoder_rnn(token, initial_state=[state_in])  # (N, 1, H), (N, H)
    probs = readout(g_step[:, 0])  # (N, V)
    decoder = keras.Model([token, state_in], [probs, state_out], name="decoder_step")
    train = _finish(train, compile, loss, learning_rate, compile_kwargs)
    return FeedbackSeq2Seq(train, encoder, decoder)


# --------------------------------------------------------------------------------------------------
# Deep RNNs (notebook 05) and forecasters (notebooks 03, 05)
# --------------------------------------------------------------------------------------------------


def build_stacked_rnn(
    input_shape: tuple[int | None, int],
    units: Sequence[int] = (32, 32),
    *,
    outputs: int | None = 1,
    cell: str = "simple_rnn",
    every_step: bool = False,
    dropout: float = 0.0,
    recurrent_dropout: float = 0.0,
    layer_norm: bool = False,
    residual: bool = False,
    seed: int | None = None,
    name: str | None = None,
    compile: bool = False,
    loss: Any = "mse",
    learning_rate: Any = None,
    compile_kwargs: Mapping[str, Any] | None = None,
) -> Any:
    """A Keras deep RNN: L recurrent layers, then ``Dense(outputs)`` on the top layer's last state.

    Every recurrent layer but the last has ``return_sequences=True`` so the next one gets a whole sequence
    ``(N, T, H_l)``; the last returns only its final state (sequence-to-vector): inputs ``(N, T, D)``,
    outputs ``(N, outputs)``. With ``every_step=True`` the last layer returns its whole sequence too and the
    head is applied at every step (sequence-to-sequence): outputs ``(N, T, outputs)``. One layer (``units``
    of length 1) is a plain recurrent layer with a dense head. With ``outputs=None`` there is no head: the
    top recurrent layer is the output, ``(N, H_L)`` (or ``(N, T, H_L)``), e.g. the textbook's
    ``build_stacked_rnn((None, 1), [20, 20, 1], outputs=None)``.

    Args:
        input_shape: ``(T, D)``; T may be None for any length.
        units: H_l of each recurrent layer, bottom first (its length is the depth L).
        outputs: size of the dense head (e.g. the forecast horizon); None for no head.
        cell: ``"simple_rnn"``, ``"lstm"`` or ``"gru"``.
        every_step: apply the head after every step instead of only the last.
        dropout: rate of dropout *between* layers (after each recurrent layer, before the next one and the
            head). On a sequence the mask is the same at every time step (``noise_shape (N, 1, H)``), as
            Keras' own ``dropout=`` argument does for a layer's inputs.
        recurrent_dropout: rate of dropout on ``h(t-1)`` inside each cell (Keras' ``recurrent_dropout``).
        layer_norm: use :class:`course_utils.layers.LayerNormSimpleRNNCell` (only with
            ``cell="simple_rnn"``, no recurrent dropout).
        residual: add each layer's input to its output for every layer above the first (equal units).
        seed: an integer seeds every initialiser and dropout mask explicitly (layer l's kernel
            ``seed + 2l``, its recurrent kernel ``seed + 2l + 1``, the head ``seed + 2L``); None leaves them
            to Keras' global random state (seeded by ``runtime.setup()``).
        name: model name.
        compile, loss, learning_rate, compile_kwargs: see the module docstring (default: uncompiled).

    Returns:
        A ``keras.Model``.
    """
    import keras

    check_sequence(input_shape, "input_shape", what="sizes", length=2, hint="T and D")
    d_in = check_positive_int(input_shape[1], "input_shape[1] (D)")
    units = check_sequence(units, "units", what="layer sizes", min_length=1)
    sizes = [d_in] + [check_positive_int(u, f"units[{i}]") for i, u in enumerate(units)]
    outputs = _check_outputs(outputs)
    check_choice(cell, "cell", CELLS)
    every_step = check_bool(every_step, "every_step")
    dropout = check_probability(dropout, "dropout")
    recurrent_dropout = check_probability(recurrent_dropout, "recurrent_dropout")
    if layer_norm:
        check_choice(cell, "cell", ("simple_rnn",), "the only cell with layer_norm=True")
        check_default(recurrent_dropout, "recurrent_dropout", 0, why="the layer-norm cell has none")
    layer_norm = check_bool(layer_norm, "layer_norm")
    flags = _residual_flags(check_bool(residual, "residual"), sizes)
    seed = check_seed(seed, allow_none=True)

    def seeded(offset: int) -> int | None:
        return None if seed is None else seed + offset

    def recurrent(h: int, return_sequences: bool, index: int) -> Any:
        layer_name = f"{cell}_{index + 1}"
        if layer_norm:
            from .layers import LayerNormSimpleRNNCell

            return keras.layers.RNN(
                LayerNormSimpleRNNCell(h, **_kernel_inits(seed, 2 * index)),
                return_sequences=return_sequences,
                name=f"ln_{layer_name}",
            )
        return _recurrent_class(cell)(
            h,
            return_sequences=return_sequences,
            recurrent_dropout=recurrent_dropout,
            seed=seeded(index),
            name=layer_name,
            **_kernel_inits(seed, 2 * index),
        )

    inputs = keras.Input(shape=tuple(input_shape), name="x")
    seq = inputs
    depth = len(sizes) - 1
    for i in range(depth):
        last = i == depth - 1
        # A residual top layer returns its sequence so that its input can be added step by step.
        out = recurrent(sizes[i + 1], return_sequences=not last or every_step or flags[i], index=i)(
            seq
        )
        if flags[i]:
            out = keras.layers.Add(name=f"residual_{i + 1}")([seq, out])
            if last and not every_step:
                from .layers import LastStep

                out = LastStep(name="last_step")(out)
        if dropout:
            on_sequence = not last or every_step
            drop = keras.layers.Dropout(
                dropout,
                noise_shape=(None, 1, sizes[i + 1]) if on_sequence else None,
                seed=seeded(i),
                name=f"dropout_{i + 1}",
            )
            out = drop(out)
        seq = out
    if outputs is not None:
        seq = keras.layers.Dense(
            outputs, name="head", **_kernel_inits(seed, 2 * depth, recurrent=False)
        )(seq)
    model = keras.Model(inputs, seq, name=name or f"deep_{cell}_{depth}")
    return _finish(model, compile, loss, learning_rate, compile_kwargs)


def build_forecaster(
    kind: str = "simple",
    *,
    units: int | Sequence[int] = 20,
    outputs: int | None = 1,
    n_layers: int = 2,
    cell: str = "simple_rnn",
    every_step: bool = False,
    seed: int | None = None,
    compile: bool = True,
    loss: Any = "mse",
    learning_rate: Any = None,
    compile_kwargs: Mapping[str, Any] | None = None,
) -> Any:
    """A Keras forecaster mapping windows ``(N, T, 1)`` (any T) to forecasts ``(N, outputs)``.

    ``kind="simple"``: one recurrent layer of ``units`` cells, its last state ``(N, H)`` into a linear
    ``Dense(outputs)``. ``kind="deep"``: ``n_layers`` stacked recurrent layers (all but the last return the
    whole sequence ``(N, T, H)``), then ``Dense(outputs)``. A list ``units`` gives every layer's size
    explicitly (``kind`` and ``n_layers`` are then not used), and ``outputs=None`` drops the head, so
    ``build_forecaster(units=[20, 20, 1], outputs=None)`` is the textbook's 20-20-1 recurrent stack whose
    last SimpleRNN(1) is the forecast. Built by :func:`build_stacked_rnn`; compiled (unless
    ``compile=False``) with Adam and the mean squared error.

    With ``every_step=True`` the last recurrent layer also returns its whole sequence and the head is
    applied at every step, so the model maps ``(N, T, 1)`` to ``(N, T, outputs)``: a forecast after every
    input step. Train it on :func:`course_utils.forecasting.sequence_targets`;
    :func:`~course_utils.forecasting.forecast_direct` and
    :func:`~course_utils.forecasting.forecast_iterative` use the forecast after the last step.

    Args:
        kind: ``"simple"`` or ``"deep"``.
        units: H, cells per recurrent layer, or a list of H_l per layer (bottom first).
        outputs: 1 for one step ahead, e.g. 10 for a direct 10-step forecast; None for no head.
        n_layers: recurrent layers of a deep model (at least 2); ignored for ``"simple"``.
        cell: ``"simple_rnn"`` (SimpleRNN), ``"lstm"`` or ``"gru"``.
        every_step: forecast after every input step (sequence-to-sequence training), see above.
        seed: seeds every initialiser (see :func:`build_stacked_rnn`); None for Keras' global state.
        compile, loss, learning_rate, compile_kwargs: see the module docstring; ``learning_rate`` may be a
            ``keras.optimizers.schedules.LearningRateSchedule`` (default: Adam's 1e-3).
    """
    check_choice(kind, "kind", FORECASTER_KINDS)
    check_choice(cell, "cell", CELLS)
    if isinstance(units, Sequence) and not isinstance(units, str):
        units = check_sequence(units, "units", what="layer sizes", min_length=1)
        sizes = [check_positive_int(u, f"units[{i}]") for i, u in enumerate(units)]
        kind = "simple" if len(sizes) == 1 else "deep"
    else:
        units = check_positive_int(units, "units")
        n_layers = check_positive_int(n_layers, "n_layers")
        if kind == "deep":
            check_int(n_layers, "n_layers", low=2, hint="kind='deep'")
        sizes = [units] * (1 if kind == "simple" else n_layers)
    outputs = _check_outputs(outputs)
    _check_learning_rate(learning_rate)
    suffix = "_every_step" if every_step else ""
    head = "no_head" if outputs is None else f"{outputs}_out"
    return build_stacked_rnn(
        (None, 1),
        sizes,
        outputs=outputs,
        cell=cell,
        every_step=every_step,
        seed=seed,
        name=f"{kind}_{cell}_{head}{suffix}",
        compile=compile,
        loss=loss,
        learning_rate=learning_rate,
        compile_kwargs=compile_kwargs,
    )


# --------------------------------------------------------------------------------------------------
# One recurrent layer of a chosen cell (notebooks 06, 07) and the character model (notebook 03)
# --------------------------------------------------------------------------------------------------


def build_cell_model(
    cell: str,
    units: int,
    input_dim: int,
    *,
    outputs: int | None = 1,
    seed: int | None = None,
    compile: bool = False,
    loss: Any = "mse",
    learning_rate: Any = None,
    compile_kwargs: Mapping[str, Any] | None = None,
) -> Any:
    """A ``keras.Sequential``: one recurrent layer of ``cell`` with ``units``, then ``Dense(outputs)``.

    Input ``(N, T, D)`` with any T; output ``(N, outputs)``: the prediction after the last step (with
    ``outputs=None``, the layer's last state ``(N, H)``). The layer is named ``cell.lower()`` (``"lstm"``),
    the head ``"readout"``. Keras' default initialisers (LSTM: forget-gate bias 1, ``unit_forget_bias``),
    seeded explicitly when ``seed`` is an integer.

    Args:
        cell: ``"SimpleRNN"``, ``"LSTM"`` or ``"GRU"`` (or ``"simple_rnn"``, ``"lstm"``, ``"gru"``).
        units: hidden units H.
        input_dim: input features D.
    """
    cell = _keras_cell(cell)
    units = check_positive_int(units, "units")
    input_dim = check_positive_int(input_dim, "input_dim")
    outputs, seed = _check_outputs(outputs), check_seed(seed, allow_none=True)
    import keras

    layers = [
        keras.Input((None, input_dim)),
        _recurrent_class(cell)(units, name=cell.lower(), **_kernel_inits(seed, 0)),
    ]
    if outputs is not None:
        layers.append(
            keras.layers.Dense(outputs, name="readout", **_kernel_inits(seed, 2, recurrent=False))
        )
    model = keras.Sequential(layers, name=f"{cell.lower()}_{units}")
    return _finish(model, compile, loss, learning_rate, compile_kwargs)


def build_char_model(
    vocab_size: int,
    *,
    units: int = 128,
    embed_dim: int = 16,
    seed: int | None = None,
    compile: bool = True,
    loss: Any = None,
    learning_rate: Any = None,
    compile_kwargs: Mapping[str, Any] | None = None,
) -> Any:
    """A character model: ids ``(N, T)`` -> Embedding ``(N, T, E)`` -> SimpleRNN ``(N, T, H)`` -> Dense
    logits ``(N, T, V)``.

    Compiled (unless ``compile=False``) with Adam and sparse categorical cross-entropy on the logits (in
    nats) unless ``loss`` is given. With an integer ``seed`` the embedding, kernel, recurrent kernel and
    head are seeded with ``seed``, ``seed + 1``, ``seed + 2``, ``seed + 3``.
    """
    import keras

    vocab_size = check_positive_int(vocab_size, "vocab_size")
    units = check_positive_int(units, "units")
    embed_dim = check_positive_int(embed_dim, "embed_dim")
    seed = check_seed(seed, allow_none=True)
    init = keras.initializers
    embedding = (
        {}
        if seed is None
        else {"embeddings_initializer": init.RandomUniform(-0.05, 0.05, seed=seed)}
    )
    model = keras.Sequential(
        [
            keras.Input(shape=(None,), dtype="int32"),
            keras.layers.Embedding(vocab_size, embed_dim, **embedding),
            keras.layers.SimpleRNN(units, return_sequences=True, **_kernel_inits(seed, 1)),
            keras.layers.Dense(vocab_size, **_kernel_inits(seed, 3, recurrent=False)),
        ],
        name="char_rnn",
    )
    if loss is None:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return _finish(model, compile, loss, learning_rate, compile_kwargs)
