# %% [markdown]
# # Recurrent Architectures — welcome
#
# A hands-on course on recurrent neural networks, following the lecture *Recurrent Architectures*
# (CSCE 496/896, Lecture 6, Stephen Scott; adapted from Vinod Variyam and Ian Goodfellow).
#
# **In this notebook you will**
# - see the map of the course and the order to take it in;
# - learn how to run it locally, on Binder and on Colab;
# - check that your environment has everything the course needs, and whether it will use a CPU or a GPU.

# %% [markdown]
# ## The course map
#
# The notebooks follow the lecture's outline. Each one opens with its learning objectives, teaches in the
# lecture's notation ($x^{(t)}$, $y^{(t)}$, $h^{(t)}$, $W_x$, $W_y$, $b$, $\phi$), proves its claims with
# assertions, and ends with short exercises that give instant feedback.
#
# | # | notebook | lecture part | what you will do |
# |---|---|---|---|
# | 01 | [The basic recurrent cell and layer](01_basic_recurrent_cell.ipynb) | Basic RNNs | build a recurrent layer from scratch and match Keras' `SimpleRNN` |
# | 02 | [Input/output mappings](02_io_mappings.ipynb) | I/O mappings | seq-to-seq, seq-to-vector, vector-to-seq and encoder-decoder on one task |
# | 03 | [TensorFlow/Keras examples](03_tensorflow_examples.ipynb) | Example implementations | unrolling, variable lengths, a classifier, forecasting, a creative RNN |
# | 04 | [Training: backpropagation through time](04_training_bptt.ipynb) | Training | derive and check BPTT, truncation, vanishing/exploding gradients, clipping |
# | 05 | [Deep RNNs](05_deep_rnns.ipynb) | Deep RNNs | stacking, dropout, normalisation, distribution |
# | 06 | [Long short-term memory](06_lstm.ipynb) | LSTMs | the LSTM cell, peepholes, and the long-lag evidence |
# | 07 | [Gated recurrent units](07_gru.ipynb) | GRUs | the GRU cell and the final comparison of cells |
# | 08 | [Sequence to sequence](08_seq2seq.ipynb) | after the lecture | teacher forcing, greedy and beam search, bidirectional and stateful RNNs |
#
# Then: three graded assignments (`notebooks/assignments/`) and the lecture slides (`slides/`).

# %% [markdown]
# ## Notation (every notebook and assignment uses it)
#
# | symbol | meaning | shape in code (batch-first) |
# |---|---|---|
# | $t = 1, \dots, T$ | time steps; the state before the first step is $h(0) = 0$ unless a notebook says otherwise | |
# | $x(t)$ | the input at step $t$ ($D$ features) | `x` is $(N, T, D)$, one step `x[:, t-1]` is $(N, D)$ |
# | $h(t)$ | the state of a recurrent layer at step $t$ ($H$ units). For the basic cell it is also the layer's output, which the lecture writes $y(t)$: $y(t) = h(t)$ | `h` is $(N, T, H)$, `h0` is $(N, H)$ |
# | $W_x$, $W_y$, $b$ | input weights, **recurrent** weights and bias of the layer: $h(t) = \phi\big(W_x^\top x(t) + W_y^\top h(t-1) + b\big)$, row-batch form $H(t) = \phi\big(X(t) W_x + H(t-1) W_y + b\big)$ | `Wx` $(D, H)$, `Wh` $(H, H)$ (Keras' `kernel`, `recurrent_kernel`), `b` $(H,)$ |
# | $W_o$, $b_o$ | a **readout** (output layer) on top of the state: $\hat y(t) = h(t) W_o + b_o$ | `Wo` $(H, C)$, `bo` $(C,)$ |
# | $N$, $T$, $D$, $H$, $C$ | batch size, steps, input features, hidden units, outputs | |
# | $\rho(W_y)$ | the **spectral radius** of $W_y$ (largest $\lvert\text{eigenvalue}\rvert$): governs the long-run growth or decay of the state | |
# | $\lVert W_y \rVert_2$ | the **spectral norm** (largest singular value, $\ge \rho$): bounds each step's gradient factor | |
#
# Gated cells keep Keras' layouts so weights transplant: LSTM gates in the order i, f, c, o; GRU gates z, r, h,
# with Keras' convention $h(t) = z \odot h(t-1) + (1 - z) \odot \tilde h(t)$ (other sources swap $z$ and
# $1 - z$: the same model).

# %% [markdown]
# ## How the notebooks prove what they say
#
# Two kinds of evidence. *Exact facts* (a NumPy cell equals Keras after copying its weights, a gradient
# check, a shape, a parameter count) print the same text on every computer. *Empirical claims* (anything
# trained or sampled, such as "the LSTM reaches the target and the SimpleRNN does not") depend on the random
# seed and on how your CPU rounds, so each is asserted with a margin through `course_utils.claims`, and the
# course's maintainers check every one of them over five seeds and perturbed arithmetic (`make claims`, the
# table in `docs/claims.md`). A number quoted in the prose as a range comes from that table.
#
# The setup cell above took its seed from the environment variable `COURSE_SEED` (default 0, the run you see
# stored) and keeps it as `SEED`; every seed in a notebook derives from it. To see a notebook with other
# data, initial weights and samples, start JupyterLab with `COURSE_SEED=3 make lab` (or write
# `runtime.setup(seed=3)` in the setup cell) and run it again: the numbers change, the claims still hold.

# %% [markdown]
# ## How to run the course
#
# - **Locally** (Python 3.11, 3.12 or 3.13 and pip): `make lab` creates `.venv` from the pinned lock, installs
#   `course_utils` and opens JupyterLab here; `make test` runs every test.
# - **Binder**: the *launch binder* badge builds the pinned environment (`environment.yml`, then `postBuild`
#   installs `course_utils`). Binder gives 2 GB of memory; every notebook stays below 1.2 GB.
# - **Colab**: the *Open in Colab* badge. The first code cell installs `course_utils` from a pinned release
#   on Colab only, and never reinstalls TensorFlow (Colab already has it). A GPU runtime is picked up
#   automatically; nothing in the code changes, only the speed.

# %% [markdown]
# ## Environment check
#
# The setup cell above seeded Python, NumPy and TensorFlow and reported the device. Here are the versions
# of the packages the course uses:

# %%
from course_utils import runtime

versions = runtime.versions()
for name, version in versions.items():
    print(f"{name:>16}: {version}")

# %%
import keras
import matplotlib
import numpy as np

import course_utils

assert int(keras.__version__.split(".")[0]) >= 3, "the course needs Keras 3"
assert int(np.__version__.split(".")[0]) >= 1
print(f"course_utils {course_utils.__version__} is ready.")

# %% [markdown]
# ## Next
#
# Start with [01 — the basic recurrent cell and layer](01_basic_recurrent_cell.ipynb).
