"""course_utils.claims: empirical claims are asserted with a margin and written where make claims reads."""

from __future__ import annotations

import json

import pytest

from course_utils import claims, runtime


@pytest.fixture(autouse=True)
def _no_claims_env(monkeypatch):
    monkeypatch.delenv(claims.FILE_ENV, raising=False)
    monkeypatch.delenv(claims.KEEP_GOING_ENV, raising=False)


def test_below_and_above_return_the_value_when_they_hold():
    assert claims.below("t.ratio", 0.25, 0.5) == 0.25
    assert claims.above("t.acc", 0.99, 0.95) == 0.99


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: claims.below("t.ratio", 0.75, 0.5),
            r"'t.ratio' does not hold at seed \d+: 0.75 is not below 0.5 \(margin -50.0%\)",
        ),
        (
            lambda: claims.above("t.acc", 0.9, 0.95),
            r"'t.acc' does not hold at seed \d+: 0.9 is not above 0.95 \(margin -5.3%\)",
        ),
        (lambda: claims.below("t.tie", 0.5, 0.5), r"0.5 is not below 0.5 \(margin \+0.0%\)"),
    ],
)
def test_a_claim_that_does_not_hold_raises_with_name_value_bound_and_margin(call, message):
    with pytest.raises(AssertionError, match=message):
        call()


def test_claims_are_written_with_margin_and_seed(tmp_path, monkeypatch):
    target = tmp_path / "claims.jsonl"
    runtime.setup(seed=4, use_tensorflow=False, verbose=False)
    try:
        claims.below("t.before", 1.0, 2.0)  # no file set: nothing written
        assert not target.exists()
        monkeypatch.setenv(claims.FILE_ENV, str(target))
        claims.below("t.ratio", 0.25, 0.5)
        claims.above("t.acc", 0.99, 0.9)
        claims.record("t.mse", 2)
        got = claims.read(target)
    finally:
        runtime.setup(seed=0, use_tensorflow=False, verbose=False)
    assert [(c.name, c.kind, c.held, c.seed) for c in got] == [
        ("t.ratio", "below", True, 4),
        ("t.acc", "above", True, 4),
        ("t.mse", "record", True, 4),
    ]
    assert got[0].margin == pytest.approx(0.5)
    assert got[1].margin == pytest.approx(0.1)
    assert got[2].bound is None and got[2].margin is None
    assert json.loads(target.read_text().splitlines()[0])["value"] == 0.25


def test_keep_going_records_a_failed_claim_instead_of_raising(tmp_path, monkeypatch):
    target = tmp_path / "claims.jsonl"
    monkeypatch.setenv(claims.FILE_ENV, str(target))
    monkeypatch.setenv(claims.KEEP_GOING_ENV, "1")
    assert claims.below("t.ratio", 0.75, 0.5) == 0.75
    (only,) = claims.read(target)
    assert not only.held and only.margin == pytest.approx(-0.5)


@pytest.mark.parametrize(
    ("name", "value", "bound", "error", "message"),
    [
        ("", 1.0, 2.0, ValueError, "name: expected a non-empty name without spaces, got ''"),
        ("a b", 1.0, 2.0, ValueError, "name: expected a non-empty name without spaces"),
        (
            "t.x",
            float("nan"),
            2.0,
            ValueError,
            "value for claim 't.x': expected a finite number, got nan",
        ),
        (
            "t.x",
            1.0,
            float("inf"),
            ValueError,
            "bound for claim 't.x': expected a finite number, got inf",
        ),
        (
            "t.x",
            "high",
            2.0,
            TypeError,
            "value for claim 't.x': expected a real number, got str 'high'",
        ),
    ],
)
def test_bad_claims_name_the_argument(name, value, bound, error, message):
    with pytest.raises(error, match=message):
        claims.below(name, value, bound)
