"""The four input/output mappings of a recurrent network, each drawn as an unrolled network.

Built on :func:`course_utils.diagrams.unrolled.unrolled`, so every mapping looks like the basic network of
notebook 01 with inputs or outputs left out. Notebook 02 and the slides use them. Each function takes
``ax=None`` and returns the axes (:func:`all_mappings` returns the four axes).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from ..validation import check_choice, check_positive_int, check_sequence
from .unrolled import CELL_COLOR, unrolled

__all__ = ["DECODER_COLOR", "MAPPINGS", "all_mappings", "mapping"]

#: The mappings in teaching order, with their names.
MAPPINGS: dict[str, str] = {
    "seq2seq": "sequence-to-sequence",
    "seq2vec": "sequence-to-vector",
    "vec2seq": "vector-to-sequence",
    "encdec": "encoder-decoder",
}
#: Face colour of the decoder's cells (the encoder's use :data:`~course_utils.diagrams.unrolled.CELL_COLOR`).
DECODER_COLOR = "#c7e9c0"


def _x(t: int) -> str:
    return rf"$x^{{({t})}}$"


def _y(t: int) -> str:
    return rf"$y^{{({t})}}$"


def mapping(kind: str, steps: int = 4, *, horizon: int = 3, ax: Axes | None = None) -> Axes:
    """Draw one mapping (``kind`` in :data:`MAPPINGS`) unrolled over ``steps`` input steps.

    - ``seq2seq``: an input and an output at every step.
    - ``seq2vec``: inputs at every step, only the last output is used.
    - ``vec2seq``: one vector ``v`` fed at every step (Keras' ``RepeatVector``), an output at every step.
    - ``encdec``: an encoder reads ``steps`` inputs; its final state ``c`` is the decoder's initial state
      and its input at each of the ``horizon`` steps where it emits an output.

    >>> ax = mapping("seq2vec", 4)
    >>> sorted(p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith("output"))
    ['output-4']
    """
    check_choice(kind, "kind", tuple(MAPPINGS))
    steps = check_positive_int(steps, "steps")
    horizon = check_positive_int(horizon, "horizon")
    title = MAPPINGS[kind]
    if kind == "seq2seq":
        return unrolled(steps, title=title, ax=ax)
    if kind == "seq2vec":
        ys: list[str | None] = [None] * (steps - 1) + [r"$\hat{y}$"]
        return unrolled(steps, y_labels=ys, title=title, ax=ax)
    if kind == "vec2seq":
        return unrolled(
            steps, x_labels=[r"$v$"] * steps, title=title + " (the same v at every step)", ax=ax
        )
    total = steps + horizon
    xs: list[str | None] = [_x(t) for t in range(1, steps + 1)] + [r"$c$"] * horizon
    ys = [None] * steps + [_y(k) for k in range(1, horizon + 1)]
    colors = [CELL_COLOR] * steps + [DECODER_COLOR] * horizon
    labels = ["enc"] * steps + ["dec"] * horizon
    return unrolled(
        total,
        x_labels=xs,
        y_labels=ys,
        cell_colors=colors,
        cell_labels=labels,
        title=title + " (c: the encoder's final state)",
        ax=ax,
    )


def all_mappings(
    steps: int = 4, *, horizon: int = 3, axes: Sequence[Axes] | None = None
) -> np.ndarray:
    """The four mappings side by side in a 2x2 grid; returns the four axes in :data:`MAPPINGS` order.

    >>> all_mappings().shape
    (4,)
    """
    if axes is None:
        _, grid = plt.subplots(2, 2, figsize=(12, 5.2))
        axes = list(np.ravel(grid))
    axes = check_sequence(
        list(axes), "axes", what="axes", length=len(MAPPINGS), hint="one per mapping"
    )
    for kind, ax in zip(MAPPINGS, axes):
        mapping(kind, steps, horizon=horizon, ax=ax)
    return np.asarray(axes, dtype=object)
