"""The course's graded assignments: where their sources live, their questions, and their limits.

Each assignment is one otter-grader master notebook ``notebooks/assignments/<id>/<id>.ipynb`` (raw cells
``# BEGIN QUESTION`` / ``# BEGIN SOLUTION`` / ``# BEGIN TESTS``; test cells are otter's exception-based
tests, ``hidden: true`` in the test config for hidden ones). :func:`questions` reads the question list
(names, points, hand-graded or not) from the master notebook; ``release`` writes it to the autograder's
``questions.json``, which is what grading reads.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .sandbox import Limits

__all__ = ["ASSIGNMENTS", "Assignment", "Question", "get", "questions", "source_root"]


@dataclass(frozen=True)
class Assignment:
    """One graded assignment."""

    id: str  # folder and notebook name, e.g. "a1_rnn_bptt"
    title: str
    limits: Limits  # per-submission limits while grading
    packages: tuple[str, ...] = ()  # installed for grading besides NumPy (Gradescope requirements)

    @property
    def notebook(self) -> str:
        return f"{self.id}.ipynb"

    def master(self, root: Path | None = None) -> Path:
        """The instructor's master notebook (with solutions and hidden tests)."""
        return (root or source_root()) / self.id / self.notebook


_NUMPY_LIMITS = Limits(total_s=120, notebook_s=60, call_s=20, memory_mb=1500, address_space=True)
_KERAS_LIMITS = Limits(total_s=400, notebook_s=240, call_s=240, memory_mb=3000, address_space=False)

ASSIGNMENTS: dict[str, Assignment] = {
    a.id: a
    for a in (
        Assignment(
            "a1_rnn_bptt",
            "A1 - A recurrent network that feeds back its output (Jordan) and BPTT, in NumPy",
            _NUMPY_LIMITS,
        ),
        Assignment(
            "a2_lstm_gru",
            "A2 - Gated cells in NumPy: a coupled-gate LSTM and a minimal gated unit, checked against Keras",
            _NUMPY_LIMITS,
            packages=("tensorflow", "keras"),  # its hidden tests compare with Keras' GRU
        ),
        Assignment(
            "a3_keras_sequences",
            "A3 - Sequence models in Keras",
            _KERAS_LIMITS,
            packages=("tensorflow", "keras"),
        ),
    )
}


def source_root() -> Path:
    """``notebooks/assignments`` of the course repository this package was installed from."""
    return Path(__file__).resolve().parents[2] / "notebooks" / "assignments"


def get(assignment_id: str) -> Assignment:
    """The assignment called ``assignment_id``; ``ValueError`` naming the known ones otherwise.

    >>> get("a9")
    Traceback (most recent call last):
    ...
    ValueError: assignment: expected one of ['a1_rnn_bptt', 'a2_lstm_gru', 'a3_keras_sequences'], got 'a9'
    """
    if assignment_id not in ASSIGNMENTS:
        raise ValueError(
            f"assignment: expected one of {sorted(ASSIGNMENTS)}, got {assignment_id!r}"
        )
    return ASSIGNMENTS[assignment_id]


@dataclass(frozen=True)
class Question:
    """A question of an assignment, as configured in its ``# BEGIN QUESTION`` cell."""

    name: str
    points: float
    manual: bool  # graded by hand (written answers)


_CONFIG_LINE = re.compile(r"^\s*(\w+)\s*:\s*(.*?)\s*$")


def questions(master: Path) -> list[Question]:
    """The questions of a master notebook, in order."""
    nb = json.loads(Path(master).read_text(encoding="utf-8"))
    found = []
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] != "raw" or not source.lstrip().startswith("# BEGIN QUESTION"):
            continue
        config = {}
        for line in source.splitlines()[1:]:
            match = _CONFIG_LINE.match(line)
            if match:
                config[match.group(1)] = match.group(2)
        points = config.get("points", "0")
        found.append(
            Question(config["name"], float(points), config.get("manual", "false").lower() == "true")
        )
    return found
