"""Runtime set-up that every notebook calls first: seeds, quiet logs, and which device runs the work.

``setup(seed=0)`` makes a notebook deterministic (Python, NumPy and TensorFlow/Keras seeded, TensorFlow op
determinism on), silences TensorFlow's C++ logs and Keras' progress bars, and reports the hardware: with a
visible GPU it turns on memory growth and says the GPU is used; otherwise it says it runs on the CPU.
Nothing in a notebook changes between CPU and GPU; only the speed does.
"""

from __future__ import annotations

import os
import platform
import random
import sys
from dataclasses import dataclass, field

import numpy as np

# Must be in the environment before TensorFlow is first imported to silence its C++ logging.
_QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}


@dataclass(frozen=True)
class RuntimeInfo:
    """What :func:`setup` found and did."""

    seed: int  # the seed given to Python, NumPy and TensorFlow
    device: str  # "GPU" or "CPU"
    gpus: tuple[str, ...] = field(default_factory=tuple)  # names of visible GPUs
    cpu_count: int = 1  # logical CPU cores
    tensorflow: str | None = None  # TensorFlow version, None when not installed
    keras: str | None = None  # Keras version, None when not installed

    def summary(self) -> str:
        """One line for humans, e.g. ``Running on the CPU (2 cores) | seed 0 | TensorFlow 2.21.0``."""
        if self.device == "GPU":
            where = f"Running on the GPU ({len(self.gpus)} visible: {', '.join(self.gpus)})"
        else:
            where = f"Running on the CPU ({self.cpu_count} cores; no GPU visible)"
        parts = [where, f"seed {self.seed}"]
        if self.tensorflow:
            parts.append(f"TensorFlow {self.tensorflow}, Keras {self.keras}")
        else:
            parts.append("TensorFlow not installed (NumPy-only parts still run)")
        return " | ".join(parts)


def quiet_tensorflow_logs() -> None:
    """Silence TensorFlow's C++ logs and oneDNN notices; call before TensorFlow is imported."""
    for key, value in _QUIET_ENV.items():
        os.environ.setdefault(key, value)


def _configure_tensorflow(
    seed: int, deterministic: bool
) -> tuple[str, tuple[str, ...], str | None, str | None]:
    try:
        import tensorflow as tf
    except ImportError:
        return "CPU", (), None, None
    import keras

    tf.get_logger().setLevel("ERROR")
    keras.utils.set_random_seed(seed)  # seeds Python, NumPy and the TensorFlow backend
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    keras.config.disable_interactive_logging()  # no progress bars in stored outputs
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # already initialised: memory growth can no longer change
            pass
    names = tuple(gpu.name.replace("/physical_device:", "") for gpu in gpus)
    return ("GPU" if gpus else "CPU"), names, tf.__version__, keras.__version__


def limit_blas_threads(threads: int | None = 1) -> int | None:
    """Limit NumPy's BLAS to ``threads`` threads (None: leave it alone); return the limit now in force.

    The course's matrices are small (H <= 128): one BLAS thread is as fast as several there, leaves the
    other cores to TensorFlow, and avoids the 10x slow-downs of oversubscribed threads when two notebooks
    (or a notebook and TensorFlow) share 2 cores. Needs ``threadpoolctl`` (installed with the package).
    """
    if threads is None:
        return None
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=int(threads), user_api="blas")
    return int(threads)


def setup(
    seed: int = 0,
    *,
    deterministic: bool = True,
    use_tensorflow: bool = True,
    blas_threads: int | None = 1,
    verbose: bool = True,
) -> RuntimeInfo:
    """Seed everything, quiet the logs and report the device. Call once, at the top of a notebook.

    Args:
        seed: seed for Python's ``random``, NumPy's global generator and TensorFlow/Keras.
        deterministic: turn on TensorFlow op determinism so two runs give identical numbers.
        use_tensorflow: import and configure TensorFlow (skip for NumPy-only work).
        blas_threads: threads for NumPy's BLAS (see :func:`limit_blas_threads`); None leaves it alone.
        verbose: print :meth:`RuntimeInfo.summary`.

    Returns:
        A :class:`RuntimeInfo` describing the device and versions.

    >>> info = setup(seed=3, use_tensorflow=False, verbose=False)
    >>> info.seed, info.device
    (3, 'CPU')
    """
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed: expected a non-negative integer, got {seed!r}")
    seed = int(seed)
    quiet_tensorflow_logs()
    limit_blas_threads(blas_threads)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - seeding the legacy global generator is the point
    os.environ["PYTHONHASHSEED"] = str(seed)
    device, gpus, tf_version, keras_version = "CPU", (), None, None
    if use_tensorflow:
        device, gpus, tf_version, keras_version = _configure_tensorflow(seed, deterministic)
    info = RuntimeInfo(
        seed=seed,
        device=device,
        gpus=gpus,
        cpu_count=os.cpu_count() or 1,
        tensorflow=tf_version,
        keras=keras_version,
    )
    if verbose:
        print(info.summary())
    return info


def versions() -> dict[str, str]:
    """Versions of Python and the course's main packages, for the environment check in ``00_welcome``."""
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for dist in (
        "course-utils",
        "numpy",
        "matplotlib",
        "ipywidgets",
        "tensorflow",
        "tensorflow-cpu",
        "keras",
        "jupyterlab",
    ):
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:
            continue
    out["platform"] = f"{platform.system()} {platform.machine()}"
    out["colab"] = str("google.colab" in sys.modules)
    return out
