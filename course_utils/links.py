"""Where the course lives: the one repository URL, and the badges and install line made from it.

Every launch badge and the Colab install cell are generated from :data:`REPO` and :data:`TAG`, so moving
the repository means changing one line here.
"""

from __future__ import annotations

from urllib.parse import quote

#: ``owner/name`` of the course repository on GitHub.
REPO = "recurrent-architectures/rnn-course"
#: The release tag that notebooks install ``course_utils`` from on Colab.
TAG = "v0.1.0"
#: Branch that launch badges open.
BRANCH = "main"

REPO_URL = f"https://github.com/{REPO}"


def pip_spec(tag: str = TAG) -> str:
    """The pip requirement that installs ``course_utils`` from the repository at ``tag``.

    >>> pip_spec("v9")
    'course-utils @ git+https://github.com/recurrent-architectures/rnn-course@v9'
    """
    return f"course-utils @ git+{REPO_URL}@{tag}"


def colab_url(notebook_path: str) -> str:
    """Open ``notebook_path`` (relative to the repository root) in Google Colab.

    >>> colab_url("notebooks/01_basic_recurrent_cell.ipynb")
    'https://colab.research.google.com/github/recurrent-architectures/rnn-course/blob/main/notebooks/01_basic_recurrent_cell.ipynb'
    """
    return f"https://colab.research.google.com/github/{REPO}/blob/{BRANCH}/{notebook_path}"


def binder_url(notebook_path: str | None = None) -> str:
    """Launch the repository on mybinder.org, opening ``notebook_path`` in JupyterLab if given.

    >>> binder_url("notebooks/00_welcome.ipynb")
    'https://mybinder.org/v2/gh/recurrent-architectures/rnn-course/main?urlpath=lab%2Ftree%2Fnotebooks%2F00_welcome.ipynb'
    """
    url = f"https://mybinder.org/v2/gh/{REPO}/{BRANCH}"
    if notebook_path:
        url += "?urlpath=" + quote(f"lab/tree/{notebook_path}", safe="")
    return url


COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"


def badges_markdown(notebook_path: str) -> str:
    """Markdown for the Colab and Binder launch badges of one notebook."""
    return (
        f"[![Open In Colab]({COLAB_BADGE})]({colab_url(notebook_path)}) "
        f"[![Launch on Binder]({BINDER_BADGE})]({binder_url(notebook_path)})"
    )


def setup_cell_source() -> str:
    """The first code cell of every notebook: install on Colab only, then seed and report hardware.

    The seed comes from ``COURSE_SEED`` (default 0) and is kept as ``SEED``; every seed in the notebook
    derives from it (see :mod:`course_utils.runtime`).

    The install is guarded by ``"google.colab" in sys.modules`` and pulls only ``course_utils`` and its
    light dependencies (numpy, matplotlib, ipywidgets are already on Colab): TensorFlow is never
    reinstalled.
    """
    return "\n".join(
        [
            "# Setup: on Colab install course_utils (pinned release, nothing heavy); everywhere seed and report.",
            "import sys",
            "",
            'if "google.colab" in sys.modules:',
            f'    %pip install -q "{pip_spec()}"',
            "",
            "from course_utils import runtime",
            "",
            "SEED = runtime.setup().seed  # COURSE_SEED=3 re-runs everything with other seeds",
        ]
    )
