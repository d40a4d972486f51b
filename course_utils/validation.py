"""Argument checks for every public entry point, in one place.

Each check names the argument, the expected shape in the course's letters and the shape received::

    h0: expected shape (2, 5) = (N, H), got (2, 6)
    x: expected a 3-D array of shape (N, T, D), got a 2-D array of shape (2, 3)

(the ``= (N, H)`` part is left out when no size is known yet, as it would only repeat the letters).

Wrong types raise ``TypeError``; wrong ranks, shapes or values raise ``ValueError``. Shapes are given as
comma-separated letters (``"N,T,D"``), with an optional integer multiplier (``"D,4H"``) or a literal size
(``"2,3H"``). The ``sizes`` dict is shared between the checks of one call: the first argument that
mentions a letter fixes its size, later arguments must agree.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping

import numpy as np

__all__ = [
    "check_array",
    "check_bool",
    "check_choice",
    "check_instance",
    "check_mask",
    "check_number",
    "check_positive",
    "check_positive_int",
    "check_probability",
    "check_seed",
]

_TOKEN = re.compile(r"^(\d*)([A-Za-z]\w*)?$")


def _parse(dims: str) -> list[tuple[int, str | None]]:
    tokens = []
    for raw in dims.split(","):
        token = raw.strip()
        match = _TOKEN.match(token)
        if not token or match is None:
            raise ValueError(f"bad dims spec {dims!r}")
        mult, letter = match.groups()
        if letter is None:  # a literal size such as "2"
            tokens.append((int(mult), None))
        else:
            tokens.append((int(mult) if mult else 1, letter))
    return tokens


def _expected(tokens: list[tuple[int, str | None]], sizes: MutableMapping[str, int]) -> str:
    parts = []
    for mult, letter in tokens:
        if letter is None:
            parts.append(str(mult))
        elif letter in sizes:
            parts.append(str(mult * sizes[letter]))
        else:
            parts.append(f"{mult if mult != 1 else ''}{letter}")
    return "(" + ", ".join(parts) + (",)" if len(parts) == 1 else ")")


def _spec(tokens: list[tuple[int, str | None]]) -> str:
    parts = [str(m) if letter is None else f"{m if m != 1 else ''}{letter}" for m, letter in tokens]
    return "(" + ", ".join(parts) + (",)" if len(parts) == 1 else ")")


def _described(tokens: list[tuple[int, str | None]], sizes: MutableMapping[str, int]) -> str:
    """The expected shape, followed by ``= spec`` only when the letters add information.

    ``(2, 5) = (N, H)`` once sizes are known; just ``(N, T, D)`` when none is.
    """
    expected, spec = _expected(tokens, sizes), _spec(tokens)
    return expected if expected == spec else f"{expected} = {spec}"


def check_array(
    x: object,
    name: str,
    dims: str,
    sizes: MutableMapping[str, int] | None = None,
    *,
    dtype: type | None = None,
    finite: bool = True,
) -> np.ndarray:
    """Return ``x`` as a floating NumPy array after checking its rank, shape and values.

    Args:
        x: the argument as given (array-like of numbers).
        name: the argument's name, used in messages.
        dims: the expected shape in letters, e.g. ``"N,T,D"`` or ``"D,4H"``.
        sizes: letter sizes fixed so far; updated in place with the letters ``x`` fixes.
        dtype: cast to this float dtype; by default keep float32/float64 and cast others to float64.
        finite: reject NaN and infinity.

    >>> sizes = {}
    >>> check_array(np.zeros((2, 3, 4)), "x", "N,T,D", sizes).shape, sizes
    ((2, 3, 4), {'N': 2, 'T': 3, 'D': 4})
    >>> check_array(np.zeros((2, 6)), "h0", "N,H", {"N": 2, "H": 5})
    Traceback (most recent call last):
    ...
    ValueError: h0: expected shape (2, 5) = (N, H), got (2, 6)
    >>> check_array(np.zeros((2, 3)), "x", "N,T,D")
    Traceback (most recent call last):
    ...
    ValueError: x: expected a 3-D array of shape (N, T, D), got a 2-D array of shape (2, 3)
    """
    sizes = {} if sizes is None else sizes
    tokens = _parse(dims)
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(
            f"{name}: expected a numeric array of shape {_spec(tokens)}, got {type(x).__name__}"
        )
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged nested lists and the like
        raise TypeError(
            f"{name}: expected a numeric array of shape {_spec(tokens)}, got {type(x).__name__} ({exc})"
        ) from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(
            f"{name}: expected a numeric array of shape {_spec(tokens)}, got dtype {arr.dtype}"
        )
    if arr.ndim != len(tokens):
        raise ValueError(
            f"{name}: expected a {len(tokens)}-D array of shape {_described(tokens, sizes)}, "
            f"got a {arr.ndim}-D array of shape {tuple(arr.shape)}"
        )
    # Check agreement with the sizes already fixed, then fix the new letters.
    bad = False
    new: dict[str, int] = {}
    for size, (mult, letter) in zip(arr.shape, tokens):
        if letter is None:
            bad |= size != mult
            continue
        known = sizes.get(letter, new.get(letter))
        if known is not None:
            bad |= size != mult * known
        elif size % mult:
            bad = True
        else:
            new[letter] = size // mult
    if bad:
        expected = _described(tokens, {**new, **sizes})
        raise ValueError(f"{name}: expected shape {expected}, got {tuple(arr.shape)}")
    sizes.update(new)
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    elif arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    if finite and not np.all(np.isfinite(arr)):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name}: expected finite values, got {arr[where]} at index {where}")
    return arr


def check_mask(mask: object, name: str, sizes: MutableMapping[str, int]) -> np.ndarray | None:
    """Check an optional ``(N, T)`` boolean mask (True = a real step, False = padding).

    >>> check_mask(np.ones((2, 3), dtype=int), "mask", {"N": 2, "T": 3})
    Traceback (most recent call last):
    ...
    TypeError: mask: expected a boolean array of shape (2, 3) = (N, T), got dtype int64
    """
    if mask is None:
        return None
    arr = np.asarray(mask)
    expected = _described(_parse("N,T"), sizes)
    if arr.dtype != bool:
        raise TypeError(
            f"{name}: expected a boolean array of shape {expected}, got dtype {arr.dtype}"
        )
    if arr.shape != (sizes["N"], sizes["T"]):
        raise ValueError(f"{name}: expected shape {expected}, got {tuple(arr.shape)}")
    return arr


def check_positive_int(value: object, name: str) -> int:
    """Return ``value`` as an int, or raise if it is not a positive integer.

    >>> check_positive_int(0, "units")
    Traceback (most recent call last):
    ...
    ValueError: units: expected a positive integer, got 0
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{name}: expected a positive integer, got {type(value).__name__} {value!r}"
        )
    if value <= 0:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    return int(value)


def check_choice(value: object, name: str, choices: tuple) -> object:
    """Raise unless ``value`` is one of ``choices``.

    >>> check_choice("relu", "activation", ("tanh", "linear"))
    Traceback (most recent call last):
    ...
    ValueError: activation: expected one of ('tanh', 'linear'), got 'relu'
    """
    if value not in choices:
        raise ValueError(f"{name}: expected one of {choices}, got {value!r}")
    return value


def check_bool(value: object, name: str) -> bool:
    """Return ``value`` if it is a bool (NumPy's included), else raise ``TypeError``.

    >>> check_bool(1, "reset_after")
    Traceback (most recent call last):
    ...
    TypeError: reset_after: expected True or False, got int 1
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_instance(value: object, name: str, cls: type, hint: str = "") -> object:
    """Raise ``TypeError`` unless ``value`` is a ``cls``; ``hint`` says where a right one comes from.

    >>> check_instance((1, 2), "cache", dict, "the cache returned by rnn_forward")
    Traceback (most recent call last):
    ...
    TypeError: cache: expected dict (the cache returned by rnn_forward), got tuple
    """
    if not isinstance(value, cls):
        where = f" ({hint})" if hint else ""
        raise TypeError(f"{name}: expected {cls.__name__}{where}, got {type(value).__name__}")
    return value


def check_number(
    value: object,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a float, or raise if it is not a finite real number in the given range.

    ``low``/``high`` are inclusive unless ``low_open``/``high_open``; a wrong type raises ``TypeError``,
    a number out of range (or NaN, or infinite) ``ValueError``.

    >>> check_number(0.0, "learning_rate", low=0, low_open=True)
    Traceback (most recent call last):
    ...
    ValueError: learning_rate: expected a finite number > 0, got 0.0
    >>> check_number("0.1", "rate")
    Traceback (most recent call last):
    ...
    TypeError: rate: expected a real number, got str '0.1'
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__} {value!r}")
    number = float(value)
    bounds = []
    if low is not None:
        bounds.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        bounds.append(f"{'<' if high_open else '<='} {high:g}")
    ok = np.isfinite(number)
    if ok and low is not None:
        ok = number > low if low_open else number >= low
    if ok and high is not None:
        ok = number < high if high_open else number <= high
    if not ok:
        what = "a finite number" + (" " + " and ".join(bounds) if bounds else "")
        raise ValueError(f"{name}: expected {what}, got {value!r}")
    return number


def check_positive(value: object, name: str) -> float:
    """A finite number > 0 (learning rates, norms, temperatures, tolerances).

    >>> check_positive(-1, "max_norm")
    Traceback (most recent call last):
    ...
    ValueError: max_norm: expected a finite number > 0, got -1
    """
    return check_number(value, name, low=0, low_open=True)


def check_probability(value: object, name: str, *, allow_one: bool = False) -> float:
    """A rate in [0, 1) (dropout, masking rates), or [0, 1] with ``allow_one``.

    >>> check_probability(1.0, "dropout")
    Traceback (most recent call last):
    ...
    ValueError: dropout: expected a finite number >= 0 and < 1, got 1.0
    """
    return check_number(value, name, low=0, high=1, high_open=not allow_one)


def check_seed(value: object, name: str = "seed", *, allow_none: bool = False) -> int | None:
    """A seed: a non-negative integer (or None when ``allow_none``), as NumPy and Keras accept.

    >>> check_seed(-3)
    Traceback (most recent call last):
    ...
    ValueError: seed: expected a non-negative integer, got -3
    >>> check_seed(None, allow_none=True) is None
    True
    """
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        expected = "a non-negative integer" + (" or None" if allow_none else "")
        raise TypeError(f"{name}: expected {expected}, got {type(value).__name__} {value!r}")
    if value < 0:
        raise ValueError(f"{name}: expected a non-negative integer, got {value!r}")
    return int(value)
