"""Headline numbers a notebook computes, recorded for the benchmark table.

A notebook calls ``metrics.record("lstm_test_mse", mse)`` next to the assertion that uses the number.
Normally this only returns the value. When ``make bench`` runs the notebook it sets the environment
variable ``COURSE_METRICS_FILE``, and every recorded value is also appended to that JSON-lines file.
"""

from __future__ import annotations

import json
import math
import os

ENV_VAR = "COURSE_METRICS_FILE"


def record(name: str, value: float) -> float:
    """Record ``value`` under ``name`` (for ``make bench``) and return it unchanged.

    >>> record("demo_accuracy", 0.97)
    0.97
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name: expected a non-empty string, got {name!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"value: expected a finite number for {name!r}, got {value!r}")
    path = os.environ.get(ENV_VAR)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"name": name, "value": number}) + "\n")
    return value
