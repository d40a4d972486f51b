"""How the course's figures look and read: a colour-blind-safe palette, line styles, and text descriptions.

Every figure a notebook, an assignment or the slides show follows three rules:

- **Colours** come from the Okabe-Ito palette (:data:`PALETTE`), which stays distinguishable under the
  common colour-vision deficiencies.
- **Series differ by more than colour**: the default property cycle pairs each colour with its own line
  style (:data:`LINESTYLES`), so a plot printed in grey or seen without colour still separates its lines.
- **Every figure has a one-line text description** that a screen reader gets: in a notebook, the figure's
  ``text/plain`` output (what Jupyter shows to assistive technology and in text-only views) is
  :func:`describe` — its titles — instead of ``<Figure size 640x480 with 1 Axes>``; the slides put the same
  text in the image's ``alt`` attribute.

:func:`apply` sets all three; ``runtime.setup()`` calls it, so notebooks get it from their setup cell.
"""

from __future__ import annotations

import re
from typing import Any

#: Okabe & Ito (2008), "Color universal design": blue, orange, bluish green, vermillion, reddish purple,
#: sky blue, yellow, black.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
#: One line style per palette colour, in the same order (solid, dashed, dash-dot, dotted, ...).
LINESTYLES: tuple[Any, ...] = (
    "-",
    "--",
    "-.",
    ":",
    (0, (5, 1.5, 1, 1.5, 1, 1.5)),
    (0, (8, 2)),
    (0, (1, 3)),
    (0, (3, 1, 1, 1)),
)

__all__ = ["LINESTYLES", "PALETTE", "apply", "describe"]


def describe(fig: Any) -> str:
    """A one-line description of a matplotlib figure: its label if set, else its suptitle and axes titles.

    ``fig.set_label("...")`` gives a figure an explicit description (alt text) without drawing anything.

    >>> import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
    >>> fig, (a, b) = plt.subplots(1, 2); _ = a.set_title("loss by epoch"); _ = b.set_title("gradient norm")
    >>> describe(fig)
    'Figure: loss by epoch; gradient norm'
    >>> plt.close(fig)
    """
    if fig.get_label():
        return f"Figure: {_plain(fig.get_label())}"
    parts = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text():
        parts.append(suptitle.get_text())
    for ax in fig.get_axes():
        title = ax.get_title() or ax.get_title(loc="left") or ax.get_title(loc="right")
        if title and title not in parts:
            parts.append(title)
    if not parts:
        labels = [
            f"{ax.get_ylabel()} against {ax.get_xlabel()}"
            for ax in fig.get_axes()
            if ax.get_xlabel() and ax.get_ylabel()
        ]
        parts = labels
    text = "; ".join(_plain(p) for p in parts)
    return f"Figure: {text}" if text else f"Figure with {len(fig.get_axes())} axes and no title"


_TEX = {
    r"\rho": "ρ",
    r"\tau": "τ",
    r"\sigma": "σ",
    r"\phi": "φ",
    r"\partial": "∂",
    r"\odot": "⊙",
    r"\tilde": "~",
    r"\|": "‖",
    r"\cdot": "·",
    r"\times": "×",
    r"\leq": "≤",
    r"\geq": "≥",
}


def _plain(text: str) -> str:
    """Matplotlib mathtext (``$\\rho(W_y)$``) as plain words a screen reader can say (``ρ(W_y)``)."""
    for tex, char in _TEX.items():
        text = text.replace(tex, char)
    text = re.sub(r"\\(mathrm|mathbf|operatorname|text|left|right|big|Big)\b", "", text)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text)
    return re.sub(r"\s+", " ", text.replace("$", "").replace("{", "").replace("}", "")).strip()


def _pretty(fig: Any, printer: Any, cycle: bool) -> None:
    printer.text(describe(fig))


def apply() -> None:
    """Use the palette and line styles for new plots and describe figures in text; safe to call twice."""
    import matplotlib as mpl
    from cycler import cycler
    from matplotlib.figure import Figure

    mpl.rcParams["axes.prop_cycle"] = cycler(color=list(PALETTE)) + cycler(
        linestyle=list(LINESTYLES)
    )
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        # Load the backend first: loading Jupyter's inline backend resets every formatter for Figure.
        import matplotlib.pyplot as plt

        plt.switch_backend(mpl.get_backend())

        shell.display_formatter.formatters["text/plain"].for_type(Figure, _pretty)
