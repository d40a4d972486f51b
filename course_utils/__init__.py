"""Helpers for the *Recurrent Architectures* course.

Every array in this package is **batch-first**, and the letters mean the same thing everywhere:

====  ==========================================================
N     batch size (number of sequences)
T     number of time steps
D     input features per step, ``x(t)`` has D entries
H     hidden units, ``h(t)`` (the lecture's ``y(t)``) has H entries
====  ==========================================================

So a batch of inputs is ``x`` of shape ``(N, T, D)``, one step of it ``x_t`` is ``(N, D)``,
the hidden states are ``h`` of shape ``(N, T, H)`` and an initial state ``h0`` is ``(N, H)``.
Weights use Keras' layouts (``Wx`` is ``(D, H)``, ``Wh`` is ``(H, H)``; LSTM gates i, f, c, o;
GRU gates z, r, h) so weights move between NumPy and Keras unchanged.

Modules, by where they sit in the course:

- set-up and proof: ``runtime`` (seed from ``COURSE_SEED``, quiet logs, CPU/GPU), ``claims`` (empirical
  claims asserted with a margin, collected by ``make claims``), ``validation`` (argument checks),
  ``style`` (palette, line styles, figure descriptions), ``links`` (Colab/Binder badges and setup cell);
- the maths in NumPy: ``activations`` (sigmoid, softmax, log-softmax, once for the package), ``reference``
  (SimpleRNN, LSTM, GRU cells with BPTT, Keras interop, clipping), ``gradcheck`` (numerical gradients),
  ``gradflow`` (Jacobian products, vanishing/exploding), ``training`` (a NumPy trainer and its sampler);
- Keras, shared: ``models`` (every Keras model builder, one seed and compile convention, and
  ``param_count``), ``layers`` (the custom Keras layers and callbacks, serialisable; imports Keras, so
  only Keras code imports it), ``curves`` (the one training-curve plotter);
- by topic: ``mappings`` (baselines and figures of the four input/output mappings, notebook 02),
  ``forecasting`` (windows, baselines, multi-step forecasts, 03/05) and ``textgen`` (the character-text
  pipeline: vocabulary, windows and streams, temperature sampling, generation, 03/04), ``deep`` (stacked
  RNNs in NumPy, layer normalisation, 05), ``distribute`` (data and model parallelism on two devices),
  ``longlag`` (the adding problem and the cells' sweep, 06/07), ``seq2seq`` (teacher forcing, greedy and
  beam search, 08);
- data and pictures: ``data`` (generated data sets), ``diagrams`` (cells, unrolled networks, mappings,
  stacks), ``widgets`` (the explorers);
- feedback and grading: ``check`` (exercise feedback), ``grading`` (assignments, release, sandboxed grader).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
