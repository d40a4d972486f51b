"""Character corpora for the creative RNN (notebook 03), with no network needed.

The default corpus is Python source code read from the standard library installed with Python — the way
char-rnn famously learned to write C from the Linux kernel. The modules come from a fixed, sorted list and
the text is capped, so the same Python version always gives the same corpus (another Python version has
slightly different sources). The text is normalised to a small alphabet: tabs become four spaces, and any
character outside printable ASCII and newline becomes ``"?"``.

An optional loader, :func:`load_text_file_cached`, fetches a larger public text for users who have a
network: it caches the file, verifies its SHA-256 checksum, and fails with a clear message offline. The
course itself (and CI) never calls it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import string
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from ..validation import check_instance, check_positive_int, check_sequence, check_string

__all__ = ["STDLIB_MODULES", "load_stdlib_corpus", "load_text_file_cached", "normalise_text"]

#: Pure-Python standard-library modules read by :func:`load_stdlib_corpus`, in this order.
STDLIB_MODULES: tuple[str, ...] = (
    "bisect",
    "calendar",
    "colorsys",
    "copy",
    "fnmatch",
    "fractions",
    "glob",
    "heapq",
    "linecache",
    "numbers",
    "operator",
    "queue",
    "random",
    "sched",
    "shlex",
    "statistics",
    "string",
    "textwrap",
    "timeit",
)

_ALLOWED = frozenset(string.printable) - frozenset("\t\r\x0b\x0c")


def normalise_text(text: str) -> str:
    """Tabs to four spaces, CRLF to LF, and every other non-printable or non-ASCII character to ``"?"``.

    >>> normalise_text("a\\tb\\r\\nπ")
    'a    b\\n?'
    """
    check_instance(text, "text", str)
    text = text.replace("\r\n", "\n").replace("\t", "    ")
    return "".join(ch if ch in _ALLOWED else "?" for ch in text)


def _module_source(name: str) -> str:
    spec = importlib.util.find_spec(name)
    origin = None if spec is None else spec.origin
    if origin is None or not origin.endswith(".py"):
        raise ValueError(
            f"modules: expected names of pure-Python standard-library modules, got {name!r} "
            f"(no .py source found: {origin})"
        )
    return Path(origin).read_text(encoding="utf-8")


def load_stdlib_corpus(modules: Sequence[str] = STDLIB_MODULES, *, max_chars: int = 200_000) -> str:
    """Concatenate the source of ``modules`` (in the order given), normalised, capped at ``max_chars``.

    Args:
        modules: names of pure-Python standard-library modules.
        max_chars: keep at most this many characters (the text is cut at the cap).

    Returns:
        One string; modules are separated by a blank line. Deterministic for a given Python version.

    >>> text = load_stdlib_corpus(["bisect"], max_chars=500)
    >>> len(text), text.startswith(chr(34) * 3)  # bisect.py opens with its docstring
    (500, True)
    """
    modules = check_sequence(modules, "modules", what="module names", min_length=1)
    max_chars = check_positive_int(max_chars, "max_chars")
    parts: list[str] = []
    total = 0
    for name in modules:
        source = normalise_text(_module_source(name)).strip("\n") + "\n\n"
        parts.append(source)
        total += len(source)
        if total >= max_chars:
            break
    return "".join(parts)[:max_chars]


def load_text_file_cached(
    url: str, sha256: str, *, cache_dir: str | Path, timeout: float = 30.0
) -> str:
    """Download ``url`` once into ``cache_dir``, check its SHA-256, and return it as normalised text.

    Optional, for users with a network who want a larger corpus (e.g. a public-domain book). A cached file
    with the right checksum is used without touching the network. Raises ``ConnectionError`` with a clear
    message when offline and ``ValueError`` when the checksum does not match (the bad file is not kept).
    """
    check_string(sha256, "sha256", what="64 hexadecimal characters", pattern="[0-9a-fA-F]{64}")
    cache = Path(cache_dir)
    target = cache / (sha256[:16] + "_" + Path(url.split("?")[0]).name)
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == sha256.lower():
        return normalise_text(target.read_bytes().decode("utf-8", errors="replace"))
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read()
    except (urllib.error.URLError, OSError) as exc:
        raise ConnectionError(
            f"could not download {url} ({exc}). This loader is optional and needs a network; "
            "use load_stdlib_corpus() offline."
        ) from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256.lower():
        raise ValueError(
            f"{url}: expected SHA-256 {sha256.lower()}, got {digest}; the file was not cached"
        )
    cache.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return normalise_text(data.decode("utf-8", errors="replace"))
