"""Runtime set-up that every notebook calls first: seeds, quiet logs, and which device runs the work.

``setup()`` makes a notebook deterministic (Python, NumPy and TensorFlow/Keras seeded, TensorFlow op
determinism on), silences TensorFlow's C++ logs and Keras' progress bars, and reports the hardware: with a
visible GPU it turns on memory growth and says the GPU is used; otherwise it says it runs on the CPU.
Nothing in a notebook changes between CPU and GPU; only the speed does.

**One seed knob.** The seed comes from the environment variable ``COURSE_SEED`` (default 0, the run whose
outputs are stored). Every notebook keeps it as ``SEED = runtime.setup().seed`` and derives every other
seed from it (``seed=SEED + 5`` for a data set, ``seed=SEED`` for a model), so ``COURSE_SEED=3 make
execute`` re-runs the whole course on other data, initial weights, dropout masks and samples.
``make claims`` uses it to check every empirical claim over several seeds.

Two more variables perturb the floating-point arithmetic without changing the maths (``make claims`` and
``make test`` use them to prove that no claim depends on one machine's rounding): ``COURSE_TF_THREADS``
sets TensorFlow's intra-op thread count and ``COURSE_BLAS_THREADS`` NumPy's BLAS thread count (default 1).
oneDNN is switched on by the standard ``TF_ENABLE_ONEDNN_OPTS=1``.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import warnings
from dataclasses import dataclass, field

import numpy as np

from course_utils import style
from course_utils.validation import check_seed

# Must be in the environment before TensorFlow is first imported to silence its C++ logging.
_QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
SEED_ENV = "COURSE_SEED"  # the course's one seed knob (default 0: the stored run)
# The oldest Keras the course supports (pyproject.toml's `tf` extra). Before 3.8, fit() under
# tf.distribute.MirroredStrategy does not take the step one device takes on the same batch: 3.3-3.4 apply
# one replica's gradient, 3.5-3.6 the sum over replicas (keras-team/keras#19891); notebook 05 checks it.
MIN_KERAS = (3, 8)
TF_THREADS_ENV = "COURSE_TF_THREADS"  # TensorFlow intra-op threads (unset: TensorFlow's default)
BLAS_THREADS_ENV = "COURSE_BLAS_THREADS"  # NumPy BLAS threads (unset: 1)

_current_seed = 0


def _env_int(var: str, *, minimum: int) -> int | None:
    raw = os.environ.get(var, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise ValueError(
            f"{var}: expected an integer >= {minimum} in the environment variable, got {raw!r}"
        )
    return value


def seed_from_env() -> int:
    """The seed ``COURSE_SEED`` asks for (0 when unset).

    >>> import os; os.environ.pop("COURSE_SEED", None) and None; seed_from_env()
    0
    """
    value = _env_int(SEED_ENV, minimum=0)
    return 0 if value is None else value


def current_seed() -> int:
    """The seed the last :func:`setup` call used (0 before any call)."""
    return _current_seed


@dataclass(frozen=True)
class RuntimeInfo:
    """What :func:`setup` found and did."""

    seed: int  # the seed given to Python, NumPy and TensorFlow (COURSE_SEED unless passed)
    device: str  # "GPU" or "CPU"
    gpus: tuple[str, ...] = field(default_factory=tuple)  # names of visible GPUs
    cpu_count: int = 1  # logical CPU cores
    tensorflow: str | None = None  # TensorFlow version, None when not installed
    keras: str | None = None  # Keras version, None when not installed
    perturbed: tuple[str, ...] = field(
        default_factory=tuple
    )  # float settings changed from defaults

    def summary(self) -> str:
        """One line for humans, e.g. ``Running on the CPU (2 cores) | seed 0 | TensorFlow 2.21.0``."""
        if self.device == "GPU":
            where = f"Running on the GPU ({len(self.gpus)} visible: {', '.join(self.gpus)})"
        else:
            where = f"Running on the CPU ({self.cpu_count} cores; no GPU visible)"
        parts = [where, f"seed {self.seed} (COURSE_SEED)"]
        if self.perturbed:
            parts.append("floats perturbed: " + ", ".join(self.perturbed))
        if self.tensorflow:
            parts.append(f"TensorFlow {self.tensorflow}, Keras {self.keras}")
        else:
            parts.append("TensorFlow not installed (NumPy-only parts still run)")
        return " | ".join(parts)


def quiet_tensorflow_logs() -> None:
    """Silence TensorFlow's C++ logs and oneDNN notices; call before TensorFlow is imported."""
    for key, value in _QUIET_ENV.items():
        os.environ.setdefault(key, value)


def keras_too_old(version: str) -> str | None:
    """A message saying why Keras ``version`` is older than the course supports; None when it is not.

    >>> keras_too_old("3.15.1") is None
    True
    >>> print(keras_too_old("3.3.3"))  # doctest: +ELLIPSIS
    Keras 3.3.3 is older than the course supports (3.8 or newer): ... pip install -U "keras>=3.8"
    """
    parts = []
    for part in version.split(".")[:2]:
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits) if digits else 0)
    if tuple(parts) >= MIN_KERAS:
        return None
    floor = ".".join(map(str, MIN_KERAS))
    return (
        f"Keras {version} is older than the course supports ({floor} or newer): its "
        "MirroredStrategy training (notebook 05) takes the wrong step. Upgrade with "
        f'pip install -U "keras>={floor}"'
    )


def _configure_tensorflow(
    seed: int, deterministic: bool
) -> tuple[str, tuple[str, ...], str | None, str | None]:
    try:
        import tensorflow as tf
    except ImportError:
        return "CPU", (), None, None
    import keras

    old = keras_too_old(keras.__version__)
    if old:
        warnings.warn(old, stacklevel=3)
    tf.get_logger().setLevel("ERROR")
    threads = _env_int(TF_THREADS_ENV, minimum=1)
    if threads is not None:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
        except RuntimeError:  # TensorFlow already ran an op: the pool is fixed for this process
            pass
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
    seed: int | None = None,
    *,
    deterministic: bool = True,
    use_tensorflow: bool = True,
    blas_threads: int | None = 1,
    verbose: bool = True,
) -> RuntimeInfo:
    """Seed everything, quiet the logs and report the device. Call once, at the top of a notebook.

    Args:
        seed: seed for Python's ``random``, NumPy's global generator and TensorFlow/Keras; None (the
            default) takes ``COURSE_SEED`` from the environment, or 0.
        deterministic: turn on TensorFlow op determinism so two runs give identical numbers.
        use_tensorflow: import and configure TensorFlow (skip for NumPy-only work).
        blas_threads: threads for NumPy's BLAS (see :func:`limit_blas_threads`), overridden by
            ``COURSE_BLAS_THREADS``; None leaves it alone.
        verbose: print :meth:`RuntimeInfo.summary`.

    Returns:
        A :class:`RuntimeInfo` describing the device and versions.

    >>> info = setup(seed=3, use_tensorflow=False, verbose=False)
    >>> info.seed, info.device
    (3, 'CPU')
    """
    global _current_seed
    if seed is None:
        seed = seed_from_env()
    seed = check_seed(seed)  # a wrong type is also a ValueError, as setup() has always raised
    _current_seed = seed
    quiet_tensorflow_logs()
    env_blas = _env_int(BLAS_THREADS_ENV, minimum=1)
    limit_blas_threads(env_blas if env_blas is not None else blas_threads)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - seeding the legacy global generator is the point
    style.apply()  # colour-blind-safe palette, line styles, figure descriptions for screen readers
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
        perturbed=_perturbations(env_blas, use_tensorflow),
    )
    if verbose:
        print(info.summary())
    return info


def _perturbations(env_blas: int | None, use_tensorflow: bool) -> tuple[str, ...]:
    """Float settings that differ from the stored run's (oneDNN on, other thread counts)."""
    out = []
    if use_tensorflow and os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "1":
        out.append("oneDNN on")
    threads = _env_int(TF_THREADS_ENV, minimum=1)
    if use_tensorflow and threads is not None:
        out.append(f"TensorFlow {threads} intra-op thread(s)")
    if env_blas is not None:
        out.append(f"BLAS {env_blas} thread(s)")
    return tuple(out)


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
