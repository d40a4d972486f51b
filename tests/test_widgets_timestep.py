"""Tests for course_utils.widgets.timestep: plain functions and the widget, without a browser."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

from course_utils import gradflow as gf
from course_utils import reference as ref
from course_utils.diagrams.unrolled import HIGHLIGHT_COLOR
from course_utils.widgets import timestep


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture
def setup():
    return timestep.make_setup(steps=12, units=6, features=2, seed=3)


def test_setup_is_an_event_then_silence(setup):
    assert setup.x.shape == (1, 12, 2) and setup.steps == 12
    assert np.all(np.abs(setup.x[0, :2]) == 1) and np.all(setup.x[0, 2:] == 0)
    assert gf.spectral_radius(setup.Wy) == pytest.approx(1.0)
    again = timestep.make_setup(steps=12, units=6, features=2, seed=3)
    np.testing.assert_array_equal(again.Wx, setup.Wx)


def test_hidden_states_are_the_reference_rnn_with_scaled_wy(setup):
    h = timestep.hidden_states(setup, 0.7)
    want, _ = ref.rnn_forward(setup.x, np.zeros((1, 6)), setup.Wx, 0.7 * setup.Wy, setup.b)
    np.testing.assert_allclose(h, want[0], atol=1e-12)


def test_small_rho_dies_out_and_large_rho_saturates(setup):
    small = np.linalg.norm(timestep.hidden_states(setup, 0.5), axis=1)
    large = np.linalg.norm(timestep.hidden_states(setup, 1.8), axis=1)
    assert small[-1] < 1e-2 * small[1]
    assert large[-1] > 0.5 * large[1]
    assert np.all(np.abs(timestep.hidden_states(setup, 5.0)) <= 1.0)


def test_draw_highlights_step_and_hides_the_future(setup):
    axes = timestep.draw(setup, 4, 0.9)
    assert len(axes) == 3
    cells = {p.get_gid(): p for p in axes[0].patches if (p.get_gid() or "").startswith("cell-")}
    highlighted = [gid for gid, p in cells.items() if p.get_facecolor() == to_rgba(HIGHLIGHT_COLOR)]
    assert len(highlighted) == 1
    heat = axes[1].images[0].get_array()
    assert heat.shape == (6, 12)
    assert not heat.mask[:, :4].any() and heat.mask[:, 4:].all()
    np.testing.assert_allclose(heat[:, :4].data, timestep.hidden_states(setup, 0.9)[:4].T)
    later = timestep.draw(setup, 10, 0.9)
    assert later[1].images[0].get_array().mask[:, :10].sum() == 0
    assert "t = 10" in later[0].get_title()


def test_draw_uses_given_axes(setup):
    _, given = plt.subplots(3, 1)
    assert list(timestep.draw(setup, 1, 1.0, ax=given)) == list(given)


def test_explorer_sliders_redraw_the_output(setup):
    import ipywidgets as widgets

    box = timestep.explore(setup, t=2, rho=0.8)
    time_slider, rho_slider, output = box.children
    assert isinstance(time_slider, widgets.IntSlider) and time_slider.description == "time step"
    assert isinstance(rho_slider, widgets.FloatSlider) and rho_slider.description == "rho"
    assert isinstance(output, widgets.Output)
    assert (time_slider.min, time_slider.max) == (1, 12)
    assert box.drawn == (2, 0.8)
    first = output.outputs[0]["data"]["image/png"]
    time_slider.value = 9
    assert box.drawn == (9, 0.8)
    second = output.outputs[0]["data"]["image/png"]
    assert second != first and len(output.outputs) == 1
    rho_slider.value = 1.5
    assert box.drawn == (9, 1.5)
    assert output.outputs[0]["data"]["image/png"] != second
    assert plt.get_fignums() == []  # each redraw closes its figure


def test_errors_name_the_argument(setup):
    with pytest.raises(ValueError, match=r"t: expected a time step in 1\.\.12, got 0"):
        timestep.draw(setup, 0, 1.0)
    with pytest.raises(
        ValueError, match=r"event_steps: expected an integer in 1\.\.3 \(at most T = 3\), got 4"
    ):
        timestep.make_setup(steps=3, event_steps=4)
    with pytest.raises(ValueError, match=r"ax: expected 3 axes \(diagram, heatmap, norm\), got 2"):
        timestep.draw(setup, 1, 1.0, ax=plt.subplots(2)[1])


def test_show_figure_replaces_the_output_and_closes_the_figure():
    import ipywidgets as widgets

    from course_utils.widgets._display import figure_png, show_figure

    output = widgets.Output()
    fig, ax = plt.subplots()
    ax.set_title("state by step")
    assert figure_png(fig).startswith(b"\x89PNG")
    extra = {"output_type": "stream", "name": "stdout", "text": "hi\n"}
    show_figure(output, fig, "<label>", extra)
    assert [o["output_type"] for o in output.outputs] == ["display_data", "stream"]
    assert output.outputs[0]["data"]["text/plain"] == "Figure: state by step [label]"
    assert not plt.fignum_exists(fig.number)
