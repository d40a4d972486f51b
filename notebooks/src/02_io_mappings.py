# %% [markdown]
# # Input/output mappings
#
# *Lecture part: **Input/Output Mappings**. Previous: [01 — the basic recurrent cell](01_basic_recurrent_cell.ipynb);
# next: [03 — TensorFlow/Keras examples](03_tensorflow_examples.ipynb).*
#
# **In this notebook you will**
# - name the four ways a recurrent network maps inputs to outputs: sequence-to-sequence, sequence-to-vector,
#   vector-to-sequence and encoder-decoder;
# - build each one in Keras (`return_sequences`, a `Dense` on 3-D outputs, `RepeatVector`, passing states);
# - train all four on **one** family of toy signals, so the only difference is the mapping, and check that
#   each beats a stated trivial baseline;
# - match each mapping to its typical uses (translation, speech-to-text, sentiment, captioning, music).

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from course_utils import check, mappings, metrics
from course_utils.data import signals
from course_utils.diagrams import mappings as mapping_diagrams

# The knob: training epochs per model (30 gives closer fits, about twice the run time).
EPOCHS = 15
T, HORIZON, UNITS = 40, 10, 32  # time steps, encoder-decoder forecast length, recurrent units
N_TRAIN, N_TEST = 512, 200

# %% [markdown]
# ## The four mappings
#
# The recurrent layer of notebook 01 turns a sequence $x^{(1)}, \dots, x^{(T)}$ into outputs
# $y^{(1)}, \dots, y^{(T)}$. Which inputs we feed and which outputs we keep give four mappings:

# %%
mapping_diagrams.all_mappings(steps=4, horizon=3)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## One toy task family
#
# Every sequence is a noisy "note": $x^{(t)} = A \sin(2\pi f t + \varphi) + \varepsilon^{(t)}$ with one of
# three frequencies $f$ (slow, medium, fast), a random amplitude $A \in [0.5, 1.5]$, a random phase
# $\varphi$ and noise $\varepsilon^{(t)} \sim \mathcal{N}(0, 0.1^2)$. Training and test sets are drawn
# with different seeds. Each mapping asks a natural question of the same data:
#
# | mapping | question | input | target | trivial baseline |
# |---|---|---|---|---|
# | sequence-to-sequence | at every step, the clean value one step ahead | $(N, T-1, 1)$ | $(N, T-1, 1)$ | persistence: predict $x^{(t)}$ |
# | sequence-to-vector | which note is it? | $(N, T, 1)$ | $(N,)$ class | the most frequent class |
# | vector-to-sequence | draw the clean signal from $(A, f, \cos\varphi, \sin\varphi)$ | $(N, 4)$ | $(N, T, 1)$ | the average signal |
# | encoder-decoder | read $T-K$ steps, then forecast the next $K$ | $(N, T-K, 1)$ | $(N, K, 1)$ | repeat the last value |

# %%
train = signals.make_signals(N_TRAIN, T, seed=1)
test = signals.make_signals(N_TEST, T, seed=2)

fig, ax = plt.subplots(figsize=(8, 2.4))
for c, name in enumerate(("slow", "medium", "fast")):
    n = int(np.flatnonzero(test.frequency_class == c)[0])
    ax.plot(np.arange(1, T + 1), test.x[n, :, 0], ".-", ms=3, lw=0.8, label=f"{name} (f = {signals.FREQUENCIES[c]})")
ax.set(xlabel="time step t", ylabel="x(t)", title="one test sequence of each note")
ax.legend(fontsize=8, loc="upper right")
plt.show()

# %% [markdown]
# Every model below is the same size: one `SimpleRNN` layer of 32 units (plus a second one for the
# decoder), trained with Adam for `EPOCHS` epochs by one small helper, `fit_and_score`, which also scores
# the model on the test set next to its baseline.

# %%
results = {}  # mapping -> (test score, baseline score, metric)


def fit_and_score(model, train_task, test_task, loss="mse"):
    """Compile and fit on the training task (seeded by the setup cell), predict the test inputs.

    Returns (prediction, test score, baseline score); the score is recorded for the benchmarks.
    """
    model.compile(optimizer=keras.optimizers.Adam(0.005), loss=loss)
    model.fit(train_task.x, train_task.y, epochs=EPOCHS, batch_size=32, verbose=0)
    pred = model.predict(test_task.x, verbose=0)
    score = metrics.record(f"nb02_{test_task.kind}_test_{test_task.metric}", test_task.score(pred))
    results[test_task.kind] = (score, test_task.baseline_score, test_task.metric)
    return pred, score, test_task.baseline_score

# %% [markdown]
# ## 1. Sequence-to-sequence
#
# Feed a sequence, keep **every** output: $y^{(t)}$ at each step. In Keras, `return_sequences=True` makes
# the recurrent layer return all states $(N, T, H)$, and a `Dense` applied to that 3-D tensor acts on every
# step with the same weights, giving $(N, T, 1)$. Question: at each step, the clean signal one step ahead.
# Baseline: *persistence*, predicting that the next value equals the current observation.

# %%
seq2seq_train, seq2seq_test = signals.next_step_task(train), signals.next_step_task(test)
pred, score, baseline = fit_and_score(mappings.seq2seq_model(None, 1, UNITS), seq2seq_train, seq2seq_test)  # pred (N, T-1, 1)
assert score < 0.5 * baseline, (score, baseline)
print(f"test MSE {score:.4f} vs persistence {baseline:.4f}")
mappings.plot_prediction(seq2seq_test, pred, index=0)
plt.show()

# %% [markdown]
# ## 2. Sequence-to-vector
#
# Feed a sequence, keep **only the last** output $y^{(T)}$, which has seen the whole sequence. In Keras
# that is the default, `return_sequences=False`: the layer returns $(N, H)$ and a `Dense` with a softmax
# turns it into class probabilities $(N, 3)$. Question: which note is it? Baseline: always answer the most
# frequent class (one third of the time right, as the classes are balanced).

# %%
seq2vec_train, seq2vec_test = signals.frequency_task(train), signals.frequency_task(test)
probs, score, baseline = fit_and_score(
    mappings.seq2vec_model(None, 1, UNITS, outputs=3), seq2vec_train, seq2vec_test, loss="sparse_categorical_crossentropy"
)  # probs (N, 3)
assert abs(baseline - 1 / 3) < 0.01, baseline  # balanced classes: the majority class is right a third of the time
assert score > baseline + 0.3, (score, baseline)
print(f"test accuracy {score:.3f} vs most-frequent-class {baseline:.3f}")
mappings.plot_prediction(seq2vec_test, probs, index=0)
plt.show()

# %% [markdown]
# ## 3. Vector-to-sequence
#
# Feed **one vector** $v$, emit a sequence. `RepeatVector(T)` copies $v$ of shape $(N, 4)$ to
# $(N, T, 4)$ so the recurrent layer sees it at every step (another option feeds $v$ at the first step
# and zeros after); `return_sequences=True` and a `Dense` on the 3-D output give $(N, T, 1)$. Question: draw
# the clean signal from its parameters $v = (A, f, \cos\varphi, \sin\varphi)$ ($f$ scaled to $[0, 1]$).
# Baseline: the average signal of the set.

# %%
vec2seq_train, vec2seq_test = signals.generation_task(train), signals.generation_task(test)
pred, score, baseline = fit_and_score(mappings.vec2seq_model(4, T, UNITS), vec2seq_train, vec2seq_test)  # pred (N, T, 1)
assert score < 0.5 * baseline, (score, baseline)
print(f"test MSE {score:.4f} vs average signal {baseline:.4f}")
mappings.plot_prediction(vec2seq_test, pred, index=0)
plt.show()

# %% [markdown]
# ## 4. Encoder-decoder
#
# A **delayed** sequence-to-sequence: an *encoder* reads the whole input (sequence-to-vector), and its final
# state $h^{(T)}$ is handed to a *decoder* that emits the output sequence (vector-to-sequence). In Keras the
# encoder uses `return_state=True`, the decoder gets that state as `initial_state=[state]` and reads it at
# each of its $K$ steps through `RepeatVector(K)`. Input and output lengths need not match, which is what
# translation needs (the whole sentence is read before the first word is produced). Question: read
# $T - K = 30$ steps, then forecast the next $K = 10$ clean values. Baseline: repeat the last observed value.

# %%
encdec_train = signals.continuation_task(train, HORIZON)
encdec_test = signals.continuation_task(test, HORIZON)
pred, score, baseline = fit_and_score(mappings.encoder_decoder_model(None, 1, HORIZON, UNITS), encdec_train, encdec_test)  # pred (N, K, 1)
assert score < 0.5 * baseline, (score, baseline)
print(f"test MSE {score:.4f} vs repeat-last-value {baseline:.4f}")
mappings.plot_prediction(encdec_test, pred, index=0)
plt.show()

# %% [markdown]
# ## Comparison
#
# Every mapping beat its trivial baseline on the same data (the numbers depend a little on the machine;
# the assertions above hold them to a margin: MSE below half the baseline's, accuracy at least 0.3 above):

# %%
for kind, (score, baseline, metric) in results.items():
    print(f"{mapping_diagrams.MAPPINGS[kind]:>22}: {metric:>8} {score:.3f}  (baseline {baseline:.3f})")

# %%
# NBVAL_CHECK_OUTPUT
for kind, (score, baseline, metric) in results.items():
    better = score > baseline + 0.3 if metric == "accuracy" else score < 0.5 * baseline
    print(f"{mapping_diagrams.MAPPINGS[kind]:>22} beats its baseline by the margin: {better}")

# %% [markdown]
# | mapping | example uses | Keras recipe | shapes in → out |
# |---|---|---|---|
# | sequence-to-sequence | forecasting every step, tagging each word, frame-by-frame video labels | `SimpleRNN(H, return_sequences=True)` + `Dense(O)` | $(N, T, D) \to (N, T, O)$ |
# | sequence-to-vector | sentiment analysis, classifying a whole sequence | `SimpleRNN(H)` + `Dense(O)` | $(N, T, D) \to (N, O)$ |
# | vector-to-sequence | image captioning (image features in), music from a style vector | `RepeatVector(T)` + `SimpleRNN(H, return_sequences=True)` + `Dense(O)` | $(N, P) \to (N, T, O)$ |
# | encoder-decoder | translation, speech-to-text, summarisation | encoder `SimpleRNN(H, return_state=True)`; decoder `SimpleRNN(H, return_sequences=True)(..., initial_state=[state])` + `Dense(O)` | $(N, T, D) \to (N, K, O)$ |
#
# The builders live in `course_utils.mappings`, so the slides and assignments use the same recipes.

# %% [markdown]
# ## Exercises
#
# **Exercise 1.** Given the batch-first shapes of a model's input and output, name the mapping:
# return `"seq2seq"`, `"seq2vec"`, `"vec2seq"` or `"encdec"` (an output sequence whose length differs from
# the input's comes from an encoder-decoder).

# %%
def which_mapping(input_shape, output_shape):
    """input_shape, output_shape: tuples such as (N, T, D) or (N, P)."""
    raise NotImplementedError


# NBVAL_CHECK_OUTPUT
_ = check.exercise_02_1(which_mapping)

# %% [markdown]
# **Exercise 2.** Build (do not train) a sequence-to-vector classifier: input $(N, T, D)$, output class
# probabilities $(N, C)$.

# %%
def build_seq2vec(steps, features, classes):
    """Return a keras.Model."""
    raise NotImplementedError


# NBVAL_CHECK_OUTPUT
_ = check.exercise_02_2(build_seq2vec)

# %% [markdown]
# **Exercise 3.** Build (do not train) an encoder-decoder: input $(N, T, D)$, output $(N, K, 1)$ with
# $K$ = `horizon`, where the decoder starts from the encoder's final state. Write it yourself with the
# functional API rather than calling `course_utils.mappings`.

# %%
def build_encoder_decoder(steps, features, horizon):
    """Return a keras.Model."""
    raise NotImplementedError


# NBVAL_CHECK_OUTPUT
_ = check.exercise_02_3(build_encoder_decoder)

# %% [markdown]
# ## Summary
#
# - Which inputs a recurrent network reads and which outputs it keeps gives four mappings:
#   sequence-to-sequence, sequence-to-vector, vector-to-sequence and encoder-decoder (sequence-to-vector
#   followed by vector-to-sequence, joined by the encoder's final state).
# - In Keras: `return_sequences` keeps every output, a `Dense` on 3-D outputs acts per step, `RepeatVector`
#   feeds one vector at every step, `return_state` / `initial_state` pass the encoder's state on.
# - On one family of noisy notes, each mapping answered its own question far better than a trivial baseline.
#
# *Measured on the course machine (2 CPU cores shared with other jobs, load about 10): run time 53-62 s, peak
# memory about 0.8 GB. On idle cores expect less time; `EPOCHS` is the knob.*
#
# **Next:** [03 — TensorFlow/Keras examples](03_tensorflow_examples.ipynb): unrolling, variable lengths, a
# classifier, forecasting and a creative RNN.
