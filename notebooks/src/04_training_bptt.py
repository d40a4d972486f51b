# %% [markdown]
# # Training recurrent networks: backpropagation through time
#
# *Lecture part: **Training** (backpropagation through time, truncation, vanishing and exploding
# gradients, clipping). Before: [03 — TensorFlow/Keras examples](03_tensorflow_examples.ipynb).
# Next: [05 — deep RNNs](05_deep_rnns.ipynb).*
#
# **In this notebook you will**
# - derive backpropagation through time (BPTT) for the simple recurrent layer in the lecture's notation,
#   and see why the gradient of $W_y$ is a sum over time;
# - prove a NumPy BPTT right with a numerical gradient check and against `tf.GradientTape`;
# - train a recurrent model end to end in NumPy on a task that needs memory, with Adam written in a few lines;
# - see that truncating BPTT below the task's dependency length makes it unlearnable;
# - measure vanishing and exploding gradients against the bound $\|W_y\|_2^k$ (spectral norm), and tame
#   explosions by clipping.

# %%
import inspect

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from IPython.display import display

from course_utils import check, claims, curves
from course_utils import gradflow as gf
from course_utils import reference as ref
from course_utils import training
from course_utils.data import chance_accuracy, delayed_echo
from course_utils.diagrams import unrolled
from course_utils.gradcheck import numerical_gradient, rel_error
from course_utils.widgets import gradflow as gradflow_widget

# The knob: updates per training run (the claims below are checked at 300; more give smoother curves).
STEPS = 300

# %% [markdown]
# ## 1. Backpropagation through time, derived
#
# **Unroll, run forward, compute the cost, backpropagate.** A recurrent layer applies the *same* cell at
# every step, so unrolled over $T$ steps it is an ordinary feed-forward network of depth $T$ whose layers
# share the weights $W_x$, $W_y$, $b$. Training it is plain backpropagation on the unrolled graph:
#
# 1. run the unrolled network forward over the whole sequence;
# 2. evaluate the cost $C\big(y^{(t_{\min})}, \dots, y^{(t_{\max})}\big)$ on the outputs it uses — all of
#    them for sequence-to-sequence, only the last for sequence-to-vector (some outputs may be ignored);
# 3. propagate the gradients backward through the unrolled network (against the red arrows below);
# 4. update the shared parameters with the gradients summed over every step where they were used.

# %%
ax = unrolled.unrolled(
    5,
    y_labels=[None, None, r"$y^{(3)}$", r"$y^{(4)}$", r"$y^{(5)}$"],
    title=r"the cost $C(y^{(3)}, y^{(4)}, y^{(5)})$ ignores $y^{(1)}, y^{(2)}$; gradients flow back through all 5 steps",
)
plt.show()

# %% [markdown]
# **Forward pass** (row-batch form, one row per sequence; the output layer $W_o$, $b_o$ reads the state):
#
# $$a^{(t)} = X^{(t)} W_x + Y^{(t-1)} W_y + b, \qquad Y^{(t)} = \phi\big(a^{(t)}\big), \qquad
#   Z^{(t)} = Y^{(t)} W_o + b_o, \qquad C = \frac{1}{|S|}\sum_{t \in S} \ell\big(Z^{(t)}, \hat Y^{(t)}\big)$$
#
# where $S$ is the set of steps the cost uses ($S = \{1..T\}$ or $S = \{T\}$) and $\hat Y^{(t)}$ the targets.
# In the code the state $Y^{(t)}$ is called `h` and $W_y$ is `Wh` (Keras' `recurrent_kernel`).
#
# **Backward pass.** Write $dZ^{(t)} = \partial C / \partial Z^{(t)}$ (zero for $t \notin S$),
# $G^{(t)} = \partial C / \partial Y^{(t)}$ for the *total* gradient reaching the state at step $t$ (through
# the output at $t$ and through every later step), and $\Delta^{(t)} = \partial C / \partial a^{(t)}$.
# Going from $t = T$ down to $1$, with $\Delta^{(T+1)} = 0$:
#
# $$G^{(t)} = dZ^{(t)} W_o^\top + \Delta^{(t+1)} W_y^\top, \qquad
#   \Delta^{(t)} = G^{(t)} \odot \phi'\big(a^{(t)}\big) = G^{(t)} \odot \big(1 - (Y^{(t)})^2\big) \text{ for } \phi = \tanh .$$
#
# The first term is the gradient from this step's output; the second arrives from the future through the
# recurrence — this is what makes it *through time*. Each weight is used once per step, so its gradient is
# the **sum over time** of the per-step contributions (and over the batch, the rows):
#
# $$\frac{\partial C}{\partial W_y} = \sum_{t=1}^{T} \big(Y^{(t-1)}\big)^\top \Delta^{(t)}, \quad
#   \frac{\partial C}{\partial W_x} = \sum_{t=1}^{T} \big(X^{(t)}\big)^\top \Delta^{(t)}, \quad
#   \frac{\partial C}{\partial b} = \sum_{t=1}^{T} \mathbf{1}^\top \Delta^{(t)}, \quad
#   \frac{\partial C}{\partial W_o} = \sum_{t=1}^{T} \big(Y^{(t)}\big)^\top dZ^{(t)}, \quad
#   \frac{\partial C}{\partial Y^{(0)}} = \Delta^{(1)} W_y^\top .$$
#
# | symbol | code | shape |
# |---|---|---|
# | $X^{(t)}$, all steps | `x` | $(N, T, D)$ |
# | $Y^{(t)}$, all steps | `h` | $(N, T, H)$ |
# | $Y^{(0)}$ | `h0` | $(N, H)$ |
# | $W_x$, $W_y$, $b$ | `Wx`, `Wh`, `b` | $(D, H)$, $(H, H)$, $(H,)$ |
# | $W_o$, $b_o$ | `Wo`, `bo` | $(H, O)$, $(O,)$ |
# | $Z^{(t)}$, $dZ^{(t)}$ | `z`, `dz` | $(N, T, O)$ |
# | $dZ^{(t)} W_o^\top$ | `dh` (input of `rnn_backward`) | $(N, T, H)$ |
#
# **The loop.** In code, `training.backward` computes $\partial C/\partial W_o$ and `dh` $= dZ^{(t)} W_o^\top$
# for every step, and `reference.rnn_backward(dh, cache)` runs the recursion for $G^{(t)}$ and
# $\Delta^{(t)}$ above. Without a mask or truncation it is this loop, backwards over time:
#
# ```python
# dx, dprev_h = np.zeros_like(x), np.zeros_like(h0)      # dprev_h: Delta(t+1) W_y^T, zero after the last step
# dWx = dWh = db = 0.0
# for t in reversed(range(T)):                           # t = T-1, ..., 0
#     dx[:, t], dprev_h, dWx_t, dWh_t, db_t = ref.rnn_step_backward(dh[:, t] + dprev_h, cache.steps[t])
#     dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t  # a shared weight: a sum over time
# dh0 = dprev_h                                          # what reaches the initial state Y(0)
# ```
#
# `dh[:, t] + dprev_h` is $G^{(t)}$: this step's output plus the future. One step back,
# `rnn_step_backward` forms $\Delta^{(t)} = G^{(t)} \odot (1 - (Y^{(t)})^2)$ and returns
# $\Delta^{(t)} W_x^\top$ (for `dx`), $\Delta^{(t)} W_y^\top$ (the next `dprev_h`) and the step's terms
# $(X^{(t)})^\top \Delta^{(t)}$, $(Y^{(t-1)})^\top \Delta^{(t)}$, $\mathbf{1}^\top \Delta^{(t)}$ of the three sums.
# `reference.rnn_backward` writes the same loop, with two places where the gradient stops: a *padded* step
# (mask False) hands its gradient unchanged to $Y^{(t-1)}$ and gives the weights nothing, and
# *truncation* (section 4) runs one such loop per loss over $k$ steps only. The LSTM and GRU
# (`lstm_backward`, `gru_backward`) have the same loop with their own step. Run it and compare:

# %%
loop_rng = np.random.default_rng(SEED + 10)
x, h0 = loop_rng.normal(size=(2, 5, 3)), loop_rng.normal(size=(2, 4))  # (N, T, D), (N, H)
Wx, Wh, b = loop_rng.normal(size=(3, 4)), 0.5 * loop_rng.normal(size=(4, 4)), loop_rng.normal(size=4)
h, cache = ref.rnn_forward(x, h0, Wx, Wh, b)
dh = loop_rng.normal(size=h.shape)  # upstream gradient of every state, (N, T, H)

dx, dprev_h = np.zeros_like(x), np.zeros_like(h0)
dWx = dWh = db = 0.0
for t in reversed(range(x.shape[1])):
    dx[:, t], dprev_h, dWx_t, dWh_t, db_t = ref.rnn_step_backward(dh[:, t] + dprev_h, cache.steps[t])
    dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
dh0 = dprev_h

# %%
# NBVAL_CHECK_OUTPUT
by_loop, by_reference = (dx, dh0, dWx, dWh, db), ref.rnn_backward(dh, cache)
same = all(np.allclose(a, r, rtol=1e-12, atol=0) for a, r in zip(by_loop, by_reference))
assert same
print(f"the loop above gives reference.rnn_backward's dx, dh0, dWx, dWh, db (to 1e-12): {same}")

# %% [markdown]
# ## 2. BPTT in NumPy, proven right
#
# **Numerical gradient check.** Nudge each weight by $\pm h$ and compare the change of the cost with the
# analytic gradient: the central difference $\big(C(w + h) - C(w - h)\big) / 2h$ has error $O(h^2)$, so in
# float64 the two agree to about $10^{-9}$. We check every parameter of a small model, for a masked
# sequence-to-sequence cross-entropy and for a sequence-to-vector mean squared error.

# %%
N, T, D, H, n_out = 3, 6, 3, 5, 4  # n_out is O, the number of outputs
rng = np.random.default_rng(SEED)
params = training.init_params(D, H, n_out, seed=SEED)
params["b"], params["bo"] = 0.1 * rng.normal(size=H), 0.1 * rng.normal(size=n_out)
x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
labels, mask = rng.integers(0, n_out, size=(N, T)), rng.random((N, T)) > 0.3
values = rng.normal(size=(N, n_out))
costs = {
    "seq-to-seq, cross-entropy": dict(targets=labels, loss="cross_entropy", mapping="seq2seq", mask=mask),
    "seq-to-vector, MSE": dict(targets=values, loss="mse", mapping="seq2vec"),
}
grad_errors = {}
for cost_name, cost in costs.items():
    kw = {k: v for k, v in cost.items() if k != "targets"}

    def cost_value(_, targets=cost["targets"], kw=kw):  # reads params, which numerical_gradient nudges
        return np.array(training.loss_and_grad(training.forward(params, x, h0)[0], targets, **kw)[0])

    z, cache = training.forward(params, x, h0)
    _, dz = training.loss_and_grad(z, cost["targets"], **kw)
    grads, _, _ = training.backward(dz, cache)
    for name in training.PARAM_NAMES:
        numeric = numerical_gradient(cost_value, params[name], np.array(1.0))
        grad_errors[cost_name, name] = rel_error(grads[name], numeric)
for (cost_name, name), err in grad_errors.items():
    print(f"{cost_name:>26} | d{name:<3}: relative error {err:.1e}")
worst_gradcheck = claims.record("nb04.gradcheck_max_rel_error", max(grad_errors.values()))

# %%
# NBVAL_CHECK_OUTPUT
assert worst_gradcheck < 1e-7, worst_gradcheck
print(f"every analytic gradient matches its numerical estimate: relative error below 1e-7: {worst_gradcheck < 1e-7}")

# %% [markdown]
# **Agreement with TensorFlow.** The same weights go into Keras' `SimpleRNN` and `Dense` layers (the NumPy
# code uses Keras' weight layouts, so they drop in unchanged); `tf.GradientTape` differentiates the same
# masked cross-entropy, in float64.

# %%
rnn_layer = keras.layers.SimpleRNN(H, return_sequences=True, dtype="float64")
dense_layer = keras.layers.Dense(n_out, dtype="float64")
rnn_layer.build((None, T, D))
dense_layer.build((None, T, H))
rnn_layer.set_weights([params["Wx"], params["Wh"], params["b"]])
dense_layer.set_weights([params["Wo"], params["bo"]])
with tf.GradientTape() as tape:
    z_tf = dense_layer(rnn_layer(tf.constant(x), initial_state=[tf.constant(h0)]))
    per_step = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=z_tf)  # (N, T)
    cost_tf = tf.reduce_sum(per_step * mask) / mask.sum()
tf_grads = tape.gradient(cost_tf, rnn_layer.trainable_weights + dense_layer.trainable_weights)

z, cache = training.forward(params, x, h0)
cost_np, dz = training.loss_and_grad(z, labels, mask=mask)
np_grads, _, _ = training.backward(dz, cache)
tf_errors = {name: rel_error(np_grads[name], g.numpy()) for name, g in zip(training.PARAM_NAMES, tf_grads)}
print({name: f"{err:.1e}" for name, err in tf_errors.items()}, f"| cost difference {abs(cost_np - float(cost_tf)):.1e}")
worst_tf = claims.record("nb04.numpy_vs_tf_max_rel_error", max(tf_errors.values()))

# %%
# NBVAL_CHECK_OUTPUT
assert worst_tf < 1e-7 and abs(cost_np - float(cost_tf)) < 1e-12, worst_tf
print(f"NumPy BPTT equals tf.GradientTape on the same weights (relative error below 1e-7): {worst_tf < 1e-7}")

# %% [markdown]
# ## 3. Training with it: a task that needs memory
#
# The **delayed echo**: at each step the network sees one of $K$ symbols and must output the symbol it saw
# $d$ steps earlier. The answer at step $t$ depends on $x^{(t-d)}$ and on nothing else, so the task's
# *dependency length* is exactly $d$, and guessing gives accuracy $1/K$. We train on $d = 6$, $K = 8$ with
# full BPTT and Adam. The optimisers are a few lines each:

# %%
print(inspect.getsource(training.Adam.step))

# %%
DELAY, K, HIDDEN, SEQ_LEN = 6, 8, 32, 24
train_task = delayed_echo(256, SEQ_LEN, DELAY, n_symbols=K, seed=SEED + 1)
test_task = delayed_echo(256, SEQ_LEN, DELAY, n_symbols=K, seed=SEED + 2)


def echo_accuracy(p):
    """Held-out accuracy on the steps that have a target."""
    return training.accuracy(training.forward(p, test_task.x)[0], test_task.y, test_task.mask)


def train_echo(truncate=None, seed=SEED):
    p = training.init_params(K, HIDDEN, K, seed=seed)
    history = training.train(
        p, train_task.x, train_task.y, mask=train_task.mask, steps=STEPS, batch_size=32,
        truncate=truncate, optimizer=training.Adam(1e-2), seed=seed,
    )
    return p, history


echo_params, full_history = train_echo()
ax = curves.plot_curves({"full BPTT, Adam": full_history})
ax.axhline(np.log(K), color="grey", ls=":", label="guessing: ln K")
ax.legend(fontsize=8)
plt.show()

# %%
first, last = full_history.loss[0], float(np.mean(full_history.loss[-10:]))
drop = claims.above("nb04.echo_loss_drop_factor", first / last, 20)
full_acc = echo_accuracy(echo_params)
claims.below("nb04.echo_full_bptt_error_rate", 1 - full_acc, 0.1)
print(f"loss fell {drop:.0f}x; held-out accuracy {full_acc:.3f} (chance {chance_accuracy(K):.3f})")

# %% [markdown]
# ## 4. Truncated BPTT
#
# Full BPTT costs memory and time proportional to the sequence length. **Truncated BPTT** stops each
# gradient after $k$ steps: the loss at step $t$ reaches back through steps $t, t-1, \dots, t-k+1$ only
# (`rnn_backward(dh, cache, truncate=k)` runs the loop of section 1 once per loss, over its $k$ steps, and
# drops the `dprev_h` that would reach $Y^{(t-k)}$). For the echo, the input that decides $y^{(t)}$ is
# $x^{(t-d)}$, so it is reached only when $t - d \ge t - k + 1$, i.e. $k \ge d + 1$. With $k \le d$ the
# weights $W_x$ and $W_y$ never receive a gradient that connects an output to its cause. We train with
# $k = d$ and $k = 2d$ on the same budget. (This per-step form carries each step's gradient separately, so
# it costs *more* than full BPTT, $O(Tk)$ step backward passes instead of $O(T)$: it is here to isolate
# the effect of $k$. The savings come from the chunked form below, which never keeps more than $L$ steps.)

# %%
short_params, short_history = train_echo(truncate=DELAY)
long_params, long_history = train_echo(truncate=2 * DELAY)
curves.plot_curves({"full BPTT": full_history, f"truncate k = {2 * DELAY}": long_history, f"truncate k = {DELAY}": short_history})
plt.show()

# %% [markdown]
# **Stateful training over chunks** is the other common form: each row is one long stream cut into
# consecutive chunks of $L$ steps, the last state of a chunk is the initial state of the next (the
# memory is carried forward), but the gradient stops at the chunk boundary. A target whose cause lies in
# an earlier chunk teaches nothing, so chunks of $L \le d$ steps cannot learn the echo either.

# %%
stream = delayed_echo(32, 40 * DELAY, DELAY, n_symbols=K, seed=SEED + 3)
chunk_acc = {}
for chunk in (DELAY, 2 * DELAY):
    p = training.init_params(K, HIDDEN, K, seed=SEED)
    training.train(p, stream.x, stream.y, mask=stream.mask, steps=STEPS, chunk=chunk, optimizer=training.Adam(1e-2))
    chunk_acc[chunk] = echo_accuracy(p)

# %%
short_acc, long_acc = echo_accuracy(short_params), echo_accuracy(long_params)
claims.below("nb04.truncate_k_d_accuracy", short_acc, 0.45)
claims.below("nb04.truncate_k_2d_error_rate", 1 - long_acc, 0.1)
claims.below("nb04.chunk_L_d_accuracy", chunk_acc[DELAY], 0.45)
claims.below("nb04.chunk_L_2d_error_rate", 1 - chunk_acc[2 * DELAY], 0.1)
claims.above("nb04.truncate_k_d_over_chance", short_acc / chance_accuracy(K), 1.2)
claims.above("nb04.chunk_L_d_over_chance", chunk_acc[DELAY] / chance_accuracy(K), 1.2)
print(f"dependency length d = {DELAY}, chance {chance_accuracy(K):.3f}; held-out accuracy:")
print(f"truncate k = d : {short_acc:.3f} | truncate k = 2d : {long_acc:.3f}")
print(f"chunks   L = d : {chunk_acc[DELAY]:.3f} | chunks   L = 2d : {chunk_acc[2 * DELAY]:.3f}")

# %% [markdown]
# Below the dependency length the accuracy stays far from the 0.9+ of full BPTT (asserted below 0.45, with
# chance at $1/K = 0.125$; over seeds 0-4 and perturbed floats (docs/claims.md): 0.195-0.23 for $k = d$,
# 0.214-0.311 for $L = d$). It is still above chance because the output layer gets full gradients and
# can read whatever the untrained recurrence happens to remember of $x^{(t-d)}$. What truncation removes
# is the signal that would *train* the recurrence to remember it.

# %% [markdown]
# ## 5. Vanishing and exploding gradients
#
# For one sequence (one row), one step of the recurrence has the Jacobian
# $J^{(s)} = \partial Y^{(s)} / \partial Y^{(s-1)} = \operatorname{diag}\big(\phi'(a^{(s)})\big)\, W_y^\top$.
# The chain rule multiplies these from the last step back, so the gradient that reaches $Y^{(t)}$ from
# $Y^{(T)}$ passes through $k = T - t$ of them, in this order (matrices do not commute):
#
# $$\frac{\partial Y^{(T)}}{\partial Y^{(t)}} = J^{(T)} J^{(T-1)} \cdots J^{(t+1)},
# \qquad \Big\|\frac{\partial Y^{(T)}}{\partial Y^{(t)}}\Big\|_2 \le \prod_{s=t+1}^{T} \big\|J^{(s)}\big\|_2
# \le \big(\max|\phi'| \cdot \|W_y\|_2\big)^{k} \le \|W_y\|_2^{k} \quad \text{for } |\phi'| \le 1 \text{ (tanh, linear)}.$$
#
# Two numbers describe $W_y$ here, and they differ in general:
#
# - the **spectral norm** $\|W_y\|_2$, the largest singular value, gives the bound above, at every $k$;
# - the **spectral radius** $\rho(W_y)$, the largest $|\lambda|$ (the $\rho$ of notebook 01), is never larger
#   than the norm and gives the *long-run* rate: $\|W_y^k\|_2^{1/k} \to \rho(W_y)$. A linear recurrence
#   eventually vanishes when $\rho(W_y) < 1$ and keeps growing geometrically only when $\rho(W_y) > 1$, but
#   on the way it can grow by up to $\|W_y\|_2$ per step.
#
# In the curves below $W_y = \rho Q$ with $Q$ orthogonal, where the two coincide: norm and radius are both
# $\rho$, the bound reads $\rho^k$, and for a **linear** activation it is an equality — the gradient
# shrinks ($\rho < 1$, *vanishing*) or grows ($\rho > 1$, *exploding*) exactly like $\rho^k$. With **tanh**,
# $\phi' = 1 - (Y^{(s)})^2 < 1$ shrinks it further. By how much depends on how far the inputs push tanh into
# saturation: the tanh curves are driven by random pre-activations $u^{(s)} \sim \mathcal{N}(0, 1)$ per unit
# (standing for $X^{(s)} W_x + b$; `gf.jacobian_norms(..., drive=1.0)`), so their numbers describe that
# drive, not every input.

# %%
RHOS, DISTANCE = (0.8, 1.0, 1.2), 50
flow = {
    (act, rho): gf.jacobian_norms(gf.scaled_orthogonal(32, rho, seed=SEED), DISTANCE, activation=act, seed=SEED)
    for act in gf.ACTIVATIONS
    for rho in RHOS
}
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), sharey=True)
for ax, act in zip(axes, ("linear", "tanh")):
    gf.plot_gradient_flow({rf"$\rho$ = {rho}": flow[act, rho] for rho in RHOS}, rhos=RHOS, ax=ax)
    ax.set_title(f"{act} activation" + (r", inputs $\mathcal{N}(0, 1)$" if act == "tanh" else ""))
plt.show()

# %%
# NBVAL_CHECK_OUTPUT
linear_dev = max(float(np.max(np.abs(flow["linear", rho] / gf.rho_power_bound(rho, DISTANCE) - 1))) for rho in RHOS)
tanh_ratio = max(float(np.max(flow["tanh", rho] / gf.rho_power_bound(rho, DISTANCE))) for rho in RHOS)
assert linear_dev < 1e-6 and tanh_ratio <= 1 + 1e-9, (linear_dev, tanh_ratio)
print(f"linear, W_y = rho Q: the norm follows rho^k within a relative 1e-6: {linear_dev < 1e-6}")
print(f"tanh, W_y = rho Q: never above the bound rho^k = ||W_y||_2^k: {tanh_ratio <= 1 + 1e-9}")

# %%
vanish_1_2 = claims.below("nb04.tanh_rho_1.2_norm_at_50", flow["tanh", 1.2][-1], 1e-2)
tanh_at_50 = claims.below("nb04.tanh_largest_norm_at_50", max(float(flow["tanh", rho][-1]) for rho in RHOS), 1e-3)
print(f"tanh, N(0, 1) inputs, after {DISTANCE} steps: rho = 1.2 gives {vanish_1_2:.1e}; the largest over rho = {RHOS}: {tanh_at_50:.1e}")

# %% [markdown]
# **Norm and radius apart.** A $2 \times 2$ matrix with radius 1 and norm 2 shows what each one says: the
# bound $\|W_y\|_2^k = 2^k$ holds but is loose, while the radius 1 is the long-run rate — the linear gradient
# norm $\|(W_y^\top)^k\|_2$ neither vanishes nor explodes, it alternates between 2 and 1.

# %%
# NBVAL_CHECK_OUTPUT
W_apart = np.array([[0.0, 2.0], [0.5, 0.0]])
apart = gf.jacobian_norms(W_apart, 6, activation="linear")  # ||(W_y^T)^k||_2, k = 0..6
print(f"spectral radius {gf.spectral_radius(W_apart):.2f}, spectral norm {np.linalg.norm(W_apart, 2):.2f}")
print(f"||(W_y^T)^k||_2 for k = 0..6: {np.round(apart, 2).tolist()}")

# %% [markdown]
# Notebook 01 builds $W_y$ by rescaling a random matrix to spectral radius $\rho$. Such a matrix is not
# orthogonal, and its spectral norm is larger than its radius (at radius 1: norm 1.24-2.49 over seeds 0-4
# and perturbed floats, docs/claims.md), so for it the bound is $\|W_y\|_2^k$, not $\rho^k$:

# %%
W_random = gf.scale_spectral_radius(np.random.default_rng(SEED + 4).normal(size=(8, 8)), 1.0)
random_norm = claims.above("nb04.random_radius_1_spectral_norm", np.linalg.norm(W_random, 2), 1.0)
print(f"random 8 x 8 matrix at spectral radius {gf.spectral_radius(W_random):.2f}: spectral norm {random_norm:.2f}")

# %% [markdown]
# Explore it: $\rho$ (the norm and the radius of $W_y = \rho Q$) and the activation are the controls (the
# figure above is the static view).

# %%
display(gradflow_widget.explore())

# %% [markdown]
# ## 6. Gradient clipping
#
# When gradients explode, one update can throw the weights far away and training never recovers. **Clipping**
# bounds the update:
#
# - **by global norm**: if $g = \sqrt{\sum_k \|G_k\|^2} > \tau$, scale every gradient by $\tau / g$ — the
#   direction is kept (`reference.clip_by_global_norm`);
# - **by value**: clip every entry into $[-\tau, \tau]$ — simpler, but it changes the direction
#   (`reference.clip_by_value`).

# %%
g = {"Wx": np.array([[3.0, 0.1]]), "Wh": np.array([[4.0, -0.2]])}
g_vec = np.concatenate([v.ravel() for v in g.values()])
by_norm = np.concatenate([v.ravel() for v in training.clip_gradients(g, max_norm=1.0).values()])
by_value = np.concatenate([v.ravel() for v in training.clip_gradients(g, max_value=1.0).values()])


def cosine(a, b):
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


# %%
# NBVAL_CHECK_OUTPUT
assert abs(cosine(g_vec, by_norm) - 1) < 1e-12 and cosine(g_vec, by_value) < 0.99
print(f"norm {np.linalg.norm(g_vec):.2f} -> by global norm: norm {np.linalg.norm(by_norm):.2f}, cosine with g {cosine(g_vec, by_norm):.3f}")
print(f"               -> by value:       norm {np.linalg.norm(by_value):.2f}, cosine with g {cosine(g_vec, by_value):.3f}")

# %% [markdown]
# **A run that explodes.** A short echo ($d = 2$, $K = 4$) over $T = 50$ steps, with the recurrent matrix
# initialised at $W_y = 2Q$ (norm and radius 2: the exploding regime) and plain SGD at learning rate 1. The
# same run, same seed, once without clipping and once clipping the global norm to $\tau = 0.5$.

# %%
clip_task = delayed_echo(32, 50, 2, n_symbols=4, seed=SEED)
clip_runs, clip_acc = {}, {}
for label, max_norm in (("no clipping", None), ("clip global norm to 0.5", 0.5)):
    p = training.init_params(4, HIDDEN, 4, rho=2.0, seed=SEED)
    clip_runs[label] = training.train(
        p, clip_task.x, clip_task.y, mask=clip_task.mask, steps=STEPS, optimizer=training.SGD(1.0), max_norm=max_norm
    )
    clip_acc[label] = training.accuracy(training.forward(p, clip_task.x)[0], clip_task.y, clip_task.mask)
fig, (ax_loss, ax_norm) = plt.subplots(1, 2, figsize=(11, 3.4))
curves.plot_curves(clip_runs, ax=ax_loss)
for label, history in clip_runs.items():
    ax_norm.semilogy(history.grad_norm, label=label)
ax_norm.set(xlabel="update", ylabel="global gradient norm (before clipping)")
ax_norm.legend(fontsize=8)
plt.show()

# %%
raw, clipped = clip_runs["no clipping"], clip_runs["clip global norm to 0.5"]
raw_ratio = claims.above("nb04.unclipped_final_over_initial_loss", np.mean(raw.loss[-10:]) / raw.loss[0], 1.0)
clip_ratio = claims.below("nb04.clipped_final_over_initial_loss", np.mean(clipped.loss[-10:]) / clipped.loss[0], 0.1)
claims.below("nb04.unclipped_accuracy", clip_acc["no clipping"], 0.5)
claims.below("nb04.clipped_error_rate", 1 - clip_acc["clip global norm to 0.5"], 0.05)
print(f"no clipping: final / initial loss {raw_ratio:.2f}, accuracy {clip_acc['no clipping']:.3f}")
print(f"clipping:    final / initial loss {clip_ratio:.4f}, accuracy {clip_acc['clip global norm to 0.5']:.3f}")

# %% [markdown]
# **Clipping does not fix vanishing gradients.** It only ever scales the whole gradient *down*, by one
# factor. Where the part of the gradient that comes from 50 steps back is tiny next to the part from the
# current step (section 5: below $10^{-3}$ of it for tanh with $\mathcal{N}(0, 1)$ inputs, for every $\rho$
# there), it stays tiny after clipping — the *ratio* is unchanged, so long-range dependencies remain
# invisible to training. Fixing that needs a different cell, one whose
# state can carry information (and gradient) across many steps with a Jacobian close to the identity: the
# **LSTM** and the **GRU** (notebooks 06 and 07).

# %% [markdown]
# The numbers behind the claims in this run. They change with the seed (`COURSE_SEED`) and slightly with the
# machine's floating point, so no test compares them as text: each claim above asserts its number with a
# margin, and `docs/claims.md` lists them over seeds 0-4 and perturbed floats.

# %%
numbers = {
    "gradient check, worst relative error": worst_gradcheck,
    "NumPy vs tf.GradientTape, worst relative error": worst_tf,
    "echo, loss drop factor (full BPTT)": drop,
    "echo accuracy, full BPTT": full_acc,
    f"echo accuracy, truncate k = {DELAY} / {2 * DELAY}": (short_acc, long_acc),
    f"echo accuracy, chunks L = {DELAY} / {2 * DELAY}": (chunk_acc[DELAY], chunk_acc[2 * DELAY]),
    "linear rho Q, largest relative deviation from rho^k": linear_dev,
    "random matrix at spectral radius 1, spectral norm": random_norm,
    "tanh rho = 1.2, norm after 50 steps": vanish_1_2,
    "tanh, largest norm after 50 steps (any rho)": tanh_at_50,
    "final / initial loss, no clipping / clipping": (raw_ratio, clip_ratio),
    "accuracy, no clipping / clipping": (clip_acc["no clipping"], clip_acc["clip global norm to 0.5"]),
}
for name, value in numbers.items():
    shown = " / ".join(f"{v:.3g}" for v in value) if isinstance(value, tuple) else f"{value:.3g}"
    print(f"{name:>52}: {shown}")


# %% [markdown]
# ## Exercises
#
# Each check prints what is right or what is wrong; replace `raise NotImplementedError` with your code.
#
# **Exercise 1.** One step of BPTT through the tanh layer: given the total gradient $G^{(t)}$ (`dh_t`,
# $(N, H)$), the state $Y^{(t)}$ (`h_t`) and $W_y$ (`Wh`), return the gradient that flows on to
# $Y^{(t-1)}$ through the recurrence.

# %%
def step_back(dh_t, h_t, Wh):
    """Return dh(t-1), shape (N, H)."""
    raise NotImplementedError


# NBVAL_CHECK_OUTPUT
_ = check.exercise_04_1(step_back)

# %% [markdown]
# **Exercise 2.** The output layer $Z^{(t)} = Y^{(t)} W_o + b_o$ is used at every step. Given all states
# `h` $(N, T, H)$ and `dz` $(N, T, O)$, return `(dWo, dbo)`.

# %%
def output_grads(h, dz):
    """Return (dWo of shape (H, O), dbo of shape (O,))."""
    raise NotImplementedError


# NBVAL_CHECK_OUTPUT
_ = check.exercise_04_2(output_grads)

# %% [markdown]
# **Exercise 3.** Clip a list of gradient arrays by their global norm `max_norm` (return a new list).

# %%
def clip_global(grads, max_norm):
    """Return the clipped list of arrays."""
    raise NotImplementedError


# NBVAL_CHECK_OUTPUT
_ = check.exercise_04_3(clip_global)

# %% [markdown]
# ## Summary
#
# - BPTT is backpropagation on the unrolled network: the cost uses some outputs, the gradient of each shared
#   weight is a sum over time, and the state's gradient combines this step's output with the future.
# - The NumPy BPTT passes a float64 gradient check (relative error below $10^{-7}$) and equals
#   `tf.GradientTape` on the same weights.
# - In code BPTT is one loop backwards over time: `dx[:, t], dprev_h, ... = step_backward(dh[:, t] + dprev_h,
#   cache.steps[t])`, the weight gradients summed over the steps; a mask or truncation only says where the
#   state's gradient stops.
# - Trained with it and Adam, a small model learns the delayed echo (the loss falls by more than 20x;
#   137-209x over seeds 0-4 and perturbed floats, docs/claims.md).
# - Truncating BPTT (per step, or stateful over chunks) below the dependency length leaves the task
#   unlearnable; above it, it is learned.
# - The gradient over $k$ steps is bounded by $\|W_y\|_2^k$, the spectral *norm* to the power $k$; the
#   spectral *radius* (notebook 01's $\rho$, at most the norm) sets the long-run rate. For $W_y = \rho Q$
#   both are $\rho$ and a linear layer follows $\rho^k$ exactly: it vanishes for $\rho < 1$, explodes for
#   $\rho > 1$; tanh makes it vanish faster, the more so the harder its inputs saturate it.
# - Clipping by global norm turns an exploding run into a training one, but cannot bring vanishing
#   gradients back: that takes gated cells.
#
# *The numbers behind every claim are printed in the cell before the exercises.*
#
# **Next:** [05 — deep RNNs](05_deep_rnns.ipynb), then the LSTM and GRU cells that fix vanishing gradients.
