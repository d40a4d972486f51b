"""The README's first screen: what the course is, the two commands, generated badges and notebook list."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import readme  # noqa: E402

TEXT = (ROOT / "README.md").read_text()


def test_generated_blocks_are_up_to_date():
    assert readme.render(TEXT) == TEXT, "README.md is stale: run `make readme`"


def test_first_screen_says_what_and_for_whom_and_shows_the_two_commands():
    first_screen = "\n".join(TEXT.splitlines()[:40])
    assert "make lab" in first_screen and "make test" in first_screen
    assert "Binder" in first_screen and "Colab" in first_screen
    assert "students" in first_screen.lower() and "instructors" in first_screen.lower()


def test_ci_calls_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
