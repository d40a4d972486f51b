"""The student's side: public checks (``grader.check("q1")``) in JupyterLab, on Binder and on Colab.

The first code cell of every assignment runs ``grader = public_checks("a1_rnn_bptt.ipynb")``. Where the
notebook file sits in the working directory (JupyterLab, Binder, Jupyter Notebook) this is simply
``otter.Notebook(path)``, which reads the public tests from the notebook's metadata. On Colab the
notebook is not a file on disk and otter refuses metadata tests, so the public tests are taken from the
open notebook (Colab's ``get_ipynb`` request) and written to a ``tests/`` folder that otter then uses.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["public_checks", "write_test_files"]


def write_test_files(notebook: dict, directory: Path) -> list[Path]:
    """Write the public tests stored in ``notebook``'s otter metadata as ``directory/<question>.py``."""
    directory.mkdir(parents=True, exist_ok=True)
    tests = notebook.get("metadata", {}).get("otter", {}).get("tests", {})
    written = []
    for question, source in tests.items():
        path = directory / f"{question}.py"
        path.write_text(source, encoding="utf-8")
        written.append(path)
    return written


def _colab_notebook() -> dict:
    from google.colab import _message  # only on Colab

    return _message.blocking_request("get_ipynb", timeout_sec=30)["ipynb"]


def public_checks(notebook_name: str) -> Any:
    """An ``otter.Notebook`` whose ``check("q1")`` runs the public tests of question ``q1``."""
    import otter

    if Path(notebook_name).exists():
        return otter.Notebook(notebook_name)
    if "google.colab" in sys.modules:
        tests_dir = Path(tempfile.mkdtemp(prefix="otter-tests-"))
        write_test_files(_colab_notebook(), tests_dir)
        return otter.Notebook(tests_dir=str(tests_dir))
    raise FileNotFoundError(
        f"{notebook_name} is not in the working directory {os.getcwd()}: "
        "open the notebook from its own folder (its public tests are stored inside it)"
    )
