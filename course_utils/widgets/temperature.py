"""Sampling-temperature explorer (notebook 03): how temperature trades fidelity for diversity.

A character model gives a distribution ``p`` over the next character; sampling uses
``p_tau = softmax(log(p) / tau)`` (:func:`course_utils.textgen.apply_temperature`). Plain functions do the
work and tests call them without a browser:

* :func:`next_char_table` lists the most likely next characters and their probabilities at ``tau``;
* :func:`continuation` samples a continuation of a prompt at ``tau``, stopping at an optional end character;
* :func:`draw` draws the top-k distribution at ``tau`` next to the model's own (``tau = 1``)
  and writes the sampled continuation under it.

:func:`explore` is the thin ipywidgets layer: a FloatSlider "temperature" whose changes redraw the figure in
an ``Output`` widget.
"""

from __future__ import annotations

import textwrap
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from ..textgen import CharVocab, NextDistribution, apply_temperature, generate
from ..validation import check_string
from ._display import explorer_axes, show_figure

__all__ = ["continuation", "draw", "explore", "next_char_table"]

TITLE_WIDTH = 70  # characters per title line: monospace 8 pt over the axes of a 7- or 8-inch figure


def _visible(char: str) -> str:
    return {"\n": "\\n", " ": "' '"}.get(char, char)


def next_char_table(
    next_distribution: NextDistribution,
    vocab: CharVocab,
    prompt: str,
    temperature: float,
    *,
    top_k: int = 8,
) -> list[tuple[str, float]]:
    """The ``top_k`` most likely next characters after ``prompt`` and their probabilities at ``temperature``.

    Ordered by the model's own probability (temperature never changes the order, only the spread).
    """
    check_string(prompt, "prompt", what="at least one character")
    probs = np.asarray(next_distribution(vocab.encode(prompt)[None, :]), dtype=np.float64)[
        0
    ]  # (V,)
    scaled = apply_temperature(probs, temperature)
    order = np.argsort(-probs, kind="stable")[:top_k]
    return [(vocab.chars[i], float(scaled[i])) for i in order]


def continuation(
    next_distribution: NextDistribution,
    vocab: CharVocab,
    prompt: str,
    temperature: float,
    *,
    n_chars: int = 200,
    end_char: str | None = None,
    context: int | None = 64,
    seed: int = 0,
) -> str:
    """Sample up to ``n_chars`` characters after ``prompt`` at ``temperature`` (stopping at ``end_char``)."""
    end_id = None if end_char is None else vocab.id_of(end_char)
    (result,) = generate(
        next_distribution,
        vocab.encode(prompt)[None, :],
        max_len=n_chars,
        temperature=temperature,
        end_id=end_id,
        context=context,
        seed=seed,
    )
    return vocab.decode(result.ids)


def draw(
    next_distribution: NextDistribution,
    vocab: CharVocab,
    prompt: str,
    temperature: float,
    *,
    top_k: int = 8,
    n_chars: int = 160,
    seed: int = 0,
    ax: Axes | None = None,
) -> tuple[Axes, str]:
    """Bars of the top-k next-character probabilities at ``temperature`` (filled) and at 1 (outline), with a
    sampled continuation as the title; returns the axes and the continuation."""
    table = next_char_table(next_distribution, vocab, prompt, temperature, top_k=top_k)
    model_table = next_char_table(next_distribution, vocab, prompt, 1.0, top_k=top_k)
    text = continuation(next_distribution, vocab, prompt, temperature, n_chars=n_chars, seed=seed)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.2))
    positions = np.arange(len(table))
    at_one = np.isclose(temperature, 1.0)  # then the two distributions are one: one bar, one label
    ax.bar(
        positions,
        [p for _, p in table],
        color="tab:orange",
        label="model (temperature 1)" if at_one else f"temperature {temperature:g}",
    )
    if not at_one:
        ax.bar(
            positions,
            [p for _, p in model_table],
            fill=False,
            edgecolor="k",
            label="model (temperature 1)",
        )
    ax.set_xticks(positions, [_visible(c) for c, _ in table])
    ax.set_ylim(0, 1)
    ax.set_ylabel("P(next character)")
    ax.set_xlabel(f"most likely characters after {prompt[-20:]!r}")
    ax.legend(loc="upper right", fontsize="small")
    # the sample as the title, in two lines that fit over the axes (monospace 8 pt: ~70 characters a line)
    shown = (prompt[-30:] + text).replace("\n", "⏎")
    ax.set_title(
        "\n".join(textwrap.wrap(shown, TITLE_WIDTH, drop_whitespace=False)[:2]),
        fontsize=8,
        family="monospace",
        loc="left",
    )
    ax.figure.set_label(
        f"the {len(table)} likeliest next characters after the prompt at temperature {temperature:g}"
        + ("" if at_one else " and at 1")
        + f", and a sampled continuation: {text[:60]!r}"
    )
    return ax, text


def explore(
    next_distribution: NextDistribution,
    vocab: CharVocab,
    prompt: str,
    *,
    temperature: float = 1.0,
    n_chars: int = 160,
    seed: int = 0,
) -> Any:
    """The widget: a FloatSlider "temperature" (0.1..2) that redraws :func:`draw`.

    Returns a ``VBox`` of the slider and an ``Output`` widget holding the figure and the sampled text.
    ``box.drawn`` is the temperature last drawn, so tests can check that moving the slider redraws.
    """
    import ipywidgets as widgets

    slider = widgets.FloatSlider(
        value=temperature,
        min=0.1,
        max=2.0,
        step=0.1,
        description="temperature",
        continuous_update=False,
    )
    output = widgets.Output()
    box = widgets.VBox([slider, output])

    def redraw(change: Any = None) -> None:
        tau = float(slider.value)
        ax, text = draw(
            next_distribution, vocab, prompt, tau, n_chars=n_chars, seed=seed, ax=explorer_axes()[1]
        )
        sampled = {"output_type": "stream", "name": "stdout", "text": prompt + text + "\n"}
        show_figure(output, ax.figure, f"<temperature {tau:.1f}>", sampled)
        box.drawn = tau

    slider.observe(redraw, names="value")
    redraw()
    return box
