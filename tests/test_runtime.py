"""course_utils.runtime: seeding, determinism, quiet logs and the CPU/GPU report."""

from __future__ import annotations

import random
import types

import numpy as np
import pytest

from course_utils import runtime


def test_setup_seeds_python_and_numpy_reproducibly():
    runtime.setup(seed=7, use_tensorflow=False, verbose=False)
    first = (random.random(), np.random.rand(3))  # noqa: NPY002
    runtime.setup(seed=7, use_tensorflow=False, verbose=False)
    second = (random.random(), np.random.rand(3))  # noqa: NPY002
    assert first[0] == second[0]
    np.testing.assert_array_equal(first[1], second[1])


def test_setup_quiets_tensorflow_logs_before_import(monkeypatch):
    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    runtime.setup(seed=0, use_tensorflow=False, verbose=False)
    import os

    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0"


def test_setup_on_cpu_reports_cpu_and_seeds_keras(capsys):
    import keras
    import tensorflow as tf

    info = runtime.setup(seed=1)
    out = capsys.readouterr().out
    assert info.device == "CPU" and info.gpus == ()
    assert "Running on the CPU" in out and "seed 1" in out
    assert info.tensorflow == tf.__version__ and info.keras == keras.__version__
    from tensorflow.python.framework import config as tf_config

    assert tf_config.is_op_determinism_enabled()
    a = keras.initializers.GlorotUniform()((3, 3)).numpy()
    runtime.setup(seed=1, verbose=False)
    b = keras.initializers.GlorotUniform()((3, 3)).numpy()
    np.testing.assert_array_equal(a, b)


def test_gpu_path_turns_on_memory_growth_and_reports_gpu(monkeypatch, capsys):
    """No GPU here: fake two visible GPUs and check what setup does with them."""
    import tensorflow as tf

    fake = [
        types.SimpleNamespace(name="/physical_device:GPU:0"),
        types.SimpleNamespace(name="/physical_device:GPU:1"),
    ]
    grown = []
    monkeypatch.setattr(
        tf.config, "list_physical_devices", lambda kind=None: fake if kind == "GPU" else []
    )
    monkeypatch.setattr(
        tf.config.experimental,
        "set_memory_growth",
        lambda gpu, flag: grown.append((gpu.name, flag)),
    )
    info = runtime.setup(seed=0)
    assert info.device == "GPU" and info.gpus == ("GPU:0", "GPU:1")
    assert grown == [("/physical_device:GPU:0", True), ("/physical_device:GPU:1", True)]
    assert "Running on the GPU (2 visible: GPU:0, GPU:1)" in capsys.readouterr().out


def test_memory_growth_after_initialisation_is_tolerated(monkeypatch):
    import tensorflow as tf

    fake = [types.SimpleNamespace(name="/physical_device:GPU:0")]

    def refuse(gpu, flag):
        raise RuntimeError("Physical devices cannot be modified after being initialized")

    monkeypatch.setattr(
        tf.config, "list_physical_devices", lambda kind=None: fake if kind == "GPU" else []
    )
    monkeypatch.setattr(tf.config.experimental, "set_memory_growth", refuse)
    assert runtime.setup(seed=0, verbose=False).device == "GPU"


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_bad_seed_is_rejected_with_its_name(seed):
    with pytest.raises(ValueError, match=r"seed: expected a non-negative integer, got"):
        runtime.setup(seed=seed, use_tensorflow=False, verbose=False)


def test_versions_lists_the_course_packages():
    found = runtime.versions()
    assert {"python", "numpy", "matplotlib", "ipywidgets", "keras", "course-utils"} <= set(found)
    assert found["colab"] == "False"


def test_setup_limits_blas_threads_for_small_matrices():
    from threadpoolctl import threadpool_info

    runtime.setup(seed=0, use_tensorflow=False, verbose=False, blas_threads=1)
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)
    assert runtime.limit_blas_threads(None) is None


def test_seed_comes_from_course_seed_and_is_shown(monkeypatch, capsys):
    monkeypatch.setenv(runtime.SEED_ENV, "3")
    try:
        info = runtime.setup(use_tensorflow=False)
        assert info.seed == 3 == runtime.current_seed()
        assert "seed 3 (COURSE_SEED)" in capsys.readouterr().out
        assert runtime.setup(seed=5, use_tensorflow=False, verbose=False).seed == 5  # explicit wins
    finally:
        runtime.setup(seed=0, use_tensorflow=False, verbose=False)


@pytest.mark.parametrize("raw", ["-1", "one", "1.5"])
def test_bad_course_seed_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv(runtime.SEED_ENV, raw)
    with pytest.raises(
        ValueError,
        match=rf"COURSE_SEED: expected an integer >= 0 in the environment variable, got '{raw}'",
    ):
        runtime.setup(use_tensorflow=False, verbose=False)


def test_perturbed_float_settings_are_reported(monkeypatch):
    monkeypatch.setenv(runtime.BLAS_THREADS_ENV, "2")
    try:
        info = runtime.setup(seed=0, use_tensorflow=False, verbose=False)
        assert info.perturbed == ("BLAS 2 thread(s)",)
        assert "floats perturbed: BLAS 2 thread(s)" in info.summary()
    finally:
        monkeypatch.delenv(runtime.BLAS_THREADS_ENV)
        runtime.setup(seed=0, use_tensorflow=False, verbose=False)
