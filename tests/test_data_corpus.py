"""Tests for course_utils.data.corpus: the offline standard-library corpus and the optional cached loader."""

from __future__ import annotations

import hashlib
import string

import pytest

from course_utils.data import corpus
from course_utils.data.corpus import (
    STDLIB_MODULES,
    load_stdlib_corpus,
    load_text_file_cached,
    normalise_text,
)


def test_default_corpus_is_capped_deterministic_and_printable():
    a = load_stdlib_corpus()
    b = load_stdlib_corpus()
    assert a == b
    assert len(a) == 200_000
    assert set(a) <= set(string.printable) - set("\t\r\x0b\x0c")
    assert "def " in a and "return" in a
    assert 60 <= len(set(a)) <= 100


def test_modules_are_read_in_the_given_order_and_separated():
    text = load_stdlib_corpus(["bisect", "colorsys"], max_chars=10**6)
    assert "def insort_right" in text and "def rgb_to_hsv" in text
    assert text.index("def insort_right") < text.index("def rgb_to_hsv")
    assert "\n\n" in text
    reversed_order = load_stdlib_corpus(["colorsys", "bisect"], max_chars=10**6)
    assert reversed_order.index("def rgb_to_hsv") < reversed_order.index("def insort_right")
    assert len(reversed_order) == len(text)


def test_cap_cuts_the_text():
    assert len(load_stdlib_corpus(max_chars=1234)) == 1234
    assert load_stdlib_corpus(max_chars=50) == load_stdlib_corpus(max_chars=5000)[:50]


def test_module_list_is_sorted_and_all_pure_python():
    assert list(STDLIB_MODULES) == sorted(STDLIB_MODULES)
    assert len(load_stdlib_corpus(STDLIB_MODULES, max_chars=10**7)) > 200_000


@pytest.mark.parametrize(
    ("modules", "kwargs", "error", "match"),
    [
        (
            ["sys"],
            {},
            ValueError,
            r"modules: expected names of pure-Python standard-library modules, got 'sys'",
        ),
        (
            ["no_such_module_xyz"],
            {},
            ValueError,
            r"got 'no_such_module_xyz' \(no .py source found: None\)",
        ),
        (
            "bisect",
            {},
            ValueError,
            r"modules: expected a list of module names, got str 'bisect'",
        ),
        ([], {}, ValueError, r"modules: expected a non-empty list of module names, got \[\]"),
        (
            ["bisect"],
            {"max_chars": 0},
            ValueError,
            r"max_chars: expected a positive integer, got 0",
        ),
    ],
)
def test_bad_arguments(modules, kwargs, error, match):
    with pytest.raises(error, match=match):
        load_stdlib_corpus(modules, **kwargs)


def test_normalise_text():
    assert normalise_text("x\ty\r\nz\u00e9\x00") == "x    y\nz??"
    with pytest.raises(TypeError, match="text: expected str, got bytes"):
        normalise_text(b"abc")


def test_cached_loader_uses_a_verified_cache_without_network(tmp_path):
    data = b"hello\tworld\n"
    digest = hashlib.sha256(data).hexdigest()
    (tmp_path / f"{digest[:16]}_book.txt").write_bytes(data)
    # An unreachable URL: the cache must be used without trying it.
    text = load_text_file_cached(
        "http://127.0.0.1:9/book.txt", digest, cache_dir=tmp_path, timeout=0.5
    )
    assert text == "hello    world\n"


def test_cached_loader_offline_gives_a_clear_error(tmp_path):
    digest = "0" * 64
    with pytest.raises(
        ConnectionError, match=r"could not download .*use load_stdlib_corpus\(\) offline"
    ):
        load_text_file_cached(
            "http://127.0.0.1:9/book.txt", digest, cache_dir=tmp_path, timeout=0.5
        )
    assert not any(tmp_path.iterdir())


def test_cached_loader_rejects_bad_checksums(tmp_path):
    source = tmp_path / "src.txt"
    source.write_bytes(b"some text")
    with pytest.raises(
        ValueError, match=r"expected SHA-256 f{64}, got [0-9a-f]{64}; the file was not cached"
    ):
        load_text_file_cached(source.as_uri(), "f" * 64, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()
    good = hashlib.sha256(b"some text").hexdigest()
    assert load_text_file_cached(source.as_uri(), good, cache_dir=tmp_path / "cache") == "some text"
    assert len(list((tmp_path / "cache").iterdir())) == 1
    with pytest.raises(ValueError, match=r"sha256: expected 64 hexadecimal characters, got 'abc'"):
        load_text_file_cached(source.as_uri(), "abc", cache_dir=tmp_path)


def test_public_names():
    assert set(corpus.__all__) == {
        "STDLIB_MODULES",
        "load_stdlib_corpus",
        "load_text_file_cached",
        "normalise_text",
    }
