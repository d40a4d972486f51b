"""Tests for course_utils.distribute: two devices on any machine, a mirrored step equal to the one-device
step, and a stack with one layer per device that computes what the one-device stack computes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from course_utils import distribute, models

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

ROOT = Path(__file__).resolve().parents[1]

# TensorFlow fixes its devices at its first operation, and this test process has long run some: the
# two-device checks run in a fresh interpreter, as a notebook kernel would.
TWO_DEVICES = textwrap.dedent(
    """
    import json
    import numpy as np
    from course_utils import runtime
    runtime.setup(seed=0, verbose=False)
    from course_utils import distribute, models

    out = {}
    names = distribute.devices(2)
    out["devices"] = list(names)
    out["again"] = list(distribute.devices(2))
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 5, 1)).astype(np.float32)  # (N, T, D)
    y = rng.normal(size=(8, 1)).astype(np.float32)
    step = distribute.mirrored_step(lambda: models.build_stacked_rnn((None, 1), (4, 3), seed=0), x, y, names)
    out["step"] = {k: getattr(step, k) for k in ("replicas", "examples_per_replica",
                   "copies_per_variable", "global_batch", "update_difference", "half_batch_difference")}
    out["replica_devices"] = [distribute.device_index(d, names) for d in step.replica_devices]
    model = distribute.build_layer_per_device_rnn((5, 1), (4, 3), names)
    single = models.build_stacked_rnn((5, 1), (4, 3), seed=0)
    model.set_weights(single.get_weights())
    out["max_diff"] = float(np.max(np.abs(np.asarray(model(x)) - np.asarray(single(x)))))
    out["placement"] = [
        [p.layer, sorted({distribute.device_index(d, names) for d in p.variables}),
         sorted({distribute.device_index(d, names) for d in p.operations}), p.n_operations]
        for p in distribute.placement(model, (5, 1))
    ]
    try:
        distribute.devices(3)
        out["late"] = "no error"
    except RuntimeError as exc:
        out["late"] = str(exc)
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def two_devices():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run(
        [sys.executable, "-c", TWO_DEVICES],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_devices_split_the_cpu_in_two_and_return_the_same_devices_again(two_devices):
    assert two_devices["devices"] == ["/device:CPU:0", "/device:CPU:1"]
    assert two_devices["again"] == two_devices["devices"]


def test_mirrored_step_runs_two_replicas_and_equals_the_one_device_step(two_devices):
    step = two_devices["step"]
    assert step["replicas"] == 2 and step["global_batch"] == 8
    assert step["examples_per_replica"] == [4, 4]
    assert step["copies_per_variable"] == 2
    assert two_devices["replica_devices"] == [0, 1]
    assert step["update_difference"] < 1e-4
    # The control differs: a gradient on one replica's half of the batch is not the global one.
    assert step["half_batch_difference"] > 1e-2


def test_layer_per_device_stack_places_each_layer_and_equals_the_one_device_stack(two_devices):
    placement = {
        layer: (variables, ops, n) for layer, variables, ops, n in two_devices["placement"]
    }
    assert list(placement) == ["simple_rnn_1", "simple_rnn_2", "head"]
    assert placement["simple_rnn_1"][:2] == ([0], [0])
    assert placement["simple_rnn_2"][:2] == ([1], [1])
    assert placement["head"][:2] == ([1], [1])
    assert all(n > 0 for _, _, n in placement.values())
    assert two_devices["max_diff"] < 1e-6


def test_devices_after_tensorflow_started_says_to_call_it_first(two_devices):
    assert two_devices["late"].startswith("count: expected to split the CPU into 3 logical devices")
    assert "call distribute.devices() before any TensorFlow work" in two_devices["late"]


# --- in this process: one device is enough ------------------------------------------------------------


def test_device_index_compares_type_and_index_in_any_spelling():
    names = ["/device:CPU:0", "/device:CPU:1"]
    assert distribute.device_index("/job:localhost/replica:0/task:0/device:CPU:1", names) == 1
    assert distribute.device_index("/cpu:0", names) == 0
    assert distribute.device_index("/device:GPU:1", names) is None


def test_placement_of_a_one_device_stack_sees_every_layer_on_that_device():
    same = ["/device:CPU:0", "/device:CPU:0", "/device:CPU:0"]
    model = distribute.build_layer_per_device_rnn((6, 2), (5, 4, 3), same, outputs=2, unroll=False)
    single = models.build_stacked_rnn((6, 2), (5, 4, 3), outputs=2, seed=3)
    model.set_weights(single.get_weights())
    x = np.random.default_rng(4).normal(size=(3, 6, 2)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(model(x)), np.asarray(single(x)), atol=1e-6)
    where = distribute.placement(model, (6, 2))
    assert [p.layer for p in where] == ["simple_rnn_1", "simple_rnn_2", "simple_rnn_3", "head"]
    for p in where:
        assert {distribute.device_index(d, same) for d in p.variables + p.operations} == {0}, p
        assert p.n_operations > 0


def test_placement_of_a_model_without_device_scopes_finds_no_device_requests():
    single = models.build_stacked_rnn((4, 1), (3,), seed=0)
    where = distribute.placement(single, (4, 1))
    assert [p.layer for p in where] == ["simple_rnn_1", "head"]
    assert all(p.operations == () and p.n_operations == 0 for p in where)


def test_builder_rejects_bad_arguments():
    cpu = ["/device:CPU:0"]
    with pytest.raises(
        ValueError, match=r"device_names: expected 2 device names \(one per layer\), got 1"
    ):
        distribute.build_layer_per_device_rnn((5, 1), (4, 3), cpu)
    with pytest.raises(TypeError, match=r"device_names: expected a list of device names"):
        distribute.build_layer_per_device_rnn((5, 1), (4,), "/device:CPU:0")
    with pytest.raises(ValueError, match=r"input_shape: unroll=True needs a fixed number of steps"):
        distribute.build_layer_per_device_rnn((None, 1), (4,), cpu)
    with pytest.raises(ValueError, match=r"units: expected a list of layer sizes, got int 4"):
        distribute.build_layer_per_device_rnn((5, 1), 4, cpu)
    with pytest.raises(ValueError, match=r"input_shape: expected 2 sizes \(T, D\), got 1"):
        distribute.build_layer_per_device_rnn((5,), (4,), cpu)


def test_mirrored_step_checks_its_inputs_before_building_anything():
    def never():
        raise AssertionError("built a model")

    x, y = np.zeros((6, 3, 1)), np.zeros((6, 1))
    two = ["/device:CPU:0", "/device:CPU:1"]
    with pytest.raises(
        ValueError,
        match=r"x: expected a number of examples divisible by 4 \(an equal share per device\), got 6",
    ):
        distribute.mirrored_step(never, x, y, two * 2)
    with pytest.raises(ValueError, match=r"y: expected shape \(6, 1\) = \(N, O\), got \(5, 1\)"):
        distribute.mirrored_step(never, x, np.zeros((5, 1)), two)
    with pytest.raises(ValueError, match=r"learning_rate: expected a finite number > 0, got 0"):
        distribute.mirrored_step(never, x, y, two, learning_rate=0)
    with pytest.raises(ValueError, match=r"count: expected a positive integer, got 0"):
        distribute.devices(0)
