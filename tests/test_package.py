"""The package itself: version, light dependencies, docstrings, typed public functions, links."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
import tomllib

import course_utils
from course_utils import links

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def all_modules():
    names = ["course_utils"]
    for info in pkgutil.walk_packages(course_utils.__path__, "course_utils."):
        names.append(info.name)
    return names


def test_version_and_release_tag_agree():
    assert course_utils.__version__.count(".") == 2
    assert links.TAG == f"v{course_utils.__version__}"


def test_runtime_dependencies_stay_light_and_never_tensorflow_cpu():
    deps = " ".join(PYPROJECT["project"]["dependencies"]).lower()
    assert "tensorflow" not in deps and "keras" not in deps and "otter" not in deps
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert any(req.startswith("tensorflow") for req in extras["tf"])
    assert not any("tensorflow-cpu" in req for reqs in extras.values() for req in reqs)


@pytest.mark.parametrize("name", all_modules())
def test_every_module_has_a_docstring(name):
    module = importlib.import_module(name)
    assert module.__doc__ and module.__doc__.strip(), f"{name} has no module docstring"


@pytest.mark.parametrize("name", all_modules())
def test_public_functions_are_typed_and_documented(name):
    module = importlib.import_module(name)
    for attr, obj in vars(module).items():
        if attr.startswith("_") or not inspect.isfunction(obj) or obj.__module__ != name:
            continue
        sig = inspect.signature(obj)
        assert obj.__doc__, f"{name}.{attr} has no docstring"
        assert sig.return_annotation is not inspect.Signature.empty, (
            f"{name}.{attr} has no return type"
        )
        for param in sig.parameters.values():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                continue
            assert param.annotation is not inspect.Parameter.empty, (
                f"{name}.{attr}({param.name}) is untyped"
            )


def test_links_are_generated_from_one_repository():
    path = "notebooks/03_tensorflow_examples.ipynb"
    badges = links.badges_markdown(path)
    assert links.colab_url(path) in badges and links.binder_url(path) in badges
    assert links.REPO in links.pip_spec() and links.TAG in links.pip_spec()
    cell = links.setup_cell_source()
    assert 'if "google.colab" in sys.modules:' in cell and "SEED = runtime.setup().seed" in cell
    assert "tensorflow" not in cell.lower()
