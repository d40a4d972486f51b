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

Modules, one concept each: ``runtime`` (seeding, logs, CPU/GPU), ``validation`` (argument checks),
``reference`` (NumPy cells with BPTT), ``gradcheck``, ``data``, ``diagrams``, ``widgets``,
``check`` (exercise feedback), ``claims`` (empirical claims: asserted with a margin, collected by
``make claims``), ``links`` (badges),
``grading`` (assignments).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
