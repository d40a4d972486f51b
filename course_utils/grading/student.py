"""The student's side: public checks (``grader.check("q1")``) in JupyterLab, on Binder and on Colab.

The first code cell of every assignment runs ``grader = public_checks("a1_rnn_bptt.ipynb")``. Where the
notebook file sits in the working directory (JupyterLab, Binder, Jupyter Notebook) this is simply
``otter.Notebook(path)``, which reads the public tests from the notebook's metadata. On Colab the
notebook is not a file on disk and otter refuses metadata tests, so the public tests are taken from the
open notebook (Colab's ``get_ipynb`` request) and written to a ``tests/`` folder that otter then uses.

``grader.check`` returns a :class:`CheckResult`: otter's result, shown as one line per test case with only
the message a student can act on ("standardize: mean of the standardised training data: wrong values"),
not the test's source line ("Error at line 14 in test q1: checks.expect_array(...)"), and in a paragraph
that wraps between words rather than a ``<pre>`` block.
"""

from __future__ import annotations

import html
import inspect
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["CheckResult", "public_checks", "write_test_files"]

_ERROR_LINE = re.compile(r"^\s*(\w+(?:Error|Exception|Exit)):\s?(.*)$")


def error_message(message: str | None) -> str:
    r"""The part of a failed test case's report a student acts on: its exception's message.

    An ``AssertionError`` from the course's checks carries the diagnosis, so only its text is kept; any
    other exception keeps its type (``NameError: name 'f' is not defined``).

    >>> error_message("Error at line 14 in test q1:\n  checks.expect(f(x))\nAssertionError: f: wrong")
    'f: wrong'
    >>> error_message("Traceback...\nNameError: name 'f' is not defined")
    "NameError: name 'f' is not defined"
    """
    lines = [line for line in (message or "").splitlines() if line.strip()]
    for i in range(len(lines) - 1, -1, -1):
        found = _ERROR_LINE.match(lines[i])
        if found:
            kind, text = found.groups()
            text = " ".join([text, *(line.strip() for line in lines[i + 1 :])]).strip()
            return text if kind == "AssertionError" and text else f"{kind}: {text}".rstrip(": ")
    return lines[-1].strip() if lines else "the check failed"


class CheckResult:
    """``grader.check(question)``'s result: otter's ``TestFile`` (``grade``, ``score``, ... pass through),
    shown as one line per public test case."""

    def __init__(self, question: str, result: Any) -> None:
        self.question = question
        self.result = result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.result, name)

    def lines(self) -> list[str]:
        """ "✅ ..." / "❌ <message>" per public test case (all hidden ones are the grader's)."""
        cases = [r for r in self.result.test_case_results if not r.test_case.hidden]
        if cases and all(r.passed for r in cases):
            return [f"✅ {self.question}: all {len(cases)} public checks passed"]
        return [f"❌ {self.question}: {error_message(r.message)}" for r in cases if not r.passed]

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    __str__ = __repr__

    def _repr_html_(self) -> str:
        return "".join(
            f'<p style="white-space: normal; overflow-wrap: break-word">{html.escape(line)}</p>'
            for line in self.lines()
        )


def _public_checks_class() -> type:
    import otter

    class PublicChecks(otter.Notebook):
        """``otter.Notebook`` whose ``check`` returns a :class:`CheckResult`."""

        def check(self, question: str, global_env: dict | None = None) -> CheckResult:  # type: ignore[override]
            if global_env is None:  # the caller's globals, as otter would take them
                frame = inspect.currentframe()
                global_env = frame.f_back.f_globals if frame and frame.f_back else {}
            return CheckResult(question, super().check(question, global_env))

    return PublicChecks


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
    notebook = _public_checks_class()
    if Path(notebook_name).exists():
        return notebook(notebook_name)
    if "google.colab" in sys.modules:
        tests_dir = Path(tempfile.mkdtemp(prefix="otter-tests-"))
        write_test_files(_colab_notebook(), tests_dir)
        return notebook(tests_dir=str(tests_dir))
    raise FileNotFoundError(
        f"{notebook_name} is not in the working directory {os.getcwd()}: "
        "open the notebook from its own folder (its public tests are stored inside it)"
    )
