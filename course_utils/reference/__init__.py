"""NumPy reference implementations of the course's recurrent cells, with backpropagation through time.

Every function is batch-first — ``x (N, T, D)``, ``h0 (N, H)``, hidden states ``h (N, T, H)`` — and uses
Keras' weight layouts, so ``from_keras(layer)`` drops a trained Keras layer's weights straight in and the
tests prove the results equal to Keras (states to 1e-9, gradients to 1e-8, in float64)::

    from course_utils import reference as ref
    h, cache = ref.rnn_forward(x, h0, Wx, Wh, b)          # SimpleRNN
    dx, dh0, dWx, dWh, db = ref.rnn_backward(dh, cache)   # dh (N, T, H): upstream gradient of every state

Modules, one cell each: ``rnn`` (SimpleRNN), ``lstm`` (LSTM, optional peepholes), ``gru`` (GRU, both
``reset_after`` variants); ``clipping`` (gradient clipping); ``keras_interop`` (``from_keras``,
``to_keras``, ``keras_forward_backward``; imports Keras only when called; the Keras peephole cell is
``course_utils.layers.PeepholeLSTMCell``). Forward functions take an optional
``mask (N, T)`` (False = padding: the state is carried over, as in Keras); sequence backward functions
take ``truncate=k`` (the gradient of the loss at step t flows back through steps t-k+1..t only).
"""

from .clipping import clip_by_global_norm, clip_by_value, global_norm
from .gru import (
    GRUCache,
    GRUStepCache,
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
)
from .keras_interop import from_keras, keras_forward_backward, to_keras
from .lstm import (
    LSTMCache,
    LSTMStepCache,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
)
from .rnn import (
    RNNCache,
    RNNStepCache,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)

__all__ = [
    "GRUCache",
    "GRUStepCache",
    "LSTMCache",
    "LSTMStepCache",
    "RNNCache",
    "RNNStepCache",
    "clip_by_global_norm",
    "clip_by_value",
    "from_keras",
    "global_norm",
    "gru_backward",
    "gru_forward",
    "gru_step_backward",
    "gru_step_forward",
    "keras_forward_backward",
    "lstm_backward",
    "lstm_forward",
    "lstm_step_backward",
    "lstm_step_forward",
    "rnn_backward",
    "rnn_forward",
    "rnn_step_backward",
    "rnn_step_forward",
    "to_keras",
]
