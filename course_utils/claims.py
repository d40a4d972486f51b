"""Empirical claims: what a notebook asserts about numbers that come from training or sampling.

The course keeps two kinds of evidence apart. *Exact facts* (weight-transplant equality, gradient checks,
shapes, parameter counts) print the same text on every machine and are compared as text by nbval.
*Empirical claims* (a trained model beats a baseline, dropout lowers the validation error) depend on the
seed, the CPU, the BLAS build and the thread count, so they are never compared as text. A notebook states
each one through this module, under a stable name, with the bound it must clear::

    claims.below("nb05.depth1_vs_naive", mse_rnn / mse_naive, 0.5)   # asserts the ratio is < 0.5
    claims.above("nb03.digits_accuracy", accuracy, 0.95)             # asserts accuracy > 0.95
    claims.record("nb05.depth1_valid_mse", mse_rnn)                  # a number shown, nothing asserted

A claim that does not hold raises ``AssertionError`` with its name, value, bound and the seed in use, so the
notebook stops right there, as a plain ``assert`` would. Each call also returns the value, so it can sit
inside an expression.

``make claims`` runs every notebook for seeds 0-4 and a float perturbation and collects every claim into
``docs/claims.md``: it sets ``COURSE_CLAIMS_FILE`` (each claim is appended to that JSON-lines file) and
``COURSE_CLAIMS_KEEP_GOING=1`` (a claim that does not hold is recorded instead of raised, so one run lists
them all). The *margin* of a claim is how far the value sits inside its bound, as a fraction of the bound:
``(bound - value) / |bound|`` for ``below``, ``(value - bound) / |bound|`` for ``above``; it is positive when
the claim holds.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

from .validation import check_number, check_string

FILE_ENV = "COURSE_CLAIMS_FILE"  # JSON-lines file every claim and recorded number is appended to
KEEP_GOING_ENV = "COURSE_CLAIMS_KEEP_GOING"  # "1": record a claim that fails instead of raising


@dataclass(frozen=True)
class Claim:
    """One checked (or recorded) number, as it is written to the claims file."""

    name: str  # stable name, "<notebook>.<what>", e.g. "nb05.depth1_vs_naive"
    kind: str  # "below", "above" or "record" (a number shown, no bound)
    value: float  # the measured number
    bound: float | None  # the bound it must clear (None for "record")
    margin: float | None  # how far inside the bound, as a fraction of |bound|; > 0 when it holds
    held: bool  # True when the claim holds (always True for "record")
    seed: int  # the course seed in use (runtime.current_seed())


def _number(name: str, value: object, argument: str) -> float:
    return check_number(value, f"{argument} for claim {name!r}")


def _check_name(name: object) -> str:
    return check_string(name, "name", what="a non-empty name without spaces", pattern=r"\S+")


def _write(claim: Claim) -> None:
    path = os.environ.get(FILE_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(asdict(claim)) + "\n")


def _seed() -> int:
    from course_utils import runtime

    return runtime.current_seed()


def _margin(kind: str, value: float, bound: float) -> float:
    scale = abs(bound) if bound != 0 else 1.0
    return (bound - value) / scale if kind == "below" else (value - bound) / scale


def _claim(kind: str, name: str, value: object, bound: object) -> float:
    name = _check_name(name)
    number = _number(name, value, "value")
    limit = _number(name, bound, "bound")
    held = number < limit if kind == "below" else number > limit
    claim = Claim(name, kind, number, limit, _margin(kind, number, limit), held, _seed())
    _write(claim)
    if not held and os.environ.get(KEEP_GOING_ENV) != "1":
        word = "below" if kind == "below" else "above"
        raise AssertionError(
            f"claim {name!r} does not hold at seed {claim.seed}: {number:.4g} is not {word} "
            f"{limit:.4g} (margin {claim.margin:+.1%})"
        )
    return number


def below(name: str, value: float, bound: float) -> float:
    """Assert the empirical claim ``value < bound`` under ``name``; record it and return ``value``.

    >>> below("demo.ratio", 0.2, 0.5)
    0.2
    >>> below("demo.ratio", 0.7, 0.5)
    Traceback (most recent call last):
    AssertionError: claim 'demo.ratio' does not hold at seed 0: 0.7 is not below 0.5 (margin -40.0%)
    """
    return _claim("below", name, value, bound)


def above(name: str, value: float, bound: float) -> float:
    """Assert the empirical claim ``value > bound`` under ``name``; record it and return ``value``.

    >>> above("demo.accuracy", 0.97, 0.95)
    0.97
    """
    return _claim("above", name, value, bound)


def record(name: str, value: float) -> float:
    """Record a number a notebook shows (no bound, nothing asserted) and return ``value`` unchanged.

    >>> record("demo.accuracy", 0.97)
    0.97
    """
    name = _check_name(name)
    number = _number(name, value, "value")
    _write(Claim(name, "record", number, None, None, True, _seed()))
    return value


def read(path: str | os.PathLike[str]) -> list[Claim]:
    """The claims a run wrote to ``path`` (see ``COURSE_CLAIMS_FILE``), in the order they were made."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.append(Claim(**json.loads(line)))
    return out


__all__ = ["FILE_ENV", "KEEP_GOING_ENV", "Claim", "above", "below", "read", "record"]
