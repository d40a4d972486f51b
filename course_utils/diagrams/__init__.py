"""Figures drawn with matplotlib, never pasted images: each function takes ``ax=None`` and returns the axes.

Modules: ``unrolled`` (recurrent neuron and the network unrolled through time), ``mappings`` (the four
input/output mappings), ``cells`` (LSTM and GRU cell diagrams), ``stack`` (a deep RNN unrolled
through time). Import the module you need, e.g.
``from course_utils.diagrams import unrolled``.
"""
