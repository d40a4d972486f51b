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
#
# Then: three graded assignments (`notebooks/assignments/`) and the lecture slides (`slides/`).

# %% [markdown]
# ## How to run the course
#
# - **Locally** (Python 3.11 and pip): `make lab` creates `.venv` from the pinned lock, installs
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
