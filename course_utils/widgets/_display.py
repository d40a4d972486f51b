"""Figure plumbing shared by the explorers: a matplotlib figure as PNG bytes, shown in an ``Output`` widget.

The explorers set an ``Output`` widget's ``outputs`` directly (rather than capturing with ``with output:``),
so notebook runners that mimic output widgets store nothing stale, and they close every figure they draw.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import matplotlib.pyplot as plt

from course_utils import style

__all__ = ["FIGURE_DPI", "FIGURE_WIDTH", "explorer_axes", "figure_png", "show_figure"]

# One size and one resolution for every explorer: 8 inches wide at 100 dpi is an 800-pixel image, shown at its
# own size (not stretched, not shrunk) in JupyterLab's 1000-pixel-wide notebook column and on Colab.
FIGURE_WIDTH = 8.0
FIGURE_DPI = 100


def explorer_axes(height: float = 3.4) -> tuple[Any, Any]:
    """A new ``(figure, axes)`` of the explorers' common width, ``height`` inches tall."""
    return plt.subplots(figsize=(FIGURE_WIDTH, height))


def figure_png(fig: Any) -> bytes:
    """The PNG bytes of a matplotlib figure (what the explorers show), at the explorers' common dpi."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    return buffer.getvalue()


def show_figure(output: Any, fig: Any, label: str, *extra: dict[str, Any]) -> None:
    """Replace the content of the ``ipywidgets.Output`` ``output`` with ``fig`` as a PNG, then close ``fig``.

    Args:
        output: the ``Output`` widget.
        fig: the matplotlib figure to show.
        label: the explorer's current setting, e.g. ``"<rho 0.90, tanh>"``; the image's ``text/plain``
            alternative (what a screen reader gets) is the figure's description with this setting.
        extra: further output dicts (nbformat ``outputs`` entries) shown after the image.
    """
    png = base64.b64encode(figure_png(fig)).decode("ascii")
    description = f"{style.describe(fig)} [{label.strip('<>')}]"
    plt.close(fig)
    image = {
        "output_type": "display_data",
        "data": {"image/png": png, "text/plain": description},
        "metadata": {},
    }
    output.outputs = (image, *extra)
