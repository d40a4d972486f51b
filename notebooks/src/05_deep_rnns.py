# %% [markdown]
# # Deep RNNs: stacking, regularising and distributing recurrent layers
#
# *Lecture 6, Recurrent Architectures, part "Deep RNNs". It comes after training with backpropagation
# through time (notebook 04) and before the gated cells: LSTM (06) and GRU (07).*
#
# **In this notebook you will**
# - stack recurrent layers (`return_sequences=True` on all but the last) and run the same 2-layer stack
#   in NumPy, matching Keras once its weights are copied over;
# - compare depth 1, 2 and 3 on the forecasting task of notebook 03, against its baselines;
# - regularise a deep RNN with dropout between layers and recurrent dropout, and read the train and
#   validation curves;
# - meet layer normalisation inside the recurrence and residual connections between layers;
# - distribute a deep RNN over two devices (two GPUs, or the CPU split in two): data parallelism with
#   `tf.distribute.MirroredStrategy` and model parallelism with one layer per device;
# - see why long time spans stay hard however deep the stack is.

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np

from course_utils import check, claims, curves, deep, distribute, forecasting, models
from course_utils import reference as ref
from course_utils.diagrams import stack
from course_utils.data import DEFAULT_FREQ_RANGES, generate_series

EPOCHS = 10  # speed/quality knob: epochs of each forecasting stack (time grows in proportion)
REG_EPOCHS = 30  # epochs of the small over-fitting run in the regularisation section
DEVICES = distribute.devices(
    2
)  # two GPUs, or the CPU split in two (section 5); before any TensorFlow op

# %% [markdown]
# ## 1. Stacking recurrent layers
#
# A recurrent layer turns a sequence into a sequence. So layers can be stacked: layer $l$ reads, at every
# step, the output of the layer below at that same step. In the lecture's notation, with
# $y^{(0)}(t) = x(t)$,
#
# $$
# y^{(l)}(t) = \phi\left({W_x^{(l)}}^\top y^{(l-1)}(t) + {W_y^{(l)}}^\top y^{(l)}(t-1) + b^{(l)}\right),
# \qquad l = 1, \dots, L,
# $$
#
# and in row-batch form (one row per sequence, as the code does) $Y^{(l)}(t) = \phi\left(Y^{(l-1)}(t)\,W_x^{(l)} +
# Y^{(l)}(t-1)\,W_y^{(l)} + b^{(l)}\right)$. Each layer has its own weights, shared across time. We write
# $h^{(l)}(t)$ for the state $y^{(l)}(t)$ of layer $l$; the code calls $W_y$ `Wh` (Keras' `recurrent_kernel`).
#
# | array | shape | meaning |
# |---|---|---|
# | `x` | $(N, T, D)$ | the input sequences |
# | `Wx` of layer $l$ | $(H_{l-1}, H_l)$ | input weights, $H_0 = D$ (Keras' `kernel`) |
# | `Wh` of layer $l$ | $(H_l, H_l)$ | recurrent weights $W_y$ (`recurrent_kernel`) |
# | `b` of layer $l$ | $(H_l,)$ | bias |
# | states of layer $l < L$ | $(N, T, H_l)$ | the whole sequence, passed up: `return_sequences=True` |
# | last state of layer $L$ | $(N, H_L)$ | all the head needs for sequence-to-vector: `return_sequences=False` |
#
# The figure shows a 3-layer stack unrolled over 4 steps: arrows to the right are the recurrence of each
# layer, arrows up pass each step's state to the next layer.

# %%
ax = stack.draw_stack(layers=3, steps=4)
ax.set_title("a deep RNN: 3 stacked recurrent layers, unrolled over T = 4 steps")
plt.show()

# %% [markdown]
# ### The NumPy stack equals Keras
#
# `models.build_stacked_rnn` builds the Keras stack; `deep.stack_rnn_forward` runs the recurrence above in
# NumPy, one `ref.rnn_forward` per layer, each fed the whole state sequence of the layer below. We copy
# the Keras weights over (`ref.from_keras` per layer) and compare the top layer's last state and the
# model's output.

# %%
# NBVAL_CHECK_OUTPUT
model = models.build_stacked_rnn(
    (7, 3), units=(8, 6), seed=SEED
)  # 2 layers: SimpleRNN(8) -> SimpleRNN(6) -> Dense(1)
x_demo = np.random.default_rng(SEED).normal(size=(4, 7, 3)).astype(np.float32)  # (N, T, D)

layers = deep.stack_params_from_keras(model)  # [{"Wx", "Wh", "b"}, ...], bottom first
h_top, _ = deep.stack_rnn_forward(x_demo.astype(np.float64), layers)  # (N, T, H_2)
w_head, b_head = model.get_layer("head").get_weights()
y_numpy = h_top[:, -1] @ w_head + b_head  # the Dense head on the last state
y_keras = np.asarray(model(x_demo))

print("layer shapes:", [(p["Wx"].shape, p["Wh"].shape, p["b"].shape) for p in layers])
print("top states (N, T, H):", h_top.shape, "| model output (N, 1):", y_keras.shape)
max_diff = float(np.max(np.abs(y_numpy - y_keras)))
print("NumPy and Keras agree to 1e-5:", max_diff < 1e-5)
assert max_diff < 1e-5, max_diff

# %% [markdown]
# ## 2. Depth on the forecasting task
#
# Notebook 03 forecast sums of sines one step ahead; we reuse its data (`generate_series`) and its tools
# (`forecasting`): windows of $T = 30$ values $x$ of shape $(N, 30, 1)$, the next value $y$ of shape
# $(N, 1)$. The baselines come first: the **naive** forecast repeats the last value, the **linear** one is
# the least-squares fit on the window. Then recurrent stacks of 1, 2 and 3 `SimpleRNN(16)` layers, each
# trained alike: `EPOCHS` epochs of Adam, its learning rate decaying along a cosine from $10^{-2}$ to 0.

# %%
series = generate_series(1200, 31, seed=SEED + 5)  # (N, T + 1, 1)
parts = forecasting.split_series(series, n_train=800, n_valid=200)
x_train, y_train = forecasting.split_window(parts.train)  # (800, 30, 1), (800, 1)
x_valid, y_valid = forecasting.split_window(parts.valid)  # (200, 30, 1), (200, 1)

results = {
    "naive": forecasting.mse(y_valid, forecasting.naive_forecast(x_valid)),
    "linear (least squares)": forecasting.mse(
        y_valid, forecasting.fit_linear(x_train, y_train).predict(x_valid)
    ),
}
steps_per_epoch = -(-len(x_train) // 32)  # batches of 32 windows
schedule = keras.optimizers.schedules.CosineDecay(1e-2, decay_steps=EPOCHS * steps_per_epoch)
depth_models, params, seconds = {}, {}, {}
for depth in (1, 2, 3):
    name = f"{depth} x SimpleRNN(16)"
    start = time.perf_counter()
    rnn = models.build_forecaster(
        "simple" if depth == 1 else "deep",
        units=16,
        n_layers=depth,
        learning_rate=schedule,
        seed=SEED,
    )
    rnn.fit(x_train, y_train, epochs=EPOCHS, batch_size=32, verbose=0)
    seconds[name] = (time.perf_counter() - start) / EPOCHS
    results[name] = forecasting.mse(y_valid, forecasting.forecast_direct(rnn, x_valid))
    depth_models[depth], params[name] = rnn, rnn.count_params()

# %%
print(forecasting.results_table(results, digits=4))

# %% [markdown]
# The weights of each stack (exact, the same on every machine), and the seconds per epoch on this machine:

# %%
# NBVAL_CHECK_OUTPUT
for name, count in params.items():
    print(f"{name}: {count} weights")
assert params["2 x SimpleRNN(16)"] == models.param_count("SimpleRNN", [16, 16], 1, outputs=1)

# %%
for name, sec in seconds.items():
    print(f"{name}: {sec:.2f} s per epoch")

# %% [markdown]
# Every stack beats the naive forecast by a wide margin: each one's validation MSE is below half the
# naive one, at every seed (asserted below). That is all we assert. How the three depths rank among
# themselves, and whether the better deep stack beats the single layer or the linear fit and by how much,
# is recorded but not asserted: `docs/claims.md` lists the ratios `nb05.depth2_vs_depth1`,
# `nb05.depth3_vs_depth1`, `nb05.best_deep_vs_depth1` and `nb05.best_deep_vs_linear` over seeds 0-4 and
# perturbed floats, so one run's ranking is not read as a law. Depth adds capacity and cost: each layer
# adds $H_{l-1}H_l + H_l^2 + H_l$ weights and a sequential pass over time.

# %%
for depth in (1, 2, 3):
    mse_depth = claims.record(f"nb05.depth{depth}_valid_mse", results[f"{depth} x SimpleRNN(16)"])
    claims.below(f"nb05.depth{depth}_vs_naive", mse_depth / results["naive"], 0.5)
best_deep = min(results["2 x SimpleRNN(16)"], results["3 x SimpleRNN(16)"])
claims.record("nb05.best_deep_vs_depth1", best_deep / results["1 x SimpleRNN(16)"])
claims.record("nb05.best_deep_vs_linear", best_deep / results["linear (least squares)"])
claims.record("nb05.depth2_vs_depth1", results["2 x SimpleRNN(16)"] / results["1 x SimpleRNN(16)"])
claims.record("nb05.depth3_vs_depth1", results["3 x SimpleRNN(16)"] / results["1 x SimpleRNN(16)"])

# %% [markdown]
# ## 3. Regularisation: dropout between layers and recurrent dropout
#
# A deep RNN has many weights, and on a small training set it over-fits: the training error keeps falling
# while the validation error stalls or rises. **Dropout** zeroes each unit with probability $p$ during
# training (and scales the kept ones by $1/(1-p)$). For recurrent networks the mask is drawn once per
# sequence and kept for every step, so the network sees a consistently thinned layer instead of noise
# that changes at each step:
#
# $$
# Y^{(l)}(t) = \phi\left(\big(Y^{(l-1)}(t) \odot M_x\big) W_x^{(l)} + \big(Y^{(l)}(t-1) \odot M_y\big) W_y^{(l)} + b^{(l)}\right).
# $$
#
# $M_x$ (shape $(N, H_{l-1})$) is **dropout between layers**: `build_stacked_rnn(dropout=p)` puts a
# `Dropout` with `noise_shape=(N, 1, H)` after each recurrent layer, the same as Keras' `dropout=` argument
# on the next layer's inputs (so it acts for $l \ge 2$, and on the top layer's state before the head; the
# input $x(t)$ itself is not dropped). $M_y$ (shape $(N, H_l)$) is **recurrent dropout** on the state fed back,
# Keras' `recurrent_dropout=p`. Both are off at prediction time.
#
# To see it, we over-fit on purpose: only 64 training windows, two `SimpleRNN(32)` layers and
# `REG_EPOCHS` epochs, once without and once with $p = 0.1$ for both kinds of dropout. The training error
# reported below is measured after training with dropout off, so both models are judged alike.

# %%
small = generate_series(64 + 128 + 8, 21, seed=SEED + 7)
small_parts = forecasting.split_series(small, n_train=64, n_valid=128)
xs_train, ys_train = forecasting.split_window(small_parts.train)  # (64, 20, 1), (64, 1)
xs_valid, ys_valid = forecasting.split_window(small_parts.valid)  # (128, 20, 1), (128, 1)

histories, final = {}, {}
for label, rate in (("no dropout", 0.0), ("dropout 0.1", 0.1)):
    net = models.build_stacked_rnn(
        (None, 1), (32, 32), dropout=rate, recurrent_dropout=rate, seed=SEED
    )
    net.compile(optimizer=keras.optimizers.Adam(5e-3), loss="mse")
    histories[label] = net.fit(
        xs_train,
        ys_train,
        epochs=REG_EPOCHS,
        batch_size=16,
        validation_data=(xs_valid, ys_valid),
        verbose=0,
    )
    train_mse = net.evaluate(xs_train, ys_train, verbose=0)  # dropout is off in evaluate
    valid_mse = net.evaluate(xs_valid, ys_valid, verbose=0)
    val_curve = np.array(histories[label].history["val_loss"])  # (REG_EPOCHS,)
    final[label] = {
        "train": train_mse,
        "valid": valid_mse,
        "gap": valid_mse - train_mse,
        "best valid": float(val_curve.min()),  # what early stopping would have kept
        "best epoch": int(val_curve.argmin()) + 1,
    }

ax = curves.plot_curves(histories)
ax.set_title("64 training windows: with and without dropout")
plt.show()

# %%
for label, row in final.items():
    print(
        f"{label:>12}: train MSE {row['train']:.4f} | validation MSE {row['valid']:.4f} | "
        f"gap {row['gap']:.4f} | best validation {row['best valid']:.4f} (epoch {row['best epoch']})"
    )

# %% [markdown]
# Without dropout the training error falls far below the validation error (below a quarter of it at
# every seed, asserted; usually far less, see `nb05.plain_train_vs_valid` in `docs/claims.md`): the
# network memorises its 64 windows. With dropout the training error is much higher (more than twice the
# plain one, asserted) and the gap between training and validation error shrinks (below 3/4 of the plain
# gap, asserted).
#
# A smaller gap is not a better model, though: here it shrinks mainly because the *training* error rises.
# The number that matters is the validation error, and dropout moves it little, up at some seeds and down
# at others: its ratio with and without dropout is recorded, not asserted
# (`nb05.dropout_valid_vs_plain_valid` in `docs/claims.md`, over seeds 0-4 and perturbed floats).
# Compare it with **early stopping**, keeping the plain model's weights from the epoch with the lowest
# validation error (`keras.callbacks.EarlyStopping(restore_best_weights=True)`): that best epoch is never
# more than 15% worse than the dropout model's final validation error, at any seed (asserted:
# `nb05.plain_best_vs_dropout_valid` stays below 1.15), and usually better (its range is in
# `docs/claims.md`). So on this small task early stopping is the cheaper regulariser and at least as good;
# dropout is the tool for large recurrent networks trained long on much more data (Zaremba et al., 2014;
# Gal and Ghahramani, 2016). Note also the solid training curve of the dropout run: Keras reports the
# training loss *with* dropout on, which is why it can sit above its validation curve, while the table
# above measures both models with dropout off.

# %%
plain, dropped = final["no dropout"], final["dropout 0.1"]
claims.record("nb05.gap_no_dropout", plain["gap"])
claims.record("nb05.gap_dropout", dropped["gap"])
claims.below("nb05.plain_train_vs_valid", plain["train"] / plain["valid"], 0.25)
claims.above("nb05.dropout_train_vs_plain_train", dropped["train"] / plain["train"], 2.0)
claims.below("nb05.gap_dropout_vs_plain", dropped["gap"] / plain["gap"], 0.75)
claims.record("nb05.dropout_valid_vs_plain_valid", dropped["valid"] / plain["valid"])
claims.below("nb05.plain_best_vs_dropout_valid", plain["best valid"] / dropped["valid"], 1.15)
claims.record("nb05.plain_best_vs_dropout_best", plain["best valid"] / dropped["best valid"])


def epochs_train_above_valid(history: keras.callbacks.History) -> int:
    """Epochs in which the reported training loss is above the validation loss."""
    return int(np.sum(np.array(history.history["loss"]) > np.array(history.history["val_loss"])))


claims.record(
    "nb05.epochs_train_above_valid_plain", epochs_train_above_valid(histories["no dropout"])
)
claims.record(
    "nb05.epochs_train_above_valid_dropout", epochs_train_above_valid(histories["dropout 0.1"])
)

# %% [markdown]
# ## 4. Layer normalisation and residual connections, briefly
#
# **Layer normalisation** inside the recurrence (Ba et al., 2016) rescales the summed inputs of each step
# to zero mean and unit variance over the $H$ units, per example, then applies a learned scale $\gamma$ and
# offset $\beta$:
#
# $$
# z(t) = x(t)\, W_x + h(t-1)\, W_y, \qquad
# h(t) = \tanh\left(\gamma \odot \frac{z(t) - \mu(t)}{\sqrt{\sigma^2(t) + \epsilon}} + \beta\right).
# $$
#
# Whatever the scale of $z(t)$, the normalised inputs have mean 0 over the units at every step, so the
# activations stay in the same range at every step and every depth (unlike batch normalisation it needs no
# statistics over the batch or over time). There is no bias $b$: $\beta$ takes its place, as the mean
# subtraction would cancel it. `deep.layer_norm_simple_rnn_cell` is this cell for Keras (its `kernel` is
# $W_x$, its `recurrent_kernel` $W_y$); `deep.layer_norm_rnn_forward` is the NumPy twin, and they agree:

# %%
# NBVAL_CHECK_OUTPUT
ln_model = models.build_stacked_rnn((7, 3), units=(5,), layer_norm=True, seed=SEED + 1)
ln_cell = ln_model.get_layer("ln_simple_rnn_1").cell
ln_weights = [
    np.asarray(w, dtype=np.float64)
    for w in (
        ln_cell.kernel,
        ln_cell.recurrent_kernel,
        ln_cell.layer_norm.gamma,
        ln_cell.layer_norm.beta,
    )
]
h_ln, ln_cache = deep.layer_norm_rnn_forward(
    x_demo.astype(np.float64), np.zeros((4, 5)), *ln_weights
)
h_ln_keras = np.asarray(
    keras.Model(ln_model.input, ln_model.get_layer("ln_simple_rnn_1").output)(x_demo)
)
print(
    "LayerNorm cell: NumPy and Keras agree to 1e-5:",
    bool(np.max(np.abs(h_ln[:, -1] - h_ln_keras)) < 1e-5),
)
print(
    "mean of the normalised inputs over the units is 0 (to 1e-9) at every step:",
    bool(np.abs(ln_cache.z_hat.mean(axis=2)).max() < 1e-9),
)
assert np.max(np.abs(h_ln[:, -1] - h_ln_keras)) < 1e-5
assert np.abs(ln_cache.z_hat.mean(axis=2)).max() < 1e-9

# %% [markdown]
# **Residual connections** let a layer learn a correction to its input instead of a whole new
# representation: $h^{(l)} = h^{(l-1)} + \mathrm{RNN}_l(h^{(l-1)})$ for every layer above the first (which
# maps $D$ inputs to $H$ units, so all the layers above need the same $H$). The identity path also carries
# gradients straight down the stack. `build_stacked_rnn(residual=True)` adds them with `keras.layers.Add`;
# `stack_rnn_forward(..., residual=True)` is the NumPy version (exercise 3 asks you to write it).
#
# Both options on the forecasting task, as 3-layer stacks with the same data, epochs, learning-rate
# schedule and seed as the plain 3-layer stack of section 2:

# %%
for label, option in (("3 layers + residual", "residual"), ("3 layers + layer norm", "layer_norm")):
    net = models.build_stacked_rnn((None, 1), (16, 16, 16), **{option: True}, seed=SEED)
    net.compile(optimizer=keras.optimizers.Adam(schedule), loss="mse")
    net.fit(x_train, y_train, epochs=EPOCHS, batch_size=32, verbose=0)
    results[label] = forecasting.mse(y_valid, forecasting.forecast_direct(net, x_valid))
for label in ("3 x SimpleRNN(16)", "3 layers + residual", "3 layers + layer norm", "naive"):
    print(f"{label:>22}: validation MSE {results[label]:.4f}")

# %%
claims.record("nb05.residual_valid_mse", results["3 layers + residual"])
claims.record("nb05.layer_norm_valid_mse", results["3 layers + layer norm"])
claims.below("nb05.residual_vs_naive", results["3 layers + residual"] / results["naive"], 0.5)
claims.below("nb05.layer_norm_vs_naive", results["3 layers + layer norm"] / results["naive"], 0.75)
claims.record(
    "nb05.layer_norm_vs_plain", results["3 layers + layer norm"] / results["3 x SimpleRNN(16)"]
)
claims.record(
    "nb05.residual_vs_plain", results["3 layers + residual"] / results["3 x SimpleRNN(16)"]
)

# %% [markdown]
# Like the plain stack, the residual one beats the naive forecast by a wide margin (its validation MSE is
# below half the naive one, asserted). The layer-norm stack learns too, less well: its validation MSE is
# below 3/4 of the naive one at every seed (asserted). Against the plain 3-layer stack it is no free win
# at this budget: in the run shown it does worse, and its ratio to the plain stack's error over seeds is
# recorded, not asserted (`nb05.layer_norm_vs_plain` in `docs/claims.md`). Ba et al. report its benefits
# on long sequences and larger models trained for much longer.

# %% [markdown]
# ## 5. Distributing a deep RNN across devices
#
# Deep RNNs are slow to train: every layer is a loop over time. There are two ways to spread the work
# over several devices (GPUs), and both are shown here on two devices. With two GPUs or more,
# `distribute.devices(2)` (called at the top of this notebook) returns the first two; with fewer it splits
# the CPU into two *logical* devices with `tf.config.set_logical_device_configuration`. They share the
# same cores, so nothing runs faster, but TensorFlow places, copies and exchanges data exactly as it would
# between two GPUs, and the same cells run unchanged on a machine with GPUs. TensorFlow fixes its devices
# when it runs its first operation, which is why the split happens before anything else.

# %%
print("devices:", DEVICES)

# %% [markdown]
# ### Data parallelism: `MirroredStrategy`
#
# `tf.distribute.MirroredStrategy(DEVICES)` keeps one copy (*replica*) of the whole model on each device,
# gives each replica its share of every batch, and sums the gradients of the replicas before each update
# (each replica's loss is divided by the number of replicas), so every copy makes the same update and the
# copies stay identical. The only change to the code is *where the model is built*: inside
# `strategy.scope()`.
#
# So one step on a global batch of 64 windows, split 32 + 32 between the two replicas, must be the step a
# single device takes on the same 64 windows. `distribute.mirrored_step` checks that: it trains one plain
# SGD step of our 2-layer stack under the strategy and one on a single device, from the same weights, and
# compares the two updates. (Plain SGD, because its update is the learning rate times the gradient: a
# gradient averaged over only one replica's windows would show. As a control, one step on the first
# replica's 32 windows alone is computed too.) The check is not a formality: Keras releases before 3.8 fail
# it (3.3-3.4 apply one replica's gradient, 3.5-3.6 the sum of both replicas'), which is why the course
# needs Keras 3.8 or newer.

# %%
mirrored = distribute.mirrored_step(
    lambda: models.build_stacked_rnn((None, 1), (16, 16), seed=SEED),
    x_train[:64],  # (64, 30, 1): one global batch
    y_train[:64],
    DEVICES,
)

# %%
# NBVAL_CHECK_OUTPUT
print(
    f"replicas: {mirrored.replicas} | windows per replica: {mirrored.examples_per_replica} | "
    f"copies of every weight: {mirrored.copies_per_variable}"
)
print(
    "mirrored update equals the one-device update on the same 64 windows (to 1e-4):",
    mirrored.update_difference < 1e-4,
)
print(
    "control, one replica's 32 windows alone: a different update (by more than 1e-2):",
    mirrored.half_batch_difference > 1e-2,
)
assert mirrored.replicas == 2 and mirrored.examples_per_replica == (32, 32), mirrored
assert mirrored.copies_per_variable == 2, mirrored
assert mirrored.update_difference < 1e-4 < 1e-2 < mirrored.half_batch_difference, mirrored

# %% [markdown]
# ### Model parallelism: one layer per device
#
# The technique the lecture describes for deep RNNs splits the *model* instead: each layer lives on its
# own device, and only its state sequence travels up to the next device. Its real gain comes from time:
# layer 2 can compute step $t$ as soon as layer 1 has finished step $t$, while layer 1 goes on with step
# $t + 1$. The layers work like a pipeline along time, and after $L - 1$ steps all $L$ devices are busy
# (Sutskever et al., 2014, trained their 4-layer translation LSTM this way, one layer per GPU). For
# TensorFlow to see that, every step must be its own operation: `unroll=True`. With Keras' usual loop
# (one `while` operation per layer) layer 2 would wait for layer 1's whole sequence and the devices would
# take turns.
#
# `distribute.build_layer_per_device_rnn` builds the 2-layer stack of section 2 with layer $l$ built
# (its weights) and run (its operations) under `tf.device(DEVICES[l])`, the head with the top layer. We
# copy into it the weights of the one-device `build_stacked_rnn` model, ask `distribute.placement` where
# each layer's weights and operations are, and compare the outputs of the two models:

# %%
model_parallel = distribute.build_layer_per_device_rnn((30, 1), (16, 16), DEVICES)
one_device = models.build_stacked_rnn((30, 1), (16, 16), seed=SEED)
model_parallel.set_weights(one_device.get_weights())  # the same weights, now split over two devices
where = distribute.placement(model_parallel, (30, 1))
for place in where:
    print(f"{place.layer}: weights on {place.variables}, operations on {place.operations}")
same_output = np.allclose(model_parallel(x_valid), one_device(x_valid), rtol=1e-5, atol=1e-6)

# %%
# NBVAL_CHECK_OUTPUT
for place in where:
    on = {distribute.device_index(d, DEVICES) for d in place.variables + place.operations}
    print(
        f"{place.layer}: weights and operations on device {sorted(on)} of {list(range(len(DEVICES)))}"
    )
print("outputs equal the one-device model's (to 1e-5):", same_output)
assert [p.layer for p in where] == ["simple_rnn_1", "simple_rnn_2", "head"], where
for place, device in zip(where, (0, 1, 1)):
    assert {distribute.device_index(d, DEVICES) for d in place.variables} == {device}, place
    assert {distribute.device_index(d, DEVICES) for d in place.operations} == {device}, place
assert same_output

# %% [markdown]
# **When each pays.** Data parallelism copies every weight to every device and exchanges every gradient
# at every step, while each device computes on its share of the batch: it pays when the batch is large
# enough to keep every device busy and the model small enough to fit on one device (the global batch
# grows with the number of devices, which may call for a larger learning rate). Model parallelism sends
# only states, one $(N, H)$ array per step and layer, and no weights; it pays when the model does not fit
# one device, and for a deep RNN because its layers pipeline along time, with as many devices as layers
# of similar cost. Neither makes a single layer's loop over time shorter: step $t$ still waits for step
# $t - 1$.

# %% [markdown]
# ## 6. Why many time steps stay hard
#
# Depth stacks layers *upward*; it does nothing for the path *back in time*. With steps numbered
# $1, \dots, T$ as in the figure of section 1, every path from the input $x(T-k)$ to the top state
# $h^{(L)}(T)$ takes $k$ steps back in time, each through a Jacobian of the recurrence of the layer it is in,
# $\mathrm{diag}\big(1 - h^{(l)}(t)^2\big)\, {W_y^{(l)}}^\top$, and products of $k$ such matrices shrink
# (or blow up) geometrically with $k$, as notebook 04 showed for one layer. `deep.gradient_norm_by_lag` runs
# the NumPy stack backward (`deep.stack_rnn_backward`) with the **trained** weights of the depth-1, 2 and 3
# models, on windows of $T = 200$ steps, and measures $\|\partial h^{(L)}(T) / \partial x(T-k)\|$ for each
# lag $k$:

# %%
# Longer windows (T = 200) of the same family: the frequencies are scaled so that each step covers the same
# stretch of signal as in the 31-step series the models were trained on.
stretch = 199 / 30
long_windows = generate_series(
    64,
    200,
    seed=SEED + 9,
    freq_ranges=[(lo * stretch, hi * stretch) for lo, hi in DEFAULT_FREQ_RANGES],
).astype(np.float64)  # (64, 200, 1)
norms = {}
for depth, rnn in depth_models.items():
    trained = deep.stack_params_from_keras(rnn)  # the trained weights, bottom layer first
    norms[f"{depth} layer(s)"] = deep.gradient_norm_by_lag(long_windows, trained)  # (T,)
ax = deep.plot_gradient_by_lag(norms)
ax.set_title("gradient reaching x(T-k), trained stacks")
plt.show()

# %%
for label, values in norms.items():
    ratios = ", ".join(f"lag {k}: {values[k] / values[0]:.0e}" for k in (10, 40, 80, 160))
    print(f"{label}: gradient relative to lag 0 -> {ratios}")

# %% [markdown]
# In every stack of this run the gradient from 160 steps back is far weaker than from the last step,
# whatever the depth, and it shrinks from lag to lag in the table, though not smoothly in between. That is
# the common case, not a law: a trained recurrence can sit near the border between vanishing and
# exploding (notebook 04), where a small change of the weights tips it one way or the other, and plain
# training does not aim for that border. So we assert only what holds at every seed: the single layer's
# gradient from 160 steps back is below 1/10 of the last step's (asserted). A deeper stack usually loses
# even more, but not always: each depth's own ratio, and whether it fell at every lag of the table, is
# recorded in `docs/claims.md` (`nb05.grad_ratio_lag160_depth1` to `depth3`,
# `nb05.grad_lags_decreasing_depth1` to `depth3`, 1 for yes), where the seeds at which a 2- or 3-layer
# stack kept much of its gradient show. So a plain recurrent network usually learns little from
# information that far back: by the time the error signal gets there it has mostly faded. That is the
# motivation for **gated cells**: the LSTM (next notebook) and the GRU add a path through time whose
# Jacobian can stay close to the identity by design, so the gradient survives over long spans.

# %%
for label, values in norms.items():
    depth = label.split()[0]
    ratio = values[160] / values[0]
    if depth == "1":  # the single layer loses its gradient at every seed; a deeper stack not always
        claims.below("nb05.grad_ratio_lag160_depth1", ratio, 0.1)
    else:
        claims.record(f"nb05.grad_ratio_lag160_depth{depth}", ratio)
    claims.record(
        f"nb05.grad_lags_decreasing_depth{depth}",
        float(np.all(np.diff(values[[10, 40, 80, 160]]) < 0)),
    )
ratios_160 = np.array([values[160] / values[0] for values in norms.values()])  # (3,) one per depth
claims.record("nb05.grad_ratio_lag160_median", float(np.median(ratios_160)))
claims.record("nb05.grad_ratio_lag160_max", float(ratios_160.max()))

# %% [markdown]
# ## Exercises
#
# Each check prints what is right or what to fix; nothing here raises.
#
# **Exercise 1 — a stack in NumPy.** Write `stack_forward(x, layers)`: `x` is $(N, T, D)$, `layers` a list
# of dicts `{"Wx", "Wh", "b"}` (bottom first, Keras' layout), and the result the top layer's states at every
# step, $(N, T, H_L)$. Start every layer from a zero state and use `ref.rnn_forward` for one layer.


# %%
def stack_forward(x, layers):
    raise NotImplementedError


feedback = check.exercise_05_1(stack_forward)

# %% [markdown]
# **Exercise 2 — counting weights.** Write `param_count(d_in, units, outputs)`: the number of weights of
# a stack of `SimpleRNN` layers with sizes `units` (a list, bottom first) reading `d_in` features, followed
# by `Dense(outputs)` on the last state. Compare with `model.count_params()` of section 2.


# %%
def param_count(d_in, units, outputs):
    raise NotImplementedError


feedback = check.exercise_05_2(param_count)

# %% [markdown]
# **Exercise 3 — residual connections.** Write `residual_forward(x, layers)` like exercise 1, but every
# layer above the first adds its input to its output: $h^{(l)} = h^{(l-1)} + \mathrm{RNN}_l(h^{(l-1)})$.


# %%
def residual_forward(x, layers):
    raise NotImplementedError


feedback = check.exercise_05_3(residual_forward)

# %% [markdown]
# ## Summary
#
# - A deep RNN stacks recurrent layers: every layer but the last returns its whole state sequence
#   (`return_sequences=True`), and the NumPy stack with Keras' weights gives Keras' numbers.
# - On the forecasting task every depth beat the naive baseline by a wide margin; how the depths rank
#   against each other is recorded over seeds, not asserted. Each extra layer adds weights and a pass
#   over time.
# - Dropout between layers and recurrent dropout (one mask per sequence) shrank the train-validation gap
#   of an over-fitting stack, mainly by raising the training error; on that small task early stopping
#   did better. Layer normalisation and residual connections are two more tools for deep stacks.
# - Data parallelism (`MirroredStrategy`, the model built inside `strategy.scope()`) splits each batch over
#   the devices and makes exactly the one-device update; model parallelism puts each layer on its own
#   device and, unrolled, pipelines the layers along time. Two GPUs, or the CPU split in two, show both.
# - However deep the stack, the gradient from far-back steps usually vanishes: the reason for gated cells.
#
# **Next:** [06 — long short-term memory](06_lstm.ipynb), the cell built to keep that gradient alive.
