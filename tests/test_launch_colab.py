"""Colab: every notebook opens with generated launch badges and a guarded, light install cell.

The static tests read every ``notebooks/NN_*.ipynb``: the badges' URLs must equal the ones
``course_utils.links`` generates, and the only package installation anywhere in a notebook must be the
setup cell's ``%pip install`` of ``course_utils`` at ``links.TAG``, guarded by
``"google.colab" in sys.modules``.

The simulation replays that cell where Colab would run it: a virtual environment that already has the real
``tensorflow`` package (with its own Keras) plus the other libraries Colab preinstalls and the notebooks
use. Installing ``course_utils`` the way the cell does must install neither ``tensorflow`` nor
``tensorflow-cpu`` nor a second Keras (read from pip's ``--report``), and afterwards every import statement
of every notebook must work there.

Cost: the Colab-like base environment (``tensorflow==2.21.0`` resolved by pip from the registry, about
2.5 GB, 2 minutes) is built once and cached under ``~/.cache/rnn-course/colab-sim/`` keyed by Python
version, TensorFlow version and the preinstalled requirement list. Each run then takes a fresh copy of it
(hard links: seconds, no extra disk) so the install under test always starts from the untouched base.
The git URL of the release cannot be reached offline, so the requirement ``course-utils @ <wheel>`` is
installed from a wheel built from this checkout: same requirement name, same dependency metadata.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from course_utils import links

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# Outside the clone, so CI's fresh clones on the same machine reuse it; COURSE_CACHE_DIR moves it.
CACHE = (
    Path(os.environ.get("COURSE_CACHE_DIR", Path.home() / ".cache" / "rnn-course")) / "colab-sim"
)
TF_VERSION = "2.21.0"
# What Colab ships that the course relies on, besides TensorFlow (and the Keras it pulls in). Versions are
# the lock's, so the cached base is reproducible; Colab's own versions differ only in patch releases.
COLAB_PREINSTALLED = ("matplotlib", "ipywidgets", "scikit-learn", "pandas")
HEAVY = {"tensorflow", "tensorflow-cpu", "tensorflow-intel", "keras", "tf-keras", "tf-nightly"}
QUIET = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "MPLBACKEND": "Agg",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
}


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# ----------------------------------------------------------------------------------------------------
# Reading notebooks: IPython magics become Python calls, so one AST walk sees imports and installs.


def python_source(cell_source: str) -> str:
    """A code cell as plain Python (``%pip`` -> ``get_ipython().run_line_magic('pip', ...)``)."""
    return TransformerManager().transform_cell(cell_source)


def is_colab_guard(node: ast.AST) -> bool:
    """``if "google.colab" in sys.modules:``"""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    test = node.test
    return (
        isinstance(test.left, ast.Constant)
        and test.left.value == "google.colab"
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.In)
        and ast.unparse(test.comparators[0]) == "sys.modules"
    )


def walk_with_guard(tree: ast.AST, guarded: bool = False):
    """Yield ``(node, guarded)`` for every node, ``guarded`` when it sits inside a Colab guard's body."""
    for child in ast.iter_child_nodes(tree):
        if is_colab_guard(child):
            yield child, guarded
            for stmt in child.body:
                yield stmt, True
                yield from walk_with_guard(stmt, True)
            for stmt in child.orelse:
                yield stmt, guarded
                yield from walk_with_guard(stmt, guarded)
        else:
            yield child, guarded
            yield from walk_with_guard(child, guarded)


def shell_calls(tree: ast.AST) -> list[tuple[str, bool]]:
    """Every ``%pip``/``!cmd``/``%%bash``-style call as ``(command line, guarded)``."""
    calls = []
    for node, guarded in walk_with_guard(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        func = node.func
        if not (isinstance(func.value, ast.Call) and ast.unparse(func.value.func) == "get_ipython"):
            continue
        args = [a.value for a in node.args if isinstance(a, ast.Constant)]
        if func.attr == "run_line_magic":
            calls.append((" ".join(args), guarded))  # "pip install -q ..."
        elif func.attr in ("system", "getoutput", "run_cell_magic"):
            calls.append((" ".join(args), guarded))
    return calls


def installed_requirements(command: str) -> list[str]:
    """The requirement arguments of a ``pip install`` command line (options dropped)."""
    words = shlex.split(command)
    if "install" not in words:
        return []
    return [w for w in words[words.index("install") + 1 :] if not w.startswith("-")]


def code_trees(nb: nbformat.NotebookNode) -> list[ast.Module]:
    return [ast.parse(python_source(c.source)) for c in nb.cells if c.cell_type == "code"]


def notebook_imports(paths: list[Path]) -> list[str]:
    """Every import statement of the notebooks (outside Colab guards), unparsed, in first-seen order."""
    seen: dict[str, None] = {}
    for path in paths:
        for tree in code_trees(nbformat.read(path, as_version=4)):
            for node, guarded in walk_with_guard(tree):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and not guarded:
                    seen.setdefault(ast.unparse(node))
    return list(seen)


BADGE_RE = re.compile(r"\[!\[[^\]]*\]\((?P<image>[^)\s]+)\)\]\((?P<target>[^)\s]+)\)")
LAUNCH_URL_RE = re.compile(
    r"https://(?:colab\.research\.google\.com/github|mybinder\.org/v2)/[^\s)\"'>]+"
)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_first_cells_carry_the_generated_colab_and_binder_badges(path):
    nb = nbformat.read(path, as_version=4)
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    badges = {
        m["target"]: m["image"] for c in nb.cells[:first_code] for m in BADGE_RE.finditer(c.source)
    }
    colab, binder = links.colab_url(rel(path)), links.binder_url(rel(path))
    assert badges.get(colab) == links.COLAB_BADGE, (
        f"{path.name}: no Colab badge linking to {colab}; found {badges}"
    )
    assert badges.get(binder) == links.BINDER_BADGE, (
        f"{path.name}: no Binder badge linking to {binder}; found {badges}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_launch_url_in_a_notebook_is_a_generated_one(path):
    generated = {f(rel(p)) for p in NOTEBOOKS for f in (links.colab_url, links.binder_url)}
    generated.add(links.binder_url())
    nb = nbformat.read(path, as_version=4)
    stale = {url for c in nb.cells for url in LAUNCH_URL_RE.findall(c.source)} - generated
    assert not stale, (
        f"{path.name} links launch URLs that course_utils.links does not generate: {sorted(stale)}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_setup_cell_installs_course_utils_at_the_tag_only_on_colab(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    assert all(c.cell_type == "markdown" for c in nb.cells[:first]) and first <= 2, (
        "the setup cell comes first"
    )
    setup = shell_calls(ast.parse(python_source(code[0].source)))
    assert setup, f"{path.name}: the first code cell installs course_utils on Colab"
    for command, guarded in setup:
        assert guarded, f'{path.name}: `{command}` runs outside `if "google.colab" in sys.modules:`'
        assert installed_requirements(command) == [links.pip_spec(links.TAG)], (
            f"{path.name}: the Colab cell must install exactly {links.pip_spec(links.TAG)!r}, got `{command}`"
        )
    assert (
        links.pip_spec(links.TAG).endswith(f"@{links.TAG}") and links.REPO_URL in links.pip_spec()
    )
    for i, cell in enumerate(code[1:], start=1):
        calls = shell_calls(ast.parse(python_source(cell.source)))
        installs = [c for c, _ in calls if re.search(r"\b(pip|conda|apt(-get)?)\b.*\binstall\b", c)]
        assert not installs, f"{path.name}: code cell {i} installs packages: {installs}"


def test_install_cell_parser_catches_unguarded_and_extra_installs():
    good = links.setup_cell_source()
    calls = shell_calls(ast.parse(python_source(good)))
    assert [(installed_requirements(c), g) for c, g in calls] == [([links.pip_spec()], True)]
    bad = "import sys\n%pip install -q tensorflow\nif 'google.colab' in sys.modules:\n    !pip install numpy course-utils\n"
    calls = shell_calls(ast.parse(python_source(bad)))
    assert [(installed_requirements(c), g) for c, g in calls] == [
        (["tensorflow"], False),
        (["numpy", "course-utils"], True),
    ]


def test_notebook_imports_skip_colab_only_code(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import sys\nif 'google.colab' in sys.modules:\n    from google.colab import output\nfrom numpy import linalg as la\n"
            )
        ]
    )
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    assert notebook_imports([path]) == ["import sys", "from numpy import linalg as la"]


# ----------------------------------------------------------------------------------------------------
# The simulation.


def lock_version(name: str) -> str:
    for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines():
        if "==" in line and normalise(line.split("==")[0]) == normalise(name):
            return line.split("==")[1].split("#")[0].strip()
    raise KeyError(name)


def base_requirements() -> list[str]:
    return [
        f"tensorflow=={TF_VERSION}",
        *(f"{name}=={lock_version(name)}" for name in COLAB_PREINSTALLED),
    ]


def run(cmd: list[str], timeout: float, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env={**os.environ, **QUIET}, **kw
    )
    assert proc.returncode == 0, (
        f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return proc


@pytest.fixture(scope="module")
def colab_base() -> Path:
    """A cached venv with the real ``tensorflow`` (pip-resolved from the registry) and Colab's basics."""
    requirements = [f"pip=={lock_version('pip')}", *base_requirements()]
    key = hashlib.sha256("\n".join(requirements).encode()).hexdigest()[:10]
    venv = (
        CACHE / f"py{sys.version_info.major}{sys.version_info.minor}-tensorflow-{TF_VERSION}-{key}"
    )
    ready = venv / "colab-sim-ready.txt"
    if ready.exists() and ready.read_text().splitlines() == requirements:
        return venv
    shutil.rmtree(venv, ignore_errors=True)  # a half-built one from an interrupted run
    venv.parent.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "venv", str(venv)], timeout=300)
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", requirements[0]], timeout=600)
    run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *requirements[1:]],
        timeout=1800,
    )
    ready.write_text("\n".join(requirements) + "\n")
    return venv


@pytest.fixture
def colab_venv(colab_base: Path, tmp_path: Path):
    """A fresh copy of the base (hard links, on the same file system) that the test may change."""
    CACHE.joinpath("runs").mkdir(parents=True, exist_ok=True)
    fresh = CACHE / "runs" / f"{tmp_path.name}-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(colab_base, fresh, symlinks=True, copy_function=os.link)
    yield fresh
    shutil.rmtree(fresh, ignore_errors=True)


def build_wheel(out: Path) -> Path:
    """A wheel of this checkout's course_utils, built from a clean copy (no stale build/ files)."""
    src = out / "src"
    shutil.copytree(
        ROOT / "course_utils",
        src / "course_utils",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out / "dist"),
            str(src),
        ],
        timeout=300,
    )
    (wheel,) = (out / "dist").glob("course_utils-*.whl")
    return wheel


def installed_versions(python: Path, names: list[str], cwd: Path) -> dict[str, str | None]:
    code = (
        "import importlib.metadata as md, json, sys\n"
        "out = {}\n"
        "for n in sys.argv[1:]:\n"
        "    try: out[n] = md.version(n)\n"
        "    except md.PackageNotFoundError: out[n] = None\n"
        "print(json.dumps(out))\n"
    )
    return json.loads(run([str(python), "-c", code, *names], timeout=120, cwd=cwd).stdout)


@pytest.mark.slow
def test_colab_install_cell_keeps_tensorflow_and_the_notebooks_import(colab_venv, tmp_path):
    python = colab_venv / "bin" / "python"
    before = installed_versions(
        python, ["tensorflow", "tensorflow-cpu", "keras", "numpy"], tmp_path
    )
    assert before["tensorflow"] == TF_VERSION and before["tensorflow-cpu"] is None, (
        "the base is Colab-like"
    )
    assert before["keras"] and before["keras"].startswith("3."), before

    # The cell runs `%pip install -q "course-utils @ git+<repo>@<tag>"`; offline the same requirement name
    # points at a wheel of this checkout.
    (command,) = [c for c, _ in shell_calls(ast.parse(python_source(links.setup_cell_source())))]
    (requirement,) = installed_requirements(command)
    name = requirement.split("@", 1)[0].strip()
    wheel = build_wheel(tmp_path)
    report = tmp_path / "pip-report.json"
    options = [
        w for w in shlex.split(command)[1:] if w.startswith("-")
    ]  # the cell's own options, e.g. -q
    run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            *options,
            "--report",
            str(report),
            f"{name} @ {wheel.as_uri()}",
        ],
        timeout=900,
        cwd=tmp_path,
    )

    installed = {
        normalise(item["metadata"]["name"]): item["metadata"]["version"]
        for item in json.loads(report.read_text())["install"]
    }
    print("Colab install step installed:", installed)
    assert installed.get("course-utils") is not None, (
        f"the step installs course_utils itself: {installed}"
    )
    assert not HEAVY & set(installed), (
        f"the Colab cell would (re)install {sorted(HEAVY & set(installed))}"
    )
    assert "numpy" not in installed, "replacing numpy under Colab's TensorFlow breaks the runtime"
    after = installed_versions(python, ["tensorflow", "tensorflow-cpu", "keras", "numpy"], tmp_path)
    assert after == before, f"the install changed the heavy packages: {before} -> {after}"

    imports = notebook_imports(NOTEBOOKS)
    assert "import sys" in imports and any("course_utils" in s for s in imports), imports
    script = tmp_path / "imports.py"
    script.write_text(
        "import json, sys\n"
        f"statements = {imports!r}\n"
        "failed = {}\n"
        "for statement in statements:\n"
        "    try:\n"
        "        exec(statement, {})\n"
        "    except Exception as exc:\n"
        "        failed[statement] = f'{type(exc).__name__}: {exc}'\n"
        "import course_utils\n"
        "from course_utils import runtime\n"
        "info = runtime.setup(seed=0, verbose=False)\n"
        "print(json.dumps({'failed': failed, 'file': course_utils.__file__, 'summary': info.summary()}))\n"
    )
    result = json.loads(
        run([str(python), str(script)], timeout=600, cwd=tmp_path).stdout.splitlines()[-1]
    )
    assert result["failed"] == {}, f"notebook imports that fail on Colab: {result['failed']}"
    assert Path(result["file"]).is_relative_to(colab_venv), (
        "course_utils came from the installed wheel"
    )
    assert f"TensorFlow {TF_VERSION}" in result["summary"], result["summary"]
