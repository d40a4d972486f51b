# %% [markdown] slideshow={"slide_type": "slide"}
# # Recurrent Architectures
#
# **Recurrent neural networks: cells, mappings, training, LSTMs and GRUs**
#
# CSCE 496/896, Lecture 6 — after Stephen Scott (adapted from Vinod Variyam and Ian Goodfellow)
#
# Every figure and number on these slides is drawn by `course_utils`, the same code the notebooks run.

# %% [markdown] slideshow={"slide_type": "notes"}
# Welcome. This deck follows the course notebooks one to one; each section ends with a pointer to the
# notebook where students run, change and test what the slide shows.

# %% slideshow={"slide_type": "skip"}
import importlib.util
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Markdown, display

from course_utils import gradflow, longlag, models, runtime, textgen
from course_utils.diagrams import cells, mappings, unrolled

runtime.setup(seed=0, use_tensorflow=False, verbose=False)
plt.rcParams.update({"figure.dpi": 100, "font.size": 11})
BENCH = Path("../../docs/benchmarks.json")
bench = json.loads(BENCH.read_text()) if BENCH.exists() else {}
# Every number a slide quotes is the range of a claim the notebooks register, over the runs of `make claims`
# (seeds 0-4, each as stored and with perturbed floats): docs/claims.json, summarised by tools/claims.py.
_spec = importlib.util.spec_from_file_location("claims_report", "../../tools/claims.py")
claims_report = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(claims_report)
CLAIMS = Path("../../docs/claims.json")
ranges = (
    {row["name"]: row["values"] for row in claims_report.summarise(json.loads(CLAIMS.read_text())["runs"])}
    if CLAIMS.exists()
    else {}
)


def measured(name: str, fmt: str = ".3f") -> str:
    """A claim's range over the report's runs, e.g. "0.969-0.982 (10 runs)"; a pointer to make claims if absent."""
    if name not in ranges:
        return "(run make claims)"
    values = ranges[name]
    return f"{min(values):{fmt}}-{max(values):{fmt}} ({len(values)} runs)"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Outline
#
# 1. Introduction: why sequences
# 2. Basic RNNs: the recurrent cell and the recurrent layer
# 3. Input/output mappings
# 4. Example implementations in TensorFlow/Keras
# 5. Training: backpropagation through time
# 6. Deep RNNs
# 7. Long short-term memory (LSTM)
# 8. Gated recurrent units (GRU)

# %% [markdown] slideshow={"slide_type": "notes"}
# The same outline as the lecture and as notebooks 01 to 07.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Introduction: why sequences?
#
# - The architectures so far take **fixed-size inputs**.
# - Many inputs are **sequences** of varying length: text, biological sequences, video, audio.
# - Recurrent networks read a sequence one step at a time and carry a **state** from step to step.
# - Useful for NLP (translation, speech-to-text, sentiment analysis) and for creating new output
#   (Shakespearean text, music, code).

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask the room for examples of sequence data. Stress that the length varies from example to example, which
# a fixed-size dense network cannot handle without padding to a maximum length.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why not a 1D convolution over the sequence?
#
# - A 1D convolution sees a **window** of $k$ steps; stacking layers widens it slowly.
# - An event more than the receptive field away is **invisible** to it.
# - A recurrent state can, in principle, carry information from *any* earlier step.
#
# Notebook 01 shows it on a tiny example: a convolution with kernel size 3 cannot tell whether an event
# happened 5 steps ago; a recurrent state can.

# %% [markdown] slideshow={"slide_type": "notes"}
# Convolutions are still great for local patterns and are often combined with RNNs. The point here is the
# long-range relationship.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The basic recurrent cell
#
# A **recurrent neuron** has connections pointing backward as well as forward: at time step $t$ it receives
# the input $x^{(t)}$ *and* its own output from the previous step, $y^{(t-1)}$.

# %% slideshow={"slide_type": "-"}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3), gridspec_kw={"width_ratios": [1, 3]})
fig.set_label("one recurrent neuron, and the same neuron unrolled over 4 time steps")
unrolled.neuron(ax=ax1)
unrolled.unrolled(4, ax=ax2)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Left: the cell with its loop. Right: the same cell unrolled through time — one copy per time step, all
# sharing the same weights. Unrolling is what lets us train it with ordinary backpropagation.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The recurrent layer
#
# Each of the $H$ units gets the whole input vector $x^{(t)}$ and the whole previous output $y^{(t-1)}$,
# with its own weights. For the layer, collect them in matrices $W_x$, $W_y$ and a bias $b$:
#
# $$y^{(t)} = \phi\left(W_x^\top x^{(t)} + W_y^\top y^{(t-1)} + b\right)$$
#
# $\phi$ is usually $\tanh$.

# %% [markdown] slideshow={"slide_type": "notes"}
# This is the lecture's equation. Point out the two weight matrices: one for the input, one for the
# recurrence. The same weights are used at every time step.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The recurrent layer on a mini-batch
#
# With a mini-batch of $N$ sequences the rows are examples (row-batch form, as Keras computes it):
#
# $$Y^{(t)} = \phi\left(X^{(t)} W_x + Y^{(t-1)} W_y + b\right)$$
#
# | symbol | shape | meaning |
# |---|---|---|
# | $X^{(t)}$ | $(N, D)$ | inputs at step $t$ |
# | $Y^{(t)}$ | $(N, H)$ | outputs (states) at step $t$ |
# | $W_x$ | $(D, H)$ | input weights (Keras `kernel`) |
# | $W_y$ | $(H, H)$ | recurrent weights (Keras `recurrent_kernel`) |
# | $b$ | $(H,)$ | bias |
#
# A whole batch of sequences is $(N, T, D)$ in, $(N, T, H)$ out.

# %% [markdown] slideshow={"slide_type": "notes"}
# Batch-first shapes everywhere in the course. The parameter count is D*H + H*H + H.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## From scratch, then Keras — proven equal
#
# - The course's NumPy cells (`course_utils.reference`) use **Keras' weight layouts**: `kernel` is $W_x$,
#   `recurrent_kernel` is $W_y$, `bias` is $b$.
# - Copy a Keras layer's weights into the NumPy code and every hidden state agrees to $10^{-9}$, every
#   gradient (from `tf.GradientTape`) to $10^{-8}$ — for SimpleRNN, LSTM and both GRU variants.
# - Students first write one step by hand (notebook 01), then trust the library because the tests prove it.

# %% [markdown] slideshow={"slide_type": "notes"}
# This is the course's central promise: the from-scratch code is exactly what the framework computes.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Parameters and memory cells
#
# A recurrent layer with $D$ inputs and $H$ units has $H\,(D + H + 1)$ parameters, independent of $T$:

# %% slideshow={"slide_type": "-"}
for D, H in [(1, 32), (8, 64), (64, 128)]:
    print(f"D = {D:3d}, H = {H:3d}:  SimpleRNN has {models.param_count('SimpleRNN', H, D):6,d} parameters")

# %% [markdown] slideshow={"slide_type": "fragment"}
# A **memory cell** is any part of a network that preserves state across time steps:
# $h^{(t)} = f\left(h^{(t-1)}, x^{(t)}\right)$. In the basic cell the output *is* the state,
# $y^{(t)} = h^{(t)}$; in an LSTM they differ.

# %% [markdown] slideshow={"slide_type": "notes"}
# The count comes from the same function notebook 07 checks against Keras. Memory cells: the basic cell's
# memory is short, which motivates the gated cells later.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Input/output mappings
#
# | mapping | reads | emits | example uses |
# |---|---|---|---|
# | sequence-to-sequence | a sequence | an output at every step | forecasting, tagging, speech-to-text frames |
# | sequence-to-vector | a sequence | only the last output | sentiment, classifying a whole sequence |
# | vector-to-sequence | one vector | a sequence | captioning an image, generating music |
# | encoder-decoder | a sequence, then | a sequence | translation |
#
# Notebook 02 trains all four on one toy task, so the only difference is the mapping.

# %% [markdown] slideshow={"slide_type": "notes"}
# In Keras the difference is mostly return_sequences, RepeatVector and how the states are passed.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Sequence-to-sequence

# %% slideshow={"slide_type": "-"}
_, ax = plt.subplots(figsize=(11, 3.4))  # the full slide width
mappings.mapping("seq2seq", ax=ax)
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# Keras: `SimpleRNN(H, return_sequences=True)` then a `Dense` applied at every step.

# %% [markdown] slideshow={"slide_type": "notes"}
# Example: predict the next value at every step of a time series.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Sequence-to-vector

# %% slideshow={"slide_type": "-"}
_, ax = plt.subplots(figsize=(11, 3.4))  # the full slide width
mappings.mapping("seq2vec", ax=ax)
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# Keras: `SimpleRNN(H)` (only the last output) then `Dense`; the cost ignores all other outputs.

# %% [markdown] slideshow={"slide_type": "notes"}
# Example: sentiment of a review, the class of a digit read row by row.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Vector-to-sequence

# %% slideshow={"slide_type": "-"}
_, ax = plt.subplots(figsize=(11, 3.4))  # the full slide width
mappings.mapping("vec2seq", ax=ax)
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# Keras: `RepeatVector(T)` feeds the same vector at every step, then `SimpleRNN(H, return_sequences=True)`.

# %% [markdown] slideshow={"slide_type": "notes"}
# Example: generate a caption from an image embedding; in the notebook, a signal from its parameters.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Encoder-decoder

# %% slideshow={"slide_type": "-"}
_, ax = plt.subplots(figsize=(11, 3.4))  # the full slide width
mappings.mapping("encdec", ax=ax)
plt.show()

# %% [markdown] slideshow={"slide_type": "-"}
# A delayed sequence-to-sequence: the **encoder** reads everything, its final state initialises the
# **decoder**, which then emits. Keras: `encoder = SimpleRNN(H, return_state=True)`,
# `decoder(..., initial_state=state)`.

# %% [markdown] slideshow={"slide_type": "notes"}
# Translation is the classic use: the whole sentence must be read before the first word can be emitted.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## TensorFlow/Keras: unrolling by hand
#
# The lecture's first example: a layer unrolled over two steps with explicit variables
#
# $$Y^{(0)} = \tanh\left(X^{(0)} W_x + b\right), \qquad Y^{(1)} = \tanh\left(Y^{(0)} W_y + X^{(1)} W_x + b\right)$$
#
# ```python
# Y0 = tf.tanh(X0 @ Wx + b)
# Y1 = tf.tanh(Y0 @ Wy + X1 @ Wx + b)
# ```
#
# `keras.layers.SimpleRNN` with the same weights gives the same numbers (asserted in notebook 03).
# **Static** unrolling (`unroll=True`) builds one op per step: fast for short sequences, memory-hungry for
# long ones; **dynamic** unrolling runs a symbolic loop.

# %% [markdown] slideshow={"slide_type": "notes"}
# Notebook 03 times both on a short and a long sequence on the student's own machine.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Variable-length inputs and outputs
#
# - **Inputs**: pad to a common length and **mask** the padding (`Masking`, or `mask_zero=True` in an
#   `Embedding`). At a masked step the layer *carries its state over unchanged*, so a padded batch gives
#   exactly the outputs of each sequence run alone.
# - **Outputs**: emit an **end-of-sequence** token and stop generating when it appears.

# %% [markdown] slideshow={"slide_type": "notes"}
# The NumPy reference cells implement the same mask semantics and are tested against Keras.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Example: a sequence classifier
#
# - 8x8 digit images (bundled with scikit-learn) read **row by row**: $T = 8$ steps of $D = 8$ pixels.
# - `SimpleRNN(64)` reads the rows; a `Dense` softmax on the **last** output classifies
#   (sequence-to-vector).
# - Trains in seconds on a laptop CPU; notebook 03 asserts a test accuracy of at least 0.95.

# %% slideshow={"slide_type": "fragment"}
print(f"Test accuracy in notebook 03: {measured('nb03_digits_test_accuracy')}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Ask: which mapping is this? Sequence-to-vector. The confusion plot in the notebook shows which digits get
# mixed up (typically 8 and 9 or 1 and 7).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Example: forecasting a time series
#
# - A synthetic family of series: sums of sines with random frequencies and phases, plus noise.
# - **Baselines first**: naive (repeat the last value) and linear (least squares on the window).
# - One step ahead, then 10 steps ahead — **iteratively** (feed each prediction back) or **directly**
#   (the model emits a vector of 10 values).

# %% slideshow={"slide_type": "fragment"}
print(f"one step ahead, validation MSE of the deep RNN: {measured('nb03_deep_rnn_one_step_mse', '.4f')}")
print(f"10 steps ahead, direct deep RNN:                {measured('nb03_direct_10_step_mse', '.4f')}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Stress the habit of beating a trivial baseline before celebrating a model. Notebook 03 asserts that the
# deep RNN beats both baselines and that the direct model beats the naive forecast.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## A creative RNN: sampling with a temperature
#
# Seed a trained model, sample the next step, feed it back. For a character model the next-character
# distribution is reshaped by a temperature $\tau$: $p_i \propto \exp\left(\log p_i / \tau\right)$.

# %% slideshow={"slide_type": "-"}
probs = np.array([0.45, 0.25, 0.15, 0.08, 0.05, 0.02])
fig, axes = plt.subplots(1, 3, figsize=(9, 2.4), sharey=True)
fig.suptitle("next-character probabilities reshaped by the temperature")
for ax, tau in zip(axes, (0.3, 1.0, 2.0)):
    ax.bar(list("etaoin"), textgen.apply_temperature(probs, tau), color="tab:blue")
    ax.set_title(f"τ = {tau}")
axes[0].set_ylabel("probability")
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Low temperature: faithful and repetitive; high temperature: diverse and noisy. Notebook 03 measures it:
# the share of distinct 4-grams in generated text rises with the temperature. The widget lets students
# drag the temperature and watch the text change.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Training: backpropagation through time (BPTT)
#
# 1. **Unroll** the network through time.
# 2. Run it **forward**, compute the cost on the outputs the cost uses — all of them for
#    sequence-to-sequence, only the last for sequence-to-vector.
# 3. **Backpropagate** through the unrolled graph; every copy shares the weights, so their gradients
#    **add up over time**.

# %% [markdown] slideshow={"slide_type": "notes"}
# BPTT is ordinary backpropagation on the unrolled graph. Nothing else is new.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## BPTT for the basic cell
#
# With $a^{(t)} = X^{(t)} W_x + H^{(t-1)} W_y + b$ and $H^{(t)} = \tanh(a^{(t)})$, let $\delta^{(t)}$ be the
# total gradient reaching $H^{(t)}$ (from the cost at step $t$ and from step $t+1$):
#
# $$\delta^{(t)} = \frac{\partial C}{\partial H^{(t)}} + \left(\delta^{(t+1)} \odot \left(1 - H^{(t+1)\,2}\right)\right) W_y^\top$$
#
# $$\frac{\partial C}{\partial W_y} = \sum_t H^{(t-1)\top} \left(\delta^{(t)} \odot \left(1 - H^{(t)\,2}\right)\right),
# \qquad \frac{\partial C}{\partial W_x} = \sum_t X^{(t)\top} \left(\delta^{(t)} \odot \left(1 - H^{(t)\,2}\right)\right)$$
#
# Notebook 04 derives it, checks it numerically (relative error $< 10^{-7}$) and against `tf.GradientTape`.

# %% [markdown] slideshow={"slide_type": "notes"}
# The sum over time is the key line: forgetting to accumulate it is the most common bug, and the
# assignment's autograder catches it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Truncated BPTT
#
# - Long sequences make BPTT slow and memory-hungry.
# - **Truncate**: backpropagate at most $k$ steps back (and carry the state across chunks, "stateful").
# - The price: dependencies longer than $k$ steps cannot be learned — notebook 04 shows truncation below the
#   dependency length failing and above it succeeding.

# %% [markdown] slideshow={"slide_type": "notes"}
# In Keras, stateful RNNs over consecutive chunks implement this pattern.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Vanishing and exploding gradients
#
# $\partial h^{(T)} / \partial h^{(t)} = J^{(T)} \cdots J^{(t+1)}$, a product of $T - t$ Jacobians
# $J^{(s)} = \operatorname{diag}\big(\phi'(\cdot)\big)\,W_y^\top$, so its norm is at most
# $\big(\max\lvert\phi'\rvert\,\lVert W_y \rVert_2\big)^{T-t}$ (the **spectral norm**). Here $W_y = \rho Q$ with
# $Q$ orthogonal: spectral norm and spectral radius are both $\rho$, and the linear curves follow $\rho^{T-t}$.

# %% slideshow={"slide_type": "-"}
curves = {}
for rho in (0.8, 1.0, 1.2):
    W = gradflow.scaled_orthogonal(32, rho, seed=0)
    curves[f"linear, ρ = {rho}"] = gradflow.jacobian_norms(W, 40, activation="linear")
curves["tanh, ρ = 1.2"] = gradflow.jacobian_norms(gradflow.scaled_orthogonal(32, 1.2, seed=0), 40, seed=0)
fig, ax = plt.subplots(figsize=(7, 3.4))
fig.set_label("gradient norm against the distance back in time, for spectral radius 0.8, 1.0 and 1.2")
gradflow.plot_gradient_flow(curves, rhos=(0.8, 1.2), ax=ax)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Below 1 the gradient vanishes geometrically, above 1 it explodes in the linear case; tanh saturation
# shrinks it again. Notebook 04 has a widget with rho and the activation as controls.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Gradient clipping
#
# - **By global norm**: if $\|g\| > c$, rescale every gradient by $c / \|g\|$ (direction kept).
# - **By value**: clamp each entry to $[-c, c]$ (direction changes).
# - Clipping tames **exploding** gradients — a run that diverges without it trains with it (notebook 04).
# - It does nothing for **vanishing** gradients: a tiny gradient is not made larger. That needs a different
#   cell: gated memory.

# %% [markdown] slideshow={"slide_type": "notes"}
# This is the bridge to LSTMs and GRUs.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Deep RNNs
#
# - Stack recurrent layers: every layer but the last returns its whole sequence (`return_sequences=True`),
#   so the next layer gets a sequence to read.
# - Regularise with **dropout** between layers and **recurrent dropout** inside the recurrence.
# - **Layer normalisation** inside the cell and **residual connections** between layers help deep stacks
#   train.

# %% [markdown] slideshow={"slide_type": "notes"}
# Notebook 05 checks a two-layer NumPy stack against Keras and compares depths on the forecasting task.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Distributing a deep RNN
#
# - **Model parallelism** (the lecture's technique): each layer on its own device, so layer $l$ works on step
#   $t$ while layer $l+1$ works on step $t-1$ — the layers pipeline along time.
# - **Data parallelism**: `tf.distribute.MirroredStrategy()` keeps one replica per device, each gets a slice of
#   the batch, gradients are averaged; it pays for big batches.
# - Notebook 05 splits the CPU into two logical devices when there are fewer than two GPUs and checks both:
#   the mirrored update equals the one-device update, and the layer-per-device model equals the stacked one.
#
# Why training over many time steps stays hard: the gradient still passes through $T$ Jacobians — the
# motivation for **gated cells**.

# %% [markdown] slideshow={"slide_type": "notes"}
# With two or more GPUs the same cells use the GPUs instead of the two CPU halves.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Long short-term memory (LSTM)

# %% slideshow={"slide_type": "-"}
cells.lstm_cell()
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# The state is split in two: a long-term cell state c along the top and the short-term h. The cell state
# is only scaled by the forget gate and added to, so gradients flow along it with little decay.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## LSTM equations (Keras' gate order i, f, c, o)
#
# $$\begin{aligned}
# i^{(t)} &= \sigma\left(x^{(t)} W_{x,i} + h^{(t-1)} W_{h,i} + b_i\right) & f^{(t)} &= \sigma\left(x^{(t)} W_{x,f} + h^{(t-1)} W_{h,f} + b_f\right)\\
# g^{(t)} &= \tanh\left(x^{(t)} W_{x,c} + h^{(t-1)} W_{h,c} + b_c\right) & o^{(t)} &= \sigma\left(x^{(t)} W_{x,o} + h^{(t-1)} W_{h,o} + b_o\right)\\
# c^{(t)} &= f^{(t)} \odot c^{(t-1)} + i^{(t)} \odot g^{(t)} & h^{(t)} &= o^{(t)} \odot \tanh\left(c^{(t)}\right)
# \end{aligned}$$
#
# Keras stores them side by side: kernel $(D, 4H)$, recurrent kernel $(H, 4H)$, bias $(4H,)$, in the order
# i, f, c, o. The forget-gate bias starts at 1 so the cell remembers by default.

# %% [markdown] slideshow={"slide_type": "notes"}
# Notebook 06 transplants a Keras LSTM's weights into the NumPy cell and asserts equality, which pins the
# gate order.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Peephole connections
#
# Gers & Schmidhuber: let the gates **look at the cell state**, with diagonal weights $p_i, p_f, p_o$ of
# shape $(H,)$:
#
# $$i^{(t)} = \sigma\left(\dots + p_i \odot c^{(t-1)}\right), \quad f^{(t)} = \sigma\left(\dots + p_f \odot c^{(t-1)}\right), \quad o^{(t)} = \sigma\left(\dots + p_o \odot c^{(t)}\right)$$

# %% slideshow={"slide_type": "-"}
cells.lstm_cell(peephole=True)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# Keras 3 has no peephole layer; the course provides a NumPy peephole cell (gradient-checked) and a Keras
# custom cell that matches it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The long-lag evidence
#
# The **adding problem**: a sequence of random numbers, two of them marked; the target is their sum,
# read at the end. A network that cannot hold a number across the lag scores the baseline MSE (about 0.167).

# %% slideshow={"slide_type": "-"}
longlag_rows = bench.get("extras", {}).get("long_lag", [])
if longlag_rows:
    table = ["| cell | lag | test MSE (mean ± std over seeds) |", "|---|---:|---:|"]
    table += [
        f"| {row['cell']} | {row['lag']} | {row['mse_mean']:.4f} ± {row['mse_std']:.4f} |"
        for row in longlag_rows
    ]
    display(Markdown("\n".join(table)))
else:
    print("Run `make bench` to fill in the measured comparison (docs/benchmarks.json).")

# %% [markdown] slideshow={"slide_type": "notes"}
# These numbers come from make bench, which repeats notebook 06/07's experiment over several seeds.
# LSTM and GRU reach the target; a SimpleRNN of the same parameter budget does not.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Gated recurrent units (GRU)

# %% slideshow={"slide_type": "-"}
cells.gru_cell()
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# A simplified LSTM: one state vector, an update gate z that interpolates between keeping and replacing it,
# and a reset gate r for the candidate.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## GRU equations (Keras' gate order z, r, h)
#
# $$\begin{aligned}
# z^{(t)} &= \sigma\left(x^{(t)} W_{x,z} + h^{(t-1)} W_{h,z} + b_z\right) \qquad r^{(t)} = \sigma\left(x^{(t)} W_{x,r} + h^{(t-1)} W_{h,r} + b_r\right)\\
# \tilde h^{(t)} &= \tanh\left(x^{(t)} W_{x,h} + r^{(t)} \odot \left(h^{(t-1)} W_{h,h} + b_{h}'\right) + b_h\right) \quad \texttt{reset_after=True}\\
# \tilde h^{(t)} &= \tanh\left(x^{(t)} W_{x,h} + \left(r^{(t)} \odot h^{(t-1)}\right) W_{h,h} + b_h\right) \quad \texttt{reset_after=False}\\
# h^{(t)} &= z^{(t)} \odot h^{(t-1)} + \left(1 - z^{(t)}\right) \odot \tilde h^{(t)}
# \end{aligned}$$
#
# `reset_after=True` is Keras' default, `reset_after=False` the original of Cho et al. Other sources write
# $h^{(t)} = (1 - z^{(t)}) \odot h^{(t-1)} + z^{(t)} \odot \tilde h^{(t)}$: the same model with $z \leftrightarrow 1 - z$.

# %% [markdown] slideshow={"slide_type": "notes"}
# reset_after=True has two bias rows, (2, 3H); it is the cuDNN-compatible variant. Notebook 07 matches both
# variants with transplanted weights.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Choosing a cell
#
# Parameters of one layer with $D = 1$ input and $H = 64$ units:

# %% slideshow={"slide_type": "-"}
for cell in longlag.CELLS:
    print(f"{cell:>10}: {models.param_count(cell, 64, 1):6,d} parameters")

# %% [markdown] slideshow={"slide_type": "fragment"}
# - **SimpleRNN**: cheapest, fine for short dependencies; fails at long lags.
# - **LSTM**: the safe default for long dependencies; most parameters.
# - **GRU**: about 3/4 of an LSTM's parameters, often as good, a little faster per epoch.

# %% [markdown] slideshow={"slide_type": "notes"}
# Notebook 07's table (final metric, time to target, seconds per epoch) backs these statements with numbers
# measured on the student's machine.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## After the lecture: sequence to sequence, done properly
#
# - The encoder reads the whole input; its final state $h^{(L)}$ starts the decoder, $g^{(0)} = h^{(L)}$.
# - **Teacher forcing**: in training, the decoder reads the true previous token $y^{(t-1)}$ (START first).
# - **At inference** it reads its own previous prediction: **greedy** search keeps the best token at each step,
#   **beam search** keeps the $B$ best partial sequences by total log-probability.
# - Notebook 08, reversing 8-digit strings, exact-sequence accuracy on held-out strings:

# %% slideshow={"slide_type": "-"}
print(f"decoder fed its previous output, greedy: {measured('nb08.feedback_greedy_exact')}")
print(f"decoder fed its previous output, beam 3: {measured('nb08.feedback_beam_exact')}")
print(f"decoder fed a repeated context (02):     {measured('nb08.repeat_context_exact')}")

# %% [markdown] slideshow={"slide_type": "notes"}
# The claim notebook 08 asserts in every run: the feedback decoder makes fewer than 0.8 times the sequence
# errors of the repeat-context decoder trained on the same budget. Ask why the repeated context is harder:
# the decoder must count where it is in the output from a constant input.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Bidirectional and stateful RNNs
#
# - **Bidirectional**: one layer reads $x^{(1..T)}$ forwards, another backwards; step $t$ sees the whole
#   sequence. Good for tagging a finished sequence; impossible **online**, where $x^{(t+1)}$ has not arrived.
# - **Stateful** (`stateful=True`): the final state of one batch is the initial state of the next, so chunks of a
#   long sequence read as one pass — notebook 04's truncated BPTT, in Keras. Reset the states between
#   sequences.
# - Notebook 08 tags each of 12 digits with "occurs again later": the future decides the label.

# %% slideshow={"slide_type": "-"}
print(f"one-directional GRU, accuracy:                            {measured('nb08.unidirectional_accuracy')}")
print(f"bidirectional GRU over the best any causal reader can do: {measured('nb08.bidirectional_vs_best_causal', '.2f')}")

# %% [markdown] slideshow={"slide_type": "notes"}
# Notebook 08 proves the stateful claim exactly: chunked stateful outputs equal one pass over the whole
# sequence, to float tolerance.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# - A recurrent layer applies the same weights at every step: $Y^{(t)} = \phi(X^{(t)} W_x + Y^{(t-1)} W_y + b)$.
# - Four mappings: sequence-to-sequence, sequence-to-vector, vector-to-sequence, encoder-decoder.
# - Training is BPTT: backpropagation on the unrolled graph, gradients summed over time; truncate for speed.
# - Gradients vanish or explode geometrically in $T - t$ (bounded by $\lVert W_y \rVert_2^{T-t}$ times the
#   activation's slope); clipping fixes exploding only.
# - LSTM and GRU add gated, additive memory and learn lags a basic RNN cannot.
#
# Next: the notebooks (`notebooks/01` ... `08`) and the graded assignments.

# %% [markdown] slideshow={"slide_type": "notes"}
# Point students at the welcome notebook and the Colab/Binder badges.
