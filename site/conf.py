"""Sphinx configuration of the course website (built by ``tools/site.py``, ``make site``).

``tools/site.py`` copies this file, ``index.md`` and ``_static/`` into a staging folder next to the
generated pages (lecture notebooks, assignments' student editions, notation, slides, benchmarks, claims)
and runs Sphinx there. Nothing is fetched while building or reading: notebooks keep their stored outputs
(``nb_execution_mode = "off"``), MathJax is copied from the npm package the slides pin into
``_static/mathjax`` and no widget manager is loaded from a CDN.
"""

from __future__ import annotations

project = "Recurrent Architectures"
author = "Recurrent Architectures course contributors"
copyright = "the Recurrent Architectures course contributors (MIT licence)"
language = "en"

extensions = ["myst_nb", "sphinx.ext.mathjax"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "_extra", "**.ipynb_checkpoints"]
suppress_warnings = ["myst.header"]  # notebooks start at "##" after their title in places

# Notebooks: stored outputs only, never executed; long outputs scroll instead of widening the page.
nb_execution_mode = "off"
nb_merge_streams = True
nb_ipywidgets_js = {}  # the widget manager would come from a CDN; a static page shows the stored figure
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
myst_update_mathjax = False  # MathJax 2 below is configured here, not through MathJax 3 options

# MathJax 2.7.9 from slides/package.json (npm), copied into _static/mathjax by tools/site.py; CommonHTML
# output with its own TeX web fonts, as in the decks.
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS_CHTML-full"
mathjax2_config = {
    "tex2jax": {
        "inlineMath": [["\\(", "\\)"]],
        "displayMath": [["\\[", "\\]"]],
        "processRefs": False,
        "processEnvironments": False,
    },
    "menuSettings": {"zoom": "None"},
    "showMathMenu": False,
    "messageStyle": "none",
}

html_theme = "sphinx_book_theme"
html_title = "Recurrent Architectures"
html_static_path = ["_static"]
html_css_files = ["course-site.css"]
html_extra_path = ["_extra"]  # downloadable notebooks and, when built, the slide decks
html_favicon = "_static/favicon.svg"  # a browser asks for one; without it every page logs a 404
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None
# Follow the reader's light/dark setting (left unset, the theme logs an error on a first visit).
html_context = {"default_mode": "auto"}
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 2,
    "show_toc_level": 2,
    "use_download_button": False,  # our own buttons, generated from course_utils.links
    "use_fullscreen_button": False,
    "use_repository_button": False,
    "navigation_with_keys": False,
    "show_prev_next": True,
}
