# %% [markdown]
# # Sequence to sequence: teacher forcing, decoding, bidirectional and stateful RNNs
#
# *After the lecture: what a student meets next in every RNN course. Previous: [07 — GRUs](07_gru.ipynb);
# this notebook builds on the encoder-decoder of [02](02_io_mappings.ipynb), the gated cells of
# [06](06_lstm.ipynb)/[07](07_gru.ipynb) and the chunked truncated BPTT of [04](04_training_bptt.ipynb).*
#
# **In this notebook you will**
# - pose a small token task, reversing digit strings, where the whole input must be read before the
#   first output token can be written;
# - build an encoder-decoder whose decoder reads **its own previous output**, train it with **teacher
#   forcing**, and decode with **greedy** search and **beam search**;
# - measure it against notebook 02's repeat-context decoder trained on the same budget;
# - see what a **bidirectional** RNN reads that a one-directional one cannot, and why it cannot run online;
# - carry a Keras **stateful** RNN's state across chunks of a long sequence and prove it equals one pass.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from course_utils import claims, models, seq2seq
from course_utils.data import tokens

# The knob: training epochs of each encoder-decoder (more epochs close the gap between the two decoders).
EPOCHS = 8
LENGTH, UNITS = 8, 64  # digits per string L, units H of every recurrent layer
N_TRAIN, N_TEST = 4000, 500

# %% [markdown]
# ## 1. A token task: reversing digit strings
#
# Each input is a string of $L = 8$ random digits $x^{(1)}, \dots, x^{(L)}$; the target is the same string
# backwards, $y^{(t)} = x^{(L+1-t)}$. The first output token is the *last* input token, so nothing useful
# can be written before the whole input has been read: the encoder-decoder's shape. Tokens enter the
# networks as one-hot vectors of size $V = 11$: the ten digits and a **START** token (written `^`) that
# opens the decoder's input. Training and test strings are drawn with different seeds.

# %%
train = tokens.reverse_digits(N_TRAIN, LENGTH, seed=SEED + 1)  # source, target: (N, L) token ids
test = tokens.reverse_digits(N_TEST, LENGTH, seed=SEED + 2)
x_train, x_test = tokens.one_hot(train.source), tokens.one_hot(test.source)  # (N, L, V)
assert x_train.shape == (N_TRAIN, LENGTH, tokens.VOCAB) and (train.target == train.source[:, ::-1]).all()
for n in range(3):
    print(f"x = {tokens.to_text(test.source[n])}  ->  y = {tokens.to_text(test.target[n])}")

# %%
# NBVAL_CHECK_OUTPUT
print(f"source ids {train.source.shape}, one-hot {x_train.shape} = (N, L, V); target {train.target.shape}")
print(f"decoder input under teacher forcing: START, y(1), ..., y(L-1): {train.decoder_input.shape}, starts with START: {bool((train.decoder_input[:, 0] == tokens.START).all())}")

# %% [markdown]
# ## 2. Two decoders
#
# Both models share the encoder of notebook 02, a recurrent layer that reads $x^{(1..L)}$ and hands its
# final state $h^{(L)}$ to the decoder as the decoder's initial state $g^{(0)}$. They differ in what the
# decoder reads at each step $t = 1..L$ (here with GRU layers, notebook 07, for both):
#
# $$
# \begin{aligned}
# \text{repeat context (02):}\quad & g^{(t)} = \mathrm{GRU}\big(h^{(L)},\ g^{(t-1)}\big), \\
# \text{previous output:}\quad & g^{(t)} = \mathrm{GRU}\big(y^{(t-1)},\ g^{(t-1)}\big), \qquad y^{(0)} = \text{START}, \\
# \text{both:}\quad & P\big(y^{(t)} \mid \cdot\big) = \mathrm{softmax}\big(g^{(t)} W_o + b_o\big).
# \end{aligned}
# $$
#
# The second decoder writes like a translator: each token is chosen knowing the tokens already written.
# It defines $P(y^{(1..L)} \mid x) = \prod_t P(y^{(t)} \mid y^{(1..t-1)}, x)$, a language model of the
# output conditioned on the input.
#
# **Teacher forcing.** In training, the decoder is fed the *true* previous token $y^{(t-1)}$, not its own
# guess: the input is the target shifted right behind START, all $L$ steps are trained in one pass, and
# the loss is the cross-entropy $-\sum_t \log P(y^{(t)} \mid y^{(1..t-1)}, x)$. At inference there is no
# true output, so the decoder is fed its **own** previous choice, one step at a time (section 4).
#
# `models.feedback_model` returns three Keras views with shared weights: `train` (teacher forcing),
# `encoder` (source to $h^{(L)}$) and `decoder` (one step: previous token and $g^{(t-1)}$ to
# probabilities and $g^{(t)}$). The repeat-context model is notebook 02's builder with GRU layers and a
# softmax readout.

# %%
keras.utils.set_random_seed(SEED)
feedback = models.feedback_model(tokens.VOCAB, UNITS)
repeat = models.encoder_decoder_model(None, tokens.VOCAB, LENGTH, UNITS, outputs=tokens.VOCAB, cell="gru", activation="softmax")

# The one-step decoder fed the true previous tokens must give what the training model gives (untrained weights).
step = seq2seq.keras_step(feedback)  # (previous token ids (N,), g(t-1) (N, H)) -> (probs (N, V), g(t) (N, H))
state = np.asarray(feedback.encoder(x_test[:4]))  # (4, H): g(0) = h(L)
probs_train = np.asarray(feedback.train([x_test[:4], tokens.one_hot(test.decoder_input[:4])]))  # (4, L, V)
steps_out = []
for t in range(LENGTH):
    probs, state = step(test.decoder_input[:4, t], state)  # fed the true y(t-1): teacher forcing
    steps_out.append(probs)
agree = np.allclose(np.stack(steps_out, axis=1), probs_train, atol=1e-5)
assert agree

# %%
# NBVAL_CHECK_OUTPUT
print(f"parameters: previous-output decoder {feedback.train.count_params()}, repeat-context decoder {repeat.count_params()}")
print(f"step-by-step decoder equals the teacher-forced model (to 1e-5): {agree}")

# %% [markdown]
# The repeat-context decoder reads an $H$-vector at each step, the previous-output decoder a $V$-vector,
# so the repeat-context model has the more weights (counts above): size does not favour the newcomer.
# Both get the same budget: `EPOCHS` epochs of Adam at learning rate 0.005, batches of 64.

# %%
def fit(model, inputs, target):
    """Compile and fit one model on the training strings (seeded by the setup cell)."""
    model.compile(optimizer=keras.optimizers.Adam(0.005), loss="sparse_categorical_crossentropy")
    return model.fit(inputs, target, epochs=EPOCHS, batch_size=64, verbose=0).history["loss"]


keras.utils.set_random_seed(SEED)
loss_feedback = fit(feedback.train, [x_train, tokens.one_hot(train.decoder_input)], train.target)
keras.utils.set_random_seed(SEED)
loss_repeat = fit(repeat, x_train, train.target)

fig, ax = plt.subplots(figsize=(6, 2.6))
ax.plot(np.arange(1, EPOCHS + 1), loss_feedback, "o-", label="previous output (teacher forcing)")
ax.plot(np.arange(1, EPOCHS + 1), loss_repeat, "s--", label="repeat context (02)")
ax.set(xlabel="epoch", ylabel="training cross-entropy", yscale="log", title="same budget, two decoders")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 3. Decoding: greedy and beam search
#
# At inference the decoder writes one token at a time and reads what it wrote. **Greedy decoding** takes
# the most likely token at every step:
#
# ```python
# token = START
# for t in range(L):
#     probs, g = step(token, g)       # P(y(t) | y(1..t-1), x), the new state g(t)
#     token = probs.argmax()          # its own choice is its next input
# ```
#
# The most likely token now need not start the most likely *sequence*. **Beam search** keeps the $B$
# most likely prefixes (by summed log-probability $\sum_t \log P(y^{(t)} \mid y^{(1..t-1)}, x)$), extends
# each by every token, and keeps the $B$ best extensions; $B = 1$ is greedy. Both are a few lines in
# `course_utils.seq2seq` (`greedy_decode`, `beam_search`), written for any `step` function. A hand-made
# decoder shows the difference: tokens A, B, C, with the next-token probabilities below.

# %%
A, B, C, S = 0, 1, 2, 3  # S plays START
table = np.array(
    [
        [0.34, 0.33, 0.33, 0.0],  # after A: anything
        [0.05, 0.05, 0.90, 0.0],  # after B: almost surely C
        [0.34, 0.33, 0.33, 0.0],  # after C: anything
        [0.60, 0.40, 0.00, 0.0],  # first token: A (0.6) or B (0.4)
    ]
)
toy = seq2seq.bigram_step(table)
no_state = np.zeros((1, 1))
greedy_toy = seq2seq.greedy_decode(toy, no_state, 2, start=S)[0]
beam_toy, beam_logp = seq2seq.beam_search(toy, no_state, 2, width=2, start=S)

# %%
# NBVAL_CHECK_OUTPUT
names = "ABC"
p_greedy = table[S, greedy_toy[0]] * table[greedy_toy[0], greedy_toy[1]]
print(f"greedy: {''.join(names[i] for i in greedy_toy)} with probability {p_greedy:.3f}")
print(f"beam search (B = 2): {''.join(names[i] for i in beam_toy[0])} with probability {np.exp(beam_logp[0]):.3f}")

# %% [markdown]
# Greedy commits to A (0.6) and ends at $0.6 \times 0.34 = 0.204$; the beam keeps B alive and finds
# $0.4 \times 0.9 = 0.36$. Now the trained models on the test strings, scored by **exact-sequence
# accuracy**: the share of strings with every one of the $L$ tokens right.

# %%
state = feedback.encoder.predict(x_test, verbose=0)  # (N, H): g(0) = h(L)
greedy = seq2seq.greedy_decode(step, state, LENGTH)  # (N, L)
beam, _ = seq2seq.beam_search(step, state, LENGTH, width=3)  # (N, L)
repeat_out = repeat.predict(x_test, verbose=0).argmax(axis=-1)  # (N, L): every step at once

exact = {
    "previous output, greedy": seq2seq.exact_match(greedy, test.target),
    "previous output, beam B = 3": seq2seq.exact_match(beam, test.target),
    "repeat context (02)": seq2seq.exact_match(repeat_out, test.target),
}
for name, acc in exact.items():
    print(f"{name:>28}: exact-sequence accuracy {acc:.3f}")
for n in range(3):
    print(f"x = {tokens.to_text(test.source[n])}: greedy {tokens.to_text(greedy[n])}, repeat context {tokens.to_text(repeat_out[n])}")

errors_feedback = 1 - claims.record("nb08.feedback_greedy_exact", exact["previous output, greedy"])
claims.record("nb08.feedback_beam_exact", exact["previous output, beam B = 3"])
errors_repeat = 1 - claims.record("nb08.repeat_context_exact", exact["repeat context (02)"])
claims.below("nb08.feedback_vs_repeat_errors", errors_feedback / errors_repeat, 0.8)

# %% [markdown]
# The decoder that reads its previous output makes fewer whole-string errors than the repeat-context
# decoder trained on the same budget (the claim: at most 0.8 times as many, at every seed `make claims`
# runs). Reading its own last token tells it where it is in the string and what it has already written,
# which the repeat-context decoder must track in its state alone. Beam search can only help where the
# decoder is unsure between continuations; reversal has one right answer, so it adds little here, while
# in translation or captioning, where several continuations are plausible, it matters more, as in the toy.
#
# ## 4. Bidirectional RNNs: reading the future
#
# A recurrent layer's output $y^{(t)}$ has seen $x^{(1..t)}$ only. A **bidirectional** layer runs a second
# recurrent layer backwards, from $x^{(T)}$ down to $x^{(t)}$, and concatenates the two states:
#
# $$ \overrightarrow{h}^{(t)} = \mathrm{GRU}\big(x^{(t)}, \overrightarrow{h}^{(t-1)}\big), \qquad
#    \overleftarrow{h}^{(t)} = \mathrm{GRU}'\big(x^{(t)}, \overleftarrow{h}^{(t+1)}\big), \qquad
#    y^{(t)} = \big[\overrightarrow{h}^{(t)}, \overleftarrow{h}^{(t)}\big] W_o + b_o. $$
#
# A task that needs the future: label each step of a string of $T = 12$ digits with 1 when its digit
# **occurs again later**. Later digits are independent of earlier ones, so a one-directional reader can
# only guess from the position $t$: with $T - t$ digits still to come, a repeat has probability
# $p = 1 - 0.9^{T-t}$, and no causal model can beat answering the likelier side, an accuracy we compute
# exactly (`tokens.later_match_best_causal_accuracy`). In Keras, `Bidirectional(GRU(...))` does the rest.

# %%
STEPS_BI = 12
match_train = tokens.later_match(4000, STEPS_BI, seed=SEED + 3)  # tokens, labels: (N, T)
match_test = tokens.later_match(1000, STEPS_BI, seed=SEED + 4)
best_causal = tokens.later_match_best_causal_accuracy(STEPS_BI)


def tagger(bidirectional):
    """Per-step tagger (N, T, V) -> P(label = 1) (N, T, 1), one GRU layer, forward only or both ways."""
    inputs = keras.Input((None, tokens.DIGITS))
    rnn = keras.layers.GRU(32, return_sequences=True)
    h = (keras.layers.Bidirectional(rnn) if bidirectional else rnn)(inputs)  # (N, T, 2H) or (N, T, H)
    return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(h))


accuracy = {}
for bidirectional in (False, True):
    keras.utils.set_random_seed(SEED)
    model = tagger(bidirectional)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    model.fit(tokens.one_hot(match_train.tokens, tokens.DIGITS), match_train.labels[..., None], epochs=6, batch_size=64, verbose=0)
    prob = model.predict(tokens.one_hot(match_test.tokens, tokens.DIGITS), verbose=0)[..., 0]  # (N, T)
    accuracy[bidirectional] = float(np.mean((prob > 0.5) == match_test.labels))

print(f"best any one-directional reader can do: {best_causal:.3f}")
print(f"one-directional GRU: {accuracy[False]:.3f}; bidirectional GRU: {accuracy[True]:.3f}")
claims.record("nb08.unidirectional_accuracy", accuracy[False])
claims.above("nb08.bidirectional_vs_best_causal", accuracy[True] / best_causal, 1.2)

# %%
# NBVAL_CHECK_OUTPUT
print(f"T = {STEPS_BI}, 10 digits: best one-directional accuracy {best_causal:.3f} (exact)")

# %% [markdown]
# The bidirectional tagger clears the best any one-directional reader can do by more than 20% (the
# claim); the one-directional GRU can at best reach that line, up to the noise of a finite test set. The price: $\overleftarrow{h}^{(t)}$ starts from the **last** step, so no output
# exists until the whole sequence has arrived. A bidirectional layer suits a sequence that is complete
# before it is read (a sentence to tag, a recorded utterance, the encoder of a translator), never online
# prediction, where $x^{(t+1)}$ does not exist yet when $y^{(t)}$ is due (forecasting, live captions).
#
# ## 5. Stateful RNNs: carrying the state across chunks
#
# Notebook 04 trained on a long stream cut into chunks of $L$ steps, the last state of one chunk being the
# first state of the next, with the gradient stopping at the chunk boundary (stateful truncated BPTT).
# Keras does this with `stateful=True`: the layer keeps its final state $h^{(\text{end})}$ in a variable
# and starts its next call from it instead of from zero, until `reset_state()`. The batch size is fixed,
# since row $n$ of each chunk must continue row $n$ of the previous one.
#
# The forward pass over the chunks is then exactly the one-pass forward over the whole stream:

# %%
N_STREAMS, CHUNK, CHUNKS, D, H = 4, 10, 5, 3, 8
stream = np.random.default_rng(SEED + 5).normal(size=(N_STREAMS, CHUNK * CHUNKS, D)).astype("float32")  # (N, T, D)

chunk_input = keras.Input(batch_shape=(N_STREAMS, CHUNK, D))  # fixed batch: row n continues row n
stateful_rnn = keras.layers.SimpleRNN(H, return_sequences=True, stateful=True)
chunked = keras.Model(chunk_input, stateful_rnn(chunk_input))
one_pass = keras.layers.SimpleRNN(H, return_sequences=True)
one_pass.build((None, None, D))
one_pass.set_weights(stateful_rnn.get_weights())  # the same W_x, W_y, b

by_chunks = np.concatenate([np.asarray(chunked(stream[:, k * CHUNK : (k + 1) * CHUNK])) for k in range(CHUNKS)], axis=1)  # (N, T, H)
whole = np.asarray(one_pass(stream))  # (N, T, H)
restarted = []
for k in range(CHUNKS):
    stateful_rnn.reset_state()  # forget: this call starts from h = 0 again
    restarted.append(np.asarray(chunked(stream[:, k * CHUNK : (k + 1) * CHUNK])))
restarted = np.concatenate(restarted, axis=1)  # (N, T, H)
carried_equal = np.allclose(by_chunks, whole, atol=1e-6)
reset_differs = not np.allclose(restarted[:, CHUNK:], whole[:, CHUNK:], atol=1e-3)
assert carried_equal and reset_differs

# %%
# NBVAL_CHECK_OUTPUT
print(f"{CHUNKS} chunks of {CHUNK} steps, state carried: equals one pass over {CHUNK * CHUNKS} steps (to 1e-6): {carried_equal}")
print(f"state reset at every chunk: differs from one pass after the first chunk: {reset_differs}")

# %% [markdown]
# Training a stateful model chunk by chunk (`fit` on each chunk in order, `shuffle=False`) is notebook 04's
# chunked truncated BPTT: the forward state flows through the whole stream, the gradient only within a
# chunk. Call `reset_state()` between independent streams, never inside one.
#
# ## Summary
#
# - An encoder-decoder whose decoder reads its previous output models $P(y^{(t)} \mid y^{(1..t-1)}, x)$.
#   It is trained with **teacher forcing** (true previous tokens, all steps at once) and run on its own
#   choices at inference; here it made fewer whole-string errors than notebook 02's repeat-context decoder
#   on the same budget.
# - **Greedy decoding** takes the likeliest token at each step; **beam search** keeps the $B$ likeliest
#   prefixes and can find a likelier sequence whose first token is not the likeliest.
# - A **bidirectional** RNN reads the future of every step too, and beats the best any one-directional
#   reader can do on a task that needs it; it cannot run online.
# - A **stateful** Keras RNN carries its state across calls: chunks of a stream give exactly the one-pass
#   states, the forward half of notebook 04's chunked truncated BPTT.
#
# **Next:** the assignments in `notebooks/assignments/`, or back to [00 — welcome](00_welcome.ipynb) for
# the course map.
