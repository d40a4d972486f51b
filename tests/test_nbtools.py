"""tools/nbtools.py: notebooks are executed with nbclient as documented, and a failing cell stores nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import nbtools  # noqa: E402


def _source(tmp_path: Path, body: str) -> Path:
    src = tmp_path / "src" / "99_demo.py"
    src.parent.mkdir()
    src.write_text("# %% [markdown]\n# # Demo\n\n" + body)
    return src


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    monkeypatch.setattr(nbtools, "NOTEBOOKS", tmp_path)
    monkeypatch.setattr(nbtools.links, "setup_cell_source", lambda: "import os")
    return tmp_path


@pytest.mark.slow
def test_the_kernel_gets_the_course_env_and_runs_in_the_notebook_folder(sandbox):
    src = _source(
        sandbox,
        '# %%\nimport os\nprint(os.environ["TF_CPP_MIN_LOG_LEVEL"], os.getcwd() == os.environ["PWD_CHECK"])\n',
    )
    import os

    os.environ["PWD_CHECK"] = str(sandbox)
    try:
        target, _ = nbtools.execute(src, timeout=120)
    finally:
        del os.environ["PWD_CHECK"]
    nb = nbformat.read(target, as_version=4)
    assert nb.cells[-1].outputs[0].text == "3 True\n"
    assert dict(nb.metadata) == nbtools.NOTEBOOK_METADATA


@pytest.mark.slow
def test_a_failing_cell_stores_nothing_unless_tagged_raises_exception(sandbox):
    src = _source(sandbox, "# %%\nraise ValueError('boom')\n")
    with pytest.raises(SystemExit, match="a cell failed, nothing stored"):
        nbtools.execute(src, timeout=120)
    assert not (sandbox / "99_demo.ipynb").exists()
    src.write_text(src.read_text().replace("# %%\nraise", '# %% tags=["raises-exception"]\nraise'))
    target, _ = nbtools.execute(src, timeout=120)
    (out,) = nbformat.read(target, as_version=4).cells[-1].outputs
    assert out.output_type == "error" and out.traceback == ["ValueError: boom"]
