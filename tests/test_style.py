"""course_utils.style: a colour-blind-safe cycle that also varies line style, and figure descriptions."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from course_utils import style


def test_the_default_cycle_pairs_each_palette_colour_with_its_own_line_style():
    style.apply()
    fig, ax = plt.subplots()
    lines = [ax.plot([0, 1], [i, i])[0] for i in range(4)]
    assert [line.get_color().lower() for line in lines] == [c.lower() for c in style.PALETTE[:4]]
    assert len({str(line.get_linestyle()) for line in lines}) == 4, "no two series share a style"
    plt.close(fig)


def test_palette_and_styles_are_the_same_length_and_distinct():
    assert len(style.PALETTE) == len(style.LINESTYLES) == len(set(style.PALETTE))


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda f, a: (f.suptitle("gates"), a.set_title("i and f")), "Figure: gates; i and f"),
        (lambda f, a: (a.set_xlabel("epoch"), a.set_ylabel("MSE")), "Figure: MSE against epoch"),
        (lambda f, a: None, "Figure with 1 axes and no title"),
        (lambda f, a: (f.set_label("two curves"), a.set_title("t")), "Figure: two curves"),
        (
            lambda f, a: a.set_title(r"$\|\partial h^{(T)}\|$ at $\rho(W_y)$ = 0.9" + "\nper unit"),
            "Figure: ‖∂ h^(T)‖ at ρ(W_y) = 0.9 per unit",
        ),
    ],
)
def test_describe_reads_titles_then_axis_labels(build, expected):
    fig, ax = plt.subplots()
    build(fig, ax)
    assert style.describe(fig) == expected
    plt.close(fig)


def test_in_ipython_a_figures_text_output_is_its_description():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    style.apply()
    fig, ax = plt.subplots()
    ax.set_title("state norm by step")
    data, _ = shell.display_formatter.format(fig)
    assert data["text/plain"] == "Figure: state norm by step"
    plt.close(fig)
