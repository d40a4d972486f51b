# %% [markdown]
# # The basic recurrent cell and layer
#
# *Lecture part: **Basic RNNs** (Introduction, Basic Recurrent Cell, Basic Recurrent Layer, Memory Cells).
# Next: [02 — input/output mappings](02_io_mappings.ipynb).*
#
# **In this notebook you will**
# - see why sequences need more than fixed-size inputs, and what a 1D convolution cannot see;
# - write the recurrent neuron and the recurrent layer in the lecture's notation, with shapes and a parameter count;
# - run a recurrent layer from scratch in NumPy and prove it equal to `keras.layers.SimpleRNN`;
# - step through time on one sequence and watch the state die out, or grow until tanh stops it, as the spectral
#   radius of $W_y$ changes.

# %%
import dataclasses

import keras
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from course_utils import check, claims, gradflow
from course_utils import reference as ref
from course_utils.diagrams import unrolled
from course_utils.widgets import timestep

# The knob: length of the sequence in the time-step explorer (40 shows a longer decay; drawing is a bit slower).
STEPS = 16

# %% [markdown]
# ## 1. Why sequences?
#
# The networks so far take a **fixed-size** input: an image, a feature vector. Much data is a
# **sequence** of varying length where order matters: text, biological sequences (DNA, proteins),
# video, audio. A recurrent network reads a sequence one step at a time and carries a state forward.
#
# One alternative is a **1D convolution** over time: each output looks at a window of $k$ neighbouring
# steps, and stacking $L$ layers widens the window to $1 + L(k-1)$ steps (its *receptive field*). Anything
# further back is invisible. A tiny example: two sequences of 12 steps that differ only by an event at
# step 2. Two stacked causal convolutions with kernel size 3 see the last 5 steps, so at the last step
# they give **exactly the same output** for both sequences, whatever their weights. A recurrent state
# carries the event forward and tells them apart.

# %%
T_TINY, EVENT_AT, KERNEL, LAYERS = 12, 2, 3, 2
with_event = np.zeros((1, T_TINY, 1), dtype="float32")
with_event[0, EVENT_AT - 1, 0] = 1.0  # the event at step 2 (steps are numbered 1..T)
without_event = np.zeros_like(with_event)

conv = keras.Sequential(
    [keras.Input((T_TINY, 1))]
    + [keras.layers.Conv1D(4, KERNEL, padding="causal", activation="tanh", bias_initializer="random_normal") for _ in range(LAYERS)]
)
receptive_field = 1 + LAYERS * (KERNEL - 1)
conv_last = [conv(s, training=False).numpy()[0, -1] for s in (with_event, without_event)]

rng = np.random.default_rng(0)  # fixed weights: a worked example whose printed result is the same at every seed
Wx, Wh, b = rng.normal(size=(1, 4)), rng.normal(size=(4, 4)) * 0.5, rng.normal(size=4) * 0.1
rnn_last = [ref.rnn_forward(s.astype("float64"), np.zeros((1, 4)), Wx, Wh, b)[0][0, -1] for s in (with_event, without_event)]

conv_gap = float(np.abs(conv_last[0] - conv_last[1]).max())
rnn_gap = float(np.abs(rnn_last[0] - rnn_last[1]).max())
assert T_TINY - EVENT_AT >= receptive_field  # the event lies outside the convolution's window
assert conv_gap == 0.0, "the convolution cannot see the event"
assert rnn_gap > 1e-3, "the recurrent state remembers it"

# %%
# NBVAL_CHECK_OUTPUT
print(f"receptive field of {LAYERS} causal conv layers with kernel {KERNEL}: {receptive_field} steps")
print(f"event {T_TINY - EVENT_AT} steps before the end; last-step output difference: conv {conv_gap:.1f}, recurrent state {'> 1e-3' if rnn_gap > 1e-3 else 'tiny'}")

# %% [markdown]
# Wider kernels, more layers or dilation push the window back, but always to a fixed distance chosen
# before training. The recurrent state has no window: in principle it can carry information from any
# earlier step (how well it does so in practice is the story of notebooks 04 and 06).
#
# ## 2. The recurrent neuron
#
# A recurrent neuron has connections pointing backward as well as forward. At time step (frame) $t$ it
# receives the input vector $x^{(t)}$ as usual, **and its own output from the previous step**, $y^{(t-1)}$.
# Drawn folded (left), it is a neuron with a loop; drawn **unrolled through time** (right), it is a chain
# of copies of the same neuron, one per step, sharing the same weights.

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 2.6), gridspec_kw={"width_ratios": [1, 3]})
unrolled.neuron(ax=axes[0])
unrolled.unrolled(5, ax=axes[1], title="unrolled through time: the same cell at every step")
plt.show()

# %% [markdown]
# ## 3. The recurrent layer
#
# A layer of $H$ recurrent neurons: every neuron receives the whole input vector $x^{(t)}$ (D values)
# and the whole previous output vector $y^{(t-1)}$ (H values), each through its own weights.

# %%
unrolled.layer(3).set_title("a recurrent layer of 3 neurons", fontsize=10)
plt.show()

# %% [markdown]
# Collect the input weights of all neurons into $W_x$ and the recurrent weights into $W_y$. With an
# activation function $\phi$ and a bias vector $b$, the layer's output for one sequence is
#
# $$ y^{(t)} = \phi\left(W_x^\top x^{(t)} + W_y^\top y^{(t-1)} + b\right). $$
#
# For a mini-batch, stack the $N$ inputs of step $t$ as the rows of $X^{(t)}$; then
#
# $$ Y^{(t)} = \phi\left(X^{(t)} W_x + Y^{(t-1)} W_y + b\right), \qquad Y^{(0)} = 0, $$
#
# with $\phi = \tanh$ here (Keras' default). The shapes:
#
# | symbol | meaning | shape |
# |---|---|---|
# | $X^{(t)}$ | inputs of the batch at step $t$ | $(N, D)$ |
# | $Y^{(t)}$, $Y^{(t-1)}$ | outputs (states) of the layer | $(N, H)$ |
# | $W_x$ | input weights (Keras `kernel`) | $(D, H)$ |
# | $W_y$ | recurrent weights (Keras `recurrent_kernel`) | $(H, H)$ |
# | $b$ | bias | $(H,)$ |
# | whole input / all outputs | $N$ sequences of $T$ steps | $(N, T, D)$ / $(N, T, H)$ |
#
# So the layer has $DH + H^2 + H$ parameters, **independent of $T$**: the same weights serve every step.
# Keras agrees:

# %%
D, H = 3, 5
layer = keras.layers.SimpleRNN(H)
layer.build((None, None, D))
n_params = D * H + H * H + H
assert layer.count_params() == n_params

# %%
# NBVAL_CHECK_OUTPUT
print(f"D={D}, H={H}: D*H + H*H + H = {n_params}; Keras SimpleRNN.count_params() = {layer.count_params()}")

# %% [markdown]
# ## 4. Memory cells
#
# Because $y^{(t)}$ depends on $y^{(t-1)}$, which depends on $y^{(t-2)}$, and so on, the output at step $t$
# is a function of **all** inputs $x^{(1)}, \dots, x^{(t)}$: the layer has a form of memory. A part of a
# network that preserves state across steps is a **memory cell**. In general its state $h^{(t)}$ is
#
# $$ h^{(t)} = f\left(h^{(t-1)}, x^{(t)}\right), $$
#
# and its output $y^{(t)}$ may be a different function of the state. In the basic cell they coincide,
# $y^{(t)} = h^{(t)}$ (so the code calls it `h`); in the LSTM (notebook 06) the cell keeps a second state
# $c^{(t)}$ that is never output directly.
#
# ## 5. From scratch, then Keras
#
# One step of the formula, written out with NumPy for a batch of $N = 4$ sequences of $T = 6$ steps,
# is exactly `ref.rnn_step_forward` from `course_utils.reference`; `ref.rnn_forward` loops it over time.

# %%
N, T = 4, 6
rng = np.random.default_rng(SEED + 1)
x = rng.normal(size=(N, T, D))  # (N, T, D)
Wx, Wy, b = rng.normal(size=(D, H)) * 0.5, rng.normal(size=(H, H)) * 0.3, rng.normal(size=H) * 0.1
y0 = np.zeros((N, H))  # Y(0) = 0

y1_by_hand = np.tanh(x[:, 0] @ Wx + y0 @ Wy + b)  # Y(1) = phi(X(1) Wx + Y(0) Wy + b), (N, H)
y1, _ = ref.rnn_step_forward(x[:, 0], y0, Wx, Wy, b)
np.testing.assert_allclose(y1, y1_by_hand, atol=1e-15)

steps, y_prev = [], y0
for t in range(T):  # unrolled through time: the same weights at every step
    y_prev, _ = ref.rnn_step_forward(x[:, t], y_prev, Wx, Wy, b)
    steps.append(y_prev)
y_loop = np.stack(steps, axis=1)  # (N, T, H)
y_ref, _ = ref.rnn_forward(x, y0, Wx, Wy, b)  # (N, T, H)
np.testing.assert_allclose(y_ref, y_loop, atol=1e-15)

# %% [markdown]
# Now the same computation by Keras. Its `SimpleRNN` stores exactly $W_x$ (`kernel`, $(D, H)$), $W_y$
# (`recurrent_kernel`, $(H, H)$) and $b$, so the NumPy weights drop straight in. With
# `return_sequences=True` it returns every $Y^{(t)}$, shape $(N, T, H)$.

# %%
keras_rnn = keras.layers.SimpleRNN(H, return_sequences=True)
keras_rnn.build((None, T, D))
keras_rnn.set_weights([Wx.astype("float32"), Wy.astype("float32"), b.astype("float32")])
y_keras = keras_rnn(x.astype("float32")).numpy()  # (N, T, H), float32

max_diff = claims.record("nb01.numpy_vs_keras_max_abs_diff", float(np.abs(y_keras - y_ref).max()))
np.testing.assert_allclose(y_keras, y_ref, atol=1e-6)

# %%
# NBVAL_CHECK_OUTPUT
print(f"NumPy output {y_ref.shape}, Keras output {y_keras.shape}")
print(f"largest difference below 1e-6 (float32): {max_diff < 1e-6}")

# %% [markdown]
# ## 6. Stepping through time, and the spectral radius of $W_y$
#
# The explorer feeds one sequence through a layer of 8 units: a short input event (steps 1-2), then
# silence ($x^{(t)} = 0$). Move **time step** to walk along the unrolled network (the highlighted cell) and
# watch the state $h^{(t)}$ fill the heatmap; move **rho** to rescale $W_y$ to spectral radius $\rho$.
#
# **What $\rho$ is.** Here $\rho$ is the **spectral radius** of $W_y$: its largest absolute eigenvalue.
# It says how a vector grows under *repeated* multiplication: $\|v W_y^k\|$ grows or shrinks roughly like
# $\rho^k$ as $k$ grows. It is not the **spectral norm** $\|W_y\|_2$, the largest singular value, which is
# the most a *single* multiplication can stretch a vector. The norm is never smaller than the radius, and
# for a random non-symmetric matrix like this one it is larger: at $\rho = 1$ the explorer's $W_y$ has norm
# 1.48-2.07 over seeds 0-4 (`docs/claims.md`), so one step can stretch the state up to twice over while, over
# many steps, it neither grows nor shrinks. Notebook 04 bounds gradients with the norm; here we turn the
# radius.

# %%
setup = timestep.make_setup(steps=STEPS, units=8, features=2, seed=SEED)
radius = gradflow.spectral_radius(setup.Wy)  # largest |eigenvalue|: 1 by construction
norm = claims.record("nb01.spectral_norm_at_radius_1", np.linalg.norm(setup.Wy, ord=2))  # largest singular value
assert abs(radius - 1.0) < 1e-9 and norm >= radius - 1e-9  # |lambda| ||v|| = ||v W|| <= ||W||_2 ||v||
print(f"W_y: spectral radius {radius:.2f}, spectral norm {norm:.2f}")

# %%
# NBVAL_CHECK_OUTPUT
print(f"W_y {setup.Wy.shape}: spectral radius 1 (to 1e-9): {abs(radius - 1.0) < 1e-9}; spectral norm >= radius: {norm >= radius - 1e-9}")

# %% [markdown]
# After the event the input is zero (and so is the bias here), so $h^{(t)} = \tanh(h^{(t-1)} W_y)$. While
# the state is small, $\tanh(u) \approx u$ and $h^{(t)} \approx h^{(t-1)} W_y$: over many steps its size
# changes like $\rho^t$. With $\rho < 1$ the state, and the memory of the event, **dies out**. With
# $\rho > 1$ a small state **grows**, but not without bound: $\tanh$ keeps every unit inside $(-1, 1)$ and
# flattens (**saturates**) as a unit approaches $\pm 1$, so the growth stops and the state levels off at a
# size set by $W_y$, not by the event. How close to $\pm 1$ the units get depends on $\rho$: at
# $\rho = 1.5$ most stay well inside, at $\rho = 3$ (past the slider's end) many sit near $\pm 1$.
# This is the first hint of the vanishing and exploding behaviour that notebook 04 studies for gradients.
#
# *The sliders need a running kernel; the figure below the widget is a static snapshot.*

# %%
explorer = timestep.explore(setup, t=6, rho=0.9)
display(explorer)
timestep.draw(setup, t=6, rho=0.9)
plt.show()

# %% [markdown]
# The claims, checked on this seed's weights (`make claims` checks them at seeds 0-4), with the event as
# above and with a **weak** event (the same inputs times 0.01):
#
# - $\rho = 0.5$: the state shrinks below 1% of its size right after the event, $\|h^{(T)}\| / \|h^{(2)}\|$;
# - $\rho = 1.5$, weak event: the small state grows more than 5-fold, and levels off within a factor of 3
#   of where the full event's state ends: the level is set by $W_y$ and $\tanh$, not by the event;
# - saturation: the share of units past $|h| > 0.9$ over the steps after the event is below 0.4 at
#   $\rho = 1.5$ and above 0.35 at $\rho = 3$ (over seeds 0-4, `docs/claims.md`: 0.06-0.14 and 0.46-0.65).

# %%
weak = dataclasses.replace(setup, x=0.01 * setup.x)  # the same event, 100 times weaker
states = {rho: timestep.hidden_states(setup, rho) for rho in (0.5, 1.0, 1.5, 3.0)}  # rho -> (T, H)
norms = {rho: np.linalg.norm(h, axis=1) for rho, h in states.items()}  # rho -> (T,)
weak_norms = np.linalg.norm(timestep.hidden_states(weak, 1.5), axis=1)  # (T,)
after = slice(2, None)  # the steps after the event (3..T)


def saturated_share(h):
    """The share of (unit, step) pairs after the event with |h| > 0.9."""
    return float(np.mean(np.abs(h[after]) > 0.9))


decay = claims.below("nb01.state_ratio_rho_0.5", norms[0.5][-1] / norms[0.5][1], 0.01)
growth = claims.above("nb01.weak_event_growth_rho_1.5", weak_norms[-1] / weak_norms[1], 5.0)
level = weak_norms[-1] / norms[1.5][-1]
claims.below("nb01.weak_vs_full_level_factor_rho_1.5", max(level, 1 / level), 3.0)
claims.below("nb01.saturated_share_rho_1.5", saturated_share(states[1.5]), 0.4)
claims.above("nb01.saturated_share_rho_3", saturated_share(states[3.0]), 0.35)
print(f"||h(T)|| / ||h(2)||: rho=0.5 {decay:.1e}; weak event at rho=1.5 {growth:.1f}")
print(f"level at rho=1.5, weak / full event: {level:.2f}")
print(f"share of units with |h| > 0.9 after the event: rho=1.5 {saturated_share(states[1.5]):.2f}, rho=3 {saturated_share(states[3.0]):.2f}")

fig, ax = plt.subplots(figsize=(6.5, 2.8))
steps_axis = np.arange(1, STEPS + 1)
for rho, curve in norms.items():
    ax.semilogy(steps_axis, curve, "o-", ms=3, label=rf"$\rho = {rho}$")
ax.semilogy(steps_axis, weak_norms, "s--", ms=3, color="black", label=r"$\rho = 1.5$, weak event")
ax.axhline(np.sqrt(setup.Wy.shape[0]), color="grey", lw=0.8, ls=":", label=r"$\sqrt{H}$: every unit at $\pm 1$")
ax.set(xlabel="time step t", ylabel=r"$\|h^{(t)}\|$", title="the state after a short event")
ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
plt.show()

# %%
# NBVAL_CHECK_OUTPUT
inside = all(np.abs(h).max() <= 1.0 for h in states.values())
print(f"every unit within [-1, 1] at every rho (tanh bounds it): {inside}")

# %% [markdown]
# ## Exercises
#
# Each check prints what is right or what is wrong; replace `raise NotImplementedError` with your code.
#
# **Exercise 1.** Implement one step of a recurrent layer for a batch,
# $Y^{(t)} = \tanh(X^{(t)} W_x + Y^{(t-1)} W_y + b)$, with `x_t` $(N, D)$ and `y_prev` $(N, H)$.

# %%
def rnn_step(x_t, y_prev, Wx, Wy, b):
    """Return Y(t), shape (N, H)."""
    raise NotImplementedError


# NBVAL_CHECK_OUTPUT
_ = check.exercise_01_1(rnn_step)

# %% [markdown]
# **Exercise 2.** How many trainable parameters does a recurrent layer with $D$ inputs and $H$ units have?

# %%
def count_params(D, H):
    """Return the number of parameters (an int)."""
    raise NotImplementedError


# NBVAL_CHECK_OUTPUT
_ = check.exercise_01_2(count_params)

# %% [markdown]
# **Exercise 3.** How many time steps (the current one included) can the last output of `layers` stacked
# causal 1D convolutions with kernel size `kernel_size` see (no dilation)?

# %%
def receptive_field(kernel_size, layers):
    """Return the receptive field in time steps (an int)."""
    raise NotImplementedError


# NBVAL_CHECK_OUTPUT
_ = check.exercise_01_3(receptive_field)

# %% [markdown]
# ## Summary
#
# - A 1D convolution sees a fixed window of $1 + L(k-1)$ steps; a recurrent state carries information
#   from any earlier step.
# - A recurrent neuron reads $x^{(t)}$ and its own $y^{(t-1)}$; unrolled through time, it is a chain of
#   copies sharing the weights $W_x$, $W_y$, $b$.
# - A layer computes $Y^{(t)} = \phi(X^{(t)} W_x + Y^{(t-1)} W_y + b)$ on a batch; it has $DH + H^2 + H$
#   parameters, whatever $T$.
# - Our NumPy layer equals `keras.layers.SimpleRNN` with the same weights (to float32 precision).
# - The spectral radius $\rho$ of $W_y$ (its largest absolute eigenvalue, not its norm) decides whether the
#   state dies out ($\rho < 1$) or grows until $\tanh$ saturates and it levels off ($\rho > 1$).
#
# **Next:** [02 — input/output mappings](02_io_mappings.ipynb): sequence-to-sequence, sequence-to-vector,
# vector-to-sequence and encoder-decoder networks built from this layer.
