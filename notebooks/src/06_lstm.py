# %% [markdown]
# # Long short-term memory (LSTM)
#
# *Lecture 6, part "LSTMs" — after [05 Deep RNNs](05_deep_rnns.ipynb), before [07 GRUs](07_gru.ipynb).*
#
# Notebook 04 showed why a simple recurrent cell forgets: the gradient that reaches a step $k$ steps back
# is a product of $k$ Jacobians and shrinks like $\rho^k$. The LSTM (Hochreiter & Schmidhuber, 1997) adds a
# *cell state* $c^{(t)}$ that is changed only by element-wise gates, so information and gradients can
# travel along it almost unchanged.
#
# **In this notebook you will**
# - write down what each gate of an LSTM computes and map it onto Keras' weights (gate order i, f, c, o),
#   proving it by transplanting a Keras layer's weights into the NumPy cell;
# - see why Keras starts the forget-gate bias at 1;
# - add peephole connections, check their gradients and train a Keras peephole cell;
# - explore the gates with a widget;
# - see the long-lag evidence: an LSTM solves the adding problem where a SimpleRNN of the same size fails.

# %%
import matplotlib.pyplot as plt
import numpy as np

from course_utils import check, longlag, metrics
from course_utils import reference as ref
from course_utils.data import ADDING_BASELINE_MSE, ADDING_HALF_MSE, adding_problem
from course_utils.diagrams import cells
from course_utils.gradcheck import numerical_gradient, rel_error
from course_utils.widgets import gates

EPOCHS = 30  # the knob: training budget of the long-lag experiment; the LSTM needs 10-17 epochs at T_LONG = 40
T_LONG = 40  # adding-problem length: the first marked number must be held for at least 20 steps
BUDGET = longlag.param_count("LSTM", 16, 2)  # weights per recurrent layer: LSTM(16) = 1216

# %% [markdown]
# ## The cell
#
# The cell receives $x^{(t)}$ and the previous output $h^{(t-1)}$ (the lecture's $y^{(t-1)}$). Four
# dense layers read them; three are **gates** with a sigmoid ($\sigma$, values in $(0, 1)$) and one
# proposes new content $g^{(t)}$ with $\tanh$. In row-batch form (one row per sequence), with
# $W_x$ split into column blocks $W_{x,i}, W_{x,f}, W_{x,c}, W_{x,o}$ (likewise $W_h$, $b$):
#
# $$
# \begin{aligned}
# I^{(t)} &= \sigma\big(X^{(t)} W_{x,i} + H^{(t-1)} W_{h,i} + b_i\big) && \text{input gate: how much new content to write}\\
# F^{(t)} &= \sigma\big(X^{(t)} W_{x,f} + H^{(t-1)} W_{h,f} + b_f\big) && \text{forget gate: how much of the old state to keep}\\
# G^{(t)} &= \tanh\big(X^{(t)} W_{x,c} + H^{(t-1)} W_{h,c} + b_c\big) && \text{candidate content}\\
# O^{(t)} &= \sigma\big(X^{(t)} W_{x,o} + H^{(t-1)} W_{h,o} + b_o\big) && \text{output gate: how much of the state to show}\\
# C^{(t)} &= F^{(t)} \odot C^{(t-1)} + I^{(t)} \odot G^{(t)} \\
# H^{(t)} &= O^{(t)} \odot \tanh\big(C^{(t)}\big) = Y^{(t)}
# \end{aligned}
# $$
#
# $\odot$ is the element-wise product. Keras stores the four blocks side by side, **in the order i, f, c, o**:
#
# | array | shape | Keras name |
# |---|---|---|
# | $X^{(t)}$ | $(N, D)$ | one step of the input `x (N, T, D)` |
# | $H^{(t)}$, $C^{(t)}$ | $(N, H)$ | `h (N, T, H)`; $C$ is the second state |
# | $W_x$ | $(D, 4H)$ | `kernel` |
# | $W_h$ | $(H, 4H)$ | `recurrent_kernel` |
# | $b$ | $(4H,)$ | `bias` |

# %%
ax = cells.lstm_cell()
plt.show()

# %% [markdown]
# ### Keras' layout, proven by a weight transplant
#
# We build a Keras `LSTM` in float64, take its weights and compute the first step **by the formulas above**,
# splitting the blocks in the order i, f, c, o. Then the whole sequence through the NumPy reference cell
# `ref.lstm_forward`. Both must equal Keras.

# %%
import keras

N, T, D, H = 3, 6, 4, 5
rng = np.random.default_rng(0)
x = rng.normal(size=(N, T, D))
layer = keras.layers.LSTM(H, return_sequences=True, dtype="float64")
h_keras = np.asarray(layer(x))  # (N, T, H)
params = ref.from_keras(layer)
Wx, Wh, b = params["Wx"], params["Wh"], params["b"]
print("kernel", Wx.shape, "recurrent_kernel", Wh.shape, "bias", b.shape)


def sigma(a):
    return 1 / (1 + np.exp(-a))


# The first step by hand, h(0) = c(0) = 0, blocks in Keras' order i, f, c, o.
a = x[:, 0] @ Wx + np.zeros((N, H)) @ Wh + b  # (N, 4H)
a_i, a_f, a_c, a_o = np.split(a, 4, axis=1)
i_gate, f_gate, g_cand, o_gate = sigma(a_i), sigma(a_f), np.tanh(a_c), sigma(a_o)
c1 = f_gate * 0.0 + i_gate * g_cand
h1 = o_gate * np.tanh(c1)

h_ref, cache = ref.lstm_forward(x, np.zeros((N, H)), Wx, Wh, b)
err_step = np.abs(h1 - h_keras[:, 0]).max()
err_seq = np.abs(h_ref - h_keras).max()
assert err_step < 1e-12 and err_seq < 1e-12
print(
    f"first step by hand vs Keras: {err_step:.1e};  whole sequence, NumPy vs Keras: {err_seq:.1e}"
)

# %% [markdown]
# ### Why the forget-gate bias starts at 1
#
# Along the cell state, the gradient from $C^{(t)}$ to $C^{(t-1)}$ is multiplied by $F^{(t)}$
# (element-wise, plus smaller paths through the gates). With a zero bias and small weights the forget gate
# sits near $\sigma(0) = 0.5$, so after $k$ steps the signal is scaled by about $0.5^k$: the LSTM
# starts life as forgetful as a simple RNN. Keras' `unit_forget_bias=True` (the default, after
# Jozefowicz et al., 2015) sets $b_f = 1$, so $F \approx \sigma(1) = 0.73$ and $0.73^k \gg 0.5^k$.

# %%
# NBVAL_CHECK_OUTPUT
print("initial bias blocks (i, f, c, o):", [float(blk.mean()) for blk in np.split(b, 4)])
assert np.all(np.split(b, 4)[1] == 1.0) and np.all(np.delete(b, np.s_[H : 2 * H]) == 0.0)
print(f"kept after 40 steps: 0.5**40 = {0.5**40:.1e},  sigmoid(1)**40 = {sigma(1.0) ** 40:.1e}")

# %% [markdown]
# The effect on a real, freshly initialised LSTM(16) on adding-problem sequences of length 40: the
# gradient of the last output with respect to the **first** input, with and without the forget bias.

# %%
x_add, _ = adding_problem(64, T_LONG, seed=0)
x_add = x_add.astype(np.float64)
first_step_grad = {}
for unit_forget_bias in (True, False):
    keras.utils.set_random_seed(0)
    lstm16 = keras.layers.LSTM(16, unit_forget_bias=unit_forget_bias, dtype="float64")
    lstm16.build((None, None, 2))
    h16, cache16 = ref.lstm_forward(x_add, np.zeros((64, 16)), **ref.from_keras(lstm16))
    dh = np.zeros_like(h16)
    dh[:, -1] = 1.0  # a loss that reads only the last output
    dx16, *_ = ref.lstm_backward(dh, cache16)
    first_step_grad[unit_forget_bias] = np.linalg.norm(dx16[:, 0])
ratio = first_step_grad[True] / first_step_grad[False]
print(
    f"|dL/dx(0)|: forget bias 1 -> {first_step_grad[True]:.1e}, forget bias 0 -> {first_step_grad[False]:.1e}"
)
assert ratio > 1e3, ratio
print(
    f"the forget bias of 1 lets {metrics.record('forget_bias_gradient_ratio', ratio):.0e} times more gradient reach step 0"
)

# %% [markdown]
# ## Exploring the gates
#
# A one-unit toy LSTM (`gates.toy_lstm`) makes the roles visible: a pulse in $x^{(t)}$ opens the input gate
# and writes itself into $c^{(t)}$; afterwards the input gate is closed and $c^{(t)}$ is multiplied by
# $f = \sigma(b_f)$ at every step. With the forget bias at 1 the memory fades in a few steps; at 5 it
# survives the whole sequence. In a live notebook, move the sliders below the static figure.

# %%
pulse_x = gates.pulse(T=40, at=5)
fig, axes = plt.subplots(1, 2, figsize=(12, 3.2), sharey=True)
traces = {}
for bias, ax in zip((1.0, 5.0), axes):
    traces[bias] = gates.gate_traces(pulse_x, **gates.toy_lstm(forget_bias=bias))
    gates.plot_gates(traces[bias], x=pulse_x, ax=ax)
    ax.set_title(f"forget bias {bias:.0f}")
plt.show()

# %%
# NBVAL_CHECK_OUTPUT
for bias, tr in traces.items():
    print(f"forget bias {bias:.0f}: c(5) = {tr.c[5, 0]:.3f}, c(39) = {tr.c[39, 0]:.3f}")
assert traces[1.0].c[39, 0] < 1e-3 < 0.5 < traces[5.0].c[39, 0]

# %%
gates.explore(T=40)

# %% [markdown]
# ## Peephole connections
#
# In the LSTM above the gates never see the cell state itself, only $h^{(t-1)} = o \odot \tanh(c^{(t-1)})$,
# which the output gate may hide. Gers & Schmidhuber (2000) let the gates *peep* at the cell state with
# one extra weight per unit and gate, $p_i, p_f, p_o \in \mathbb{R}^H$ (stored as `peephole (3, H)`):
#
# $$
# \begin{aligned}
# I^{(t)} &= \sigma\big(X^{(t)} W_{x,i} + H^{(t-1)} W_{h,i} + b_i + p_i \odot C^{(t-1)}\big)\\
# F^{(t)} &= \sigma\big(X^{(t)} W_{x,f} + H^{(t-1)} W_{h,f} + b_f + p_f \odot C^{(t-1)}\big)\\
# O^{(t)} &= \sigma\big(X^{(t)} W_{x,o} + H^{(t-1)} W_{h,o} + b_o + p_o \odot C^{(t)}\big)
# \end{aligned}
# $$
#
# (the output gate looks at the *new* state). Keras 3 has no peephole layer, so `course_utils` provides
# the NumPy cell (`ref.lstm_forward(..., peephole=P)`) and a Keras cell `ref.peephole_lstm_cell` for
# `keras.layers.RNN`.

# %%
ax = cells.lstm_cell(peephole=True)
plt.show()

# %% [markdown]
# First the backward pass of the NumPy peephole cell against central differences, in float64:

# %%
rng = np.random.default_rng(1)
N, T, D, H = 2, 5, 3, 4
xp = rng.normal(size=(N, T, D))
h0p, c0p = rng.normal(size=(N, H)), rng.normal(size=(N, H))
Wxp, Whp = 0.5 * rng.normal(size=(D, 4 * H)), 0.5 * rng.normal(size=(H, 4 * H))
bp, P = 0.1 * rng.normal(size=4 * H), 0.5 * rng.normal(size=(3, H))
dh_up = rng.normal(size=(N, T, H))


def run(x_, Wx_, P_):
    return ref.lstm_forward(x_, h0p, Wx_, Whp, bp, c0=c0p, peephole=P_)[0]


_, cache_p = ref.lstm_forward(xp, h0p, Wxp, Whp, bp, c0=c0p, peephole=P)
dx, dh0, dWx, dWh, db, dP = ref.lstm_backward(dh_up, cache_p)
errors = {
    "dx": rel_error(dx, numerical_gradient(lambda v: run(v, Wxp, P), xp, dh_up)),
    "dWx": rel_error(dWx, numerical_gradient(lambda v: run(xp, v, P), Wxp, dh_up)),
    "dpeephole": rel_error(dP, numerical_gradient(lambda v: run(xp, Wxp, v), P, dh_up)),
}
for name, err in errors.items():
    print(f"{name:>10}: relative error {err:.1e}")
assert max(errors.values()) < 1e-7

# %% [markdown]
# Then the Keras peephole cell, with its weights transplanted into the NumPy cell (random peepholes, so
# the peephole terms matter):

# %%
keras.utils.set_random_seed(0)
peep_layer = keras.layers.RNN(
    ref.peephole_lstm_cell(H, peephole_initializer="random_normal", dtype="float64"),
    return_sequences=True,
    dtype="float64",
)
h_peep_keras = np.asarray(peep_layer(xp))
peep_params = ref.from_keras(peep_layer)
h_peep_ref, _ = ref.lstm_forward(xp, np.zeros((N, H)), **peep_params)
err_peep = np.abs(h_peep_ref - h_peep_keras).max()
assert np.abs(peep_params["peephole"]).max() > 0.01 and err_peep < 1e-12
print(f"Keras peephole cell vs NumPy: max difference {err_peep:.1e}")

# %% [markdown]
# And it trains: a peephole LSTM(16) on the adding problem with $T = 10$, trained for 8 epochs, falls far below
# the baseline of predicting the mean ($\mathrm{MSE} = 1/6$).

# %%
keras.utils.set_random_seed(0)
xa, ya = adding_problem(2000, 10, seed=1)
xa_test, ya_test = adding_problem(500, 10, seed=2)
peep_model = keras.Sequential(
    [keras.Input((None, 2)), keras.layers.RNN(ref.peephole_lstm_cell(16)), keras.layers.Dense(1)]
)
peep_model.compile(keras.optimizers.Adam(0.01, clipnorm=1.0), loss="mse")
peep_model.fit(xa, ya, epochs=8, batch_size=50, verbose=0)
peep_mse = float(peep_model.evaluate(xa_test, ya_test, verbose=0))
print(f"peephole LSTM(16), T=10: test MSE {peep_mse:.4f} (baseline {ADDING_BASELINE_MSE:.4f})")
assert metrics.record("peephole_adding_t10_mse", peep_mse) < 0.25 * ADDING_BASELINE_MSE

# %% [markdown]
# ## The long-lag evidence
#
# **The adding problem** (`course_utils.data.adding_problem`): each step carries a random number in
# $[0, 1)$ and a marker; exactly two steps are marked, one in each half of the sequence, and the target is
# the sum of the two marked numbers, read after the last step. Input `x (N, T, 2)`, target `y (N, 1)`.
# The first marked number has to be held for at least $T/2$ steps. Two reference points:
# predicting the mean gives $\mathrm{MSE} = \mathrm{Var}(u_1 + u_2) = 1/6 \approx 0.167$;
# remembering only the recent number gives $1/12 \approx 0.083$. We call the task **solved** when the
# MSE is below 0.01.
#
# `longlag.run_long_lag` trains one model with the same recipe for every cell (Adam, learning rate 0.01,
# gradient clipping, batches of 50, 2000 sequences per epoch, at most `EPOCHS` epochs, stopping once the
# validation MSE is below the target) and a **matched parameter budget**: the LSTM gets 16 units, the
# SimpleRNN 33 units — about 1,220 weights each.

# %%
lstm_run = longlag.run_long_lag("LSTM", T_LONG, seed=0, budget=BUDGET, epochs=EPOCHS)
rnn_run = longlag.run_long_lag("SimpleRNN", T_LONG, seed=0, budget=BUDGET, epochs=EPOCHS)
for r in (lstm_run, rnn_run):
    print(
        f"{r.cell:>9}({r.units}): {r.params} weights, test MSE {r.test_mse:.4f}, "
        f"solved: {r.reached} after {r.epochs} epochs"
    )

# %%
ax = longlag.plot_curves([lstm_run, rnn_run])
ax.set_title(f"Adding problem, T = {T_LONG}: same budget, different cell")
plt.show()

# %% [markdown]
# The claims, asserted with margins: both models have the same budget (within 5 %); the LSTM reaches the
# target; the SimpleRNN does not, and its error stays above $1/12$, what remembering only the recent
# number would give — no sign that it carries the first marked number across the lag.

# %%
# NBVAL_CHECK_OUTPUT
assert abs(lstm_run.params - rnn_run.params) < 0.05 * lstm_run.params
assert lstm_run.reached and lstm_run.test_mse < lstm_run.target_mse * 1.5
assert not rnn_run.reached and rnn_run.test_mse > ADDING_HALF_MSE > 5 * rnn_run.target_mse
assert lstm_run.test_mse < 0.2 * rnn_run.test_mse
metrics.record("lstm_adding_t40_test_mse", lstm_run.test_mse)
metrics.record("simplernn_adding_t40_test_mse", rnn_run.test_mse)
metrics.record("lstm_adding_t40_epochs_to_target", lstm_run.epochs_to_target)
print(f"LSTM solved T={T_LONG}: {lstm_run.reached};  SimpleRNN solved it: {rnn_run.reached}")

# %% [markdown]
# Note the shape of the LSTM's curve: a long plateau at the baseline, then a sudden drop, when the gates
# have learned to open the input gate on a marker and to keep the forget gate near 1 in between. Across
# seeds 0-5 the LSTM needed 10-17 epochs here and the SimpleRNN failed within the budget for every
# seed (test MSE 0.14-0.22). Is the shared learning rate unfair to the SimpleRNN? With 0.002 instead of
# 0.01 it does creep down, to 0.03-0.09 after 30 epochs over seeds 0-2, but still misses the target.
# (These seed sweeps were measured outside this notebook; `make bench` repeats the experiment over 3 seeds.)
#
# ## Exercises
#
# **06.1** Return the forget gate $F^{(t)}$ `(N, H)` of one LSTM step from Keras-layout weights
# `Wx (D, 4H)`, `Wh (H, 4H)`, `b (4H,)`.


# %%
def forget_gate(x_t, h_prev, Wx, Wh, b):
    raise NotImplementedError


feedback = check.exercise_06_1(forget_gate)

# %% [markdown]
# **06.2** The number of weights of one LSTM layer with `units` hidden units on `input_dim` inputs,
# with or without peepholes.


# %%
def lstm_param_count(units, input_dim, peephole=False):
    raise NotImplementedError


feedback = check.exercise_06_2(lstm_param_count)

# %% [markdown]
# **06.3** In the toy LSTM the stored value is multiplied by $\sigma(b_f)$ at every step. Return its
# *half-life*: the (real-valued) number of steps after which half of it is left, for a forget bias $b_f$.


# %%
def half_life(forget_bias):
    raise NotImplementedError


feedback = check.exercise_06_3(half_life)

# %% [markdown]
# ## Summary
#
# - An LSTM cell keeps a cell state $c^{(t)}$ that gates change element-wise: the forget gate decides what
#   to keep, the input gate what to write, the output gate what to show. Keras stores the four blocks in
#   the order i, f, c, o, and the NumPy cell with transplanted weights equals Keras to $10^{-12}$.
# - A forget-gate bias of 1 keeps the gradient alive across 40 steps (over $10^3$ times more than bias 0).
# - Peepholes let the gates read the cell state; the NumPy cell's gradients check out and the Keras cell
#   matches it and trains.
# - On the adding problem with $T = 40$ an LSTM reaches MSE < 0.01 while a SimpleRNN of the same size
#   does no better than remembering the recent number only (MSE above $1/12$).
#
# **Next:** [07 — Gated recurrent units](07_gru.ipynb): a lighter gated cell, and the final comparison of
# SimpleRNN, LSTM and GRU.
