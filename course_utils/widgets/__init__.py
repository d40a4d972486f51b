"""Interactive explorers. Each widget is a thin ipywidgets layer over a plain function that tests call.

Modules: ``timestep`` (step through one sequence, scale Wy), ``gradflow`` (gradient norm vs distance),
``temperature`` (sampling temperature), ``gates`` (LSTM gate explorer). Import the module you need, e.g.
``from course_utils.widgets import timestep``. Every module has the same two entry points:
``explore(...)``, the interactive widget, and ``draw(...)``, the static figure it redraws (what tests and
printed notes call).
"""
