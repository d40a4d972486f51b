"""Stop `make` at once, with what to install, when the Python it found is not one the lock supports.

    python tools/check_python.py 3.11 3.12 3.13

Runs on any Python 3 (no imports beyond ``sys``), before the virtual environment is created.
"""

import sys


def main(argv):
    supported = argv or ["3.11"]
    have = "{}.{}".format(*sys.version_info[:2])
    if have in supported:
        return 0
    sys.stderr.write(
        "make: {} is Python {}, but requirements/lock.txt is resolved for Python {}.\n"
        "  Install one of those (python.org, `pyenv install 3.11`, `brew install python@3.11`,\n"
        "  `apt install python3.11` or `uv python install 3.11`), then run make again; to pick an\n"
        "  interpreter yourself: make lab PYTHON=/path/to/python3.11\n".format(
            sys.executable, have, ", ".join(supported)
        )
    )
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def find_python(version):
    """The path of a working ``python<version>`` (PATH first, then pyenv's versions), or None.

    pyenv puts a shim for every installed version on PATH, but a shim for a version that is not selected
    exits 127; so every candidate is run once before it is trusted.
    """
    import glob
    import os
    import shutil
    import subprocess

    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates = [shutil.which("python" + version)]
    candidates += sorted(
        glob.glob(os.path.join(root, "versions", version + ".*", "bin", "python" + version))
    )
    for path in candidates:
        if path and subprocess.run([path, "--version"], capture_output=True).returncode == 0:
            return path
    return None
