"""Argument checks for every public entry point, in one place.

Each check names the argument, the expected shape in the course's letters and the shape received::

    h0: expected shape (2, 5) = (N, H), got (2, 6)
    x: expected a 3-D array of shape (N, T, D), got a 2-D array of shape (2, 3)

(the ``= (N, H)`` part is left out when no size is known yet, as it would only repeat the letters).

Wrong types raise ``TypeError``; wrong ranks, shapes or values raise ``ValueError``. (A wrong container
for a list, and a wrong type for a seed, raise :class:`ArgumentTypeError`: a ``TypeError`` that is also a
``ValueError``, because the entry points that use them promised ``ValueError`` for any bad argument.)
Where a ``hint`` is given it follows the expected part in parentheses, as in
``cache: expected dict (the cache returned by rnn_forward), got tuple``. Shapes are given as
comma-separated letters (``"N,T,D"``), with an optional integer multiplier (``"D,4H"``) or a literal size
(``"2,3H"``). The ``sizes`` dict is shared between the checks of one call: the first argument that
mentions a letter fixes its size, later arguments must agree.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Mapping, MutableMapping, Sequence

import numpy as np

__all__ = [
    "ArgumentTypeError",
    "check_array",
    "check_bool",
    "check_choice",
    "check_default",
    "check_distribution",
    "check_instance",
    "check_int",
    "check_keys",
    "check_labels",
    "check_length",
    "check_mask",
    "check_number",
    "check_positive",
    "check_positive_int",
    "check_probability",
    "check_same_shape",
    "check_seed",
    "check_sequence",
    "check_setting",
    "check_string",
]


class ArgumentTypeError(TypeError, ValueError):
    """A wrong type that is also a ``ValueError`` (like ``io.UnsupportedOperation`` is an ``OSError`` and a
    ``ValueError``).

    Raised for a wrong container where a list is expected (:func:`check_sequence`), a mapping that lacks a
    required key (:func:`check_keys`) and a wrong type for a seed (:func:`check_seed`): the entry points that take them (``runtime.setup(seed=...)``,
    ``load_stdlib_corpus(modules)``, ``build_layer_per_device_rnn(units=...)``) have always raised
    ``ValueError`` for any bad value there, and ``except ValueError`` keeps working.
    """


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


def _got(value: object) -> str:
    """The type of ``value``, and its repr when that is short (numbers, strings, None)."""
    kind = type(value).__name__
    if value is None or isinstance(value, (str, bytes, numbers.Number, np.generic)):
        return f"{kind} {value!r}"
    return kind


def _hint(hint: str) -> str:
    return f" ({hint})" if hint else ""


def _check_shape(
    arr: np.ndarray,
    name: str,
    tokens: list[tuple[int, str | None]],
    sizes: MutableMapping[str, int],
    hint: str = "",
) -> None:
    """Check ``arr``'s rank and shape against ``tokens``; fix the new letters in ``sizes``."""
    if arr.ndim != len(tokens):
        raise ValueError(
            f"{name}: expected a {len(tokens)}-D array of shape {_described(tokens, sizes)}"
            f"{_hint(hint)}, got a {arr.ndim}-D array of shape {tuple(arr.shape)}"
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
        raise ValueError(f"{name}: expected shape {expected}{_hint(hint)}, got {tuple(arr.shape)}")
    sizes.update(new)


def _first(bad: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(bad)[0])


def check_array(
    x: object,
    name: str,
    dims: str | None,
    sizes: MutableMapping[str, int] | None = None,
    *,
    dtype: type | None = None,
    finite: bool = True,
    low: float | None = None,
    hint: str = "",
    in_place: bool = False,
) -> np.ndarray:
    """Return ``x`` as a floating NumPy array after checking its rank, shape and values.

    Args:
        x: the argument as given (array-like of numbers).
        name: the argument's name, used in messages.
        dims: the expected shape in letters, e.g. ``"N,T,D"`` or ``"D,4H"``; None for any shape.
        sizes: letter sizes fixed so far; updated in place with the letters ``x`` fixes.
        dtype: cast to this float dtype; by default keep float32/float64 and cast others to float64.
        finite: reject NaN and infinity.
        low: reject values below ``low`` (amplitudes, counts, probabilities).
        hint: said after the expected shape, e.g. which variant of a layer takes that shape.
        in_place: the caller changes ``x`` in place, so ``x`` must already be a float NumPy array; it is
            returned as it is, never converted.

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
    >>> check_array([1.0, -0.5], "amplitudes", "K", low=0)
    Traceback (most recent call last):
    ...
    ValueError: amplitudes: expected values >= 0, got -0.5 at index (1,)
    >>> check_array([1, 2], "x", None, in_place=True)
    Traceback (most recent call last):
    ...
    TypeError: x: expected a float NumPy array (it is changed in place), got list
    """
    sizes = {} if sizes is None else sizes
    tokens = None if dims is None else _parse(dims)
    what = (
        "a numeric array" + ("" if tokens is None else f" of shape {_spec(tokens)}") + _hint(hint)
    )
    if in_place:
        if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
            raise TypeError(
                f"{name}: expected a float NumPy array (it is changed in place), got {type(x).__name__}"
                + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else "")
            )
        arr = x
    else:
        if isinstance(x, (str, bytes)) or x is None:
            raise TypeError(f"{name}: expected {what}, got {type(x).__name__}")
        try:
            arr = np.asarray(x)
        except Exception as exc:  # ragged nested lists and the like
            raise TypeError(f"{name}: expected {what}, got {type(x).__name__} ({exc})") from None
        if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            raise TypeError(f"{name}: expected {what}, got dtype {arr.dtype}")
    if tokens is not None:
        _check_shape(arr, name, tokens, sizes, hint)
    if not in_place and dtype is not None:
        arr = arr.astype(dtype, copy=False)
    elif not in_place and arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    if finite and not np.all(np.isfinite(arr)):
        where = _first(~np.isfinite(arr))
        raise ValueError(f"{name}: expected finite values, got {arr[where]} at index {where}")
    if low is not None and np.any(arr < low):
        where = _first(arr < low)
        raise ValueError(f"{name}: expected values >= {low:g}, got {arr[where]} at index {where}")
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


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _int_phrase(
    what: str,
    low: int | None,
    high: int | None,
    multiple_of: int | None,
    allow_none: bool,
    hint: str,
) -> str:
    if low in (0, 1) and high is None:
        phrase = f"a {'positive' if low == 1 else 'non-negative'} {what}"
    else:
        phrase = f"{_article(what)} {what}"
        if low is not None and high is not None:
            phrase += f" in {low}..{high}"
        elif low is not None:
            phrase += f" >= {low}"
        elif high is not None:
            phrase += f" <= {high}"
    if multiple_of is not None:
        phrase += f" divisible by {multiple_of}"
    return phrase + (" or None" if allow_none else "") + _hint(hint)


def check_int(
    value: object,
    name: str,
    *,
    low: int | None = None,
    high: int | None = None,
    multiple_of: int | None = None,
    what: str = "integer",
    hint: str = "",
    allow_none: bool = False,
) -> int | None:
    """Return ``value`` as an int, or raise if it is not an integer in ``low..high`` (both inclusive, both
    optional), divisible by ``multiple_of`` if given, or None when ``allow_none``.

    ``what`` names what the integer counts or indexes (``"time step"``, ``"hidden unit"``); ``hint`` says
    why the bounds are what they are. A bool or a float raises ``TypeError``, an integer out of range
    ``ValueError``. ``low=1`` alone reads "a positive integer", ``low=0`` alone "a non-negative integer".

    >>> check_int(4, "highlight", low=1, high=3, what="time step", allow_none=True)
    Traceback (most recent call last):
    ...
    ValueError: highlight: expected a time step in 1..3 or None, got 4
    >>> check_int(1, "n_symbols", low=2, hint="a symbol to copy and a blank")
    Traceback (most recent call last):
    ...
    ValueError: n_symbols: expected an integer >= 2 (a symbol to copy and a blank), got 1
    >>> check_int(6, "x", multiple_of=4, what="number of examples")
    Traceback (most recent call last):
    ...
    ValueError: x: expected a number of examples divisible by 4, got 6
    >>> check_int(2.0, "at", low=0, high=9, what="step")
    Traceback (most recent call last):
    ...
    TypeError: at: expected a step in 0..9, got float 2.0
    """
    if value is None and allow_none:
        return None
    expected = _int_phrase(what, low, high, multiple_of, allow_none, hint)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected {expected}, got {_got(value)}")
    number = int(value)
    if (
        (low is not None and number < low)
        or (high is not None and number > high)
        or (multiple_of is not None and number % multiple_of)
    ):
        raise ValueError(f"{name}: expected {expected}, got {value!r}")
    return number


def check_positive_int(value: object, name: str) -> int:
    """Return ``value`` as an int, or raise if it is not a positive integer.

    >>> check_positive_int(0, "units")
    Traceback (most recent call last):
    ...
    ValueError: units: expected a positive integer, got 0
    """
    return check_int(value, name, low=1)


def check_choice(value: object, name: str, choices: tuple, hint: str = "") -> object:
    """Raise unless ``value`` is one of ``choices``; ``hint`` says why only those (another argument).

    >>> check_choice("relu", "activation", ("tanh", "linear"))
    Traceback (most recent call last):
    ...
    ValueError: activation: expected one of ('tanh', 'linear'), got 'relu'
    >>> check_choice("gru", "cell", ("simple_rnn",), "the only cell with layer_norm=True")
    Traceback (most recent call last):
    ...
    ValueError: cell: expected one of ('simple_rnn',) (the only cell with layer_norm=True), got 'gru'
    """
    if value not in choices:
        raise ValueError(f"{name}: expected one of {choices}{_hint(hint)}, got {value!r}")
    return value


def check_default(value: object, name: str, default: object = None, *, why: str) -> object:
    """Raise ``ValueError`` unless ``value`` is still ``default``: for an argument that another argument
    makes meaningless (a mask for a one-output mapping, a learning rate for an uncompiled model).

    ``why`` names the other argument that rules this one out.

    >>> check_default(0.01, "learning_rate", why="used only with compile=True")
    Traceback (most recent call last):
    ...
    ValueError: learning_rate: expected None (used only with compile=True), got float 0.01
    >>> check_default(0.0, "recurrent_dropout", 0, why="layer_norm=True") == 0
    True
    """
    same = value is default
    if not same and not isinstance(value, np.ndarray):
        try:
            same = bool(value == default)
        except Exception:  # objects that do not compare to the default
            same = False
    if not same:
        raise ValueError(f"{name}: expected {default!r}{_hint(why)}, got {_got(value)}")
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


def _real(value: object) -> float | None:
    """``value`` as a float if it is a real number (0-D numeric arrays and tensors included), else None."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        return None
    if isinstance(value, numbers.Real):
        return float(value)
    if getattr(value, "ndim", None) == 0:
        try:
            arr = np.asarray(value)
        except Exception:
            return None
        if arr.ndim == 0 and arr.dtype.kind in "iuf":
            return float(arr)
    return None


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
    a number out of range (or NaN, or infinite) ``ValueError``. Python and NumPy reals are numbers, and
    so are 0-D numeric arrays and scalar tensors (a loss read from Keras); bools and strings are not.

    >>> check_number(0.0, "learning_rate", low=0, low_open=True)
    Traceback (most recent call last):
    ...
    ValueError: learning_rate: expected a finite number > 0, got 0.0
    >>> check_number("0.1", "rate")
    Traceback (most recent call last):
    ...
    TypeError: rate: expected a real number, got str '0.1'
    """
    number = _real(value)
    if number is None:
        raise TypeError(f"{name}: expected a real number, got {_got(value)}")
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

    A wrong type raises :class:`ArgumentTypeError` (``runtime.setup`` has always raised ``ValueError`` for
    any bad seed).

    >>> check_seed(-3)
    Traceback (most recent call last):
    ...
    ValueError: seed: expected a non-negative integer, got -3
    >>> check_seed(None, allow_none=True) is None
    True
    """
    try:
        return check_int(value, name, low=0, allow_none=allow_none)
    except TypeError as exc:  # a wrong type is also a ValueError here (ArgumentTypeError)
        raise ArgumentTypeError(str(exc)) from None


def check_sequence(
    value: object,
    name: str,
    *,
    what: str = "items",
    length: int | None = None,
    min_length: int = 0,
    hint: str = "",
) -> list:
    """Return ``value`` as a list after checking it is a list-like (a ``Sequence``, not a string) of
    ``length`` items, or of at least ``min_length``.

    ``what`` names the items (``"device names"``); ``hint`` says why that many (``"one per layer"``). A
    string, a NumPy array or anything else that is not a ``Sequence`` raises :class:`ArgumentTypeError`;
    a wrong length raises ``ValueError``.

    >>> check_sequence(["a"], "cell_colors", what="colours", length=2, hint="one per time step")
    Traceback (most recent call last):
    ...
    ValueError: cell_colors: expected 2 colours (one per time step), got 1
    >>> check_sequence((), "units", what="layer sizes", min_length=1)
    Traceback (most recent call last):
    ...
    ValueError: units: expected a non-empty list of layer sizes, got ()
    >>> try:
    ...     check_sequence("bisect", "modules", what="module names")
    ... except ArgumentTypeError as exc:  # a TypeError and a ValueError
    ...     print(exc)
    modules: expected a list of module names, got str 'bisect'
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise ArgumentTypeError(
            f"{name}: expected a list of {what}{_hint(hint)}, got {_got(value)}"
        )
    items = list(value)
    if length is not None and len(items) != length:
        raise ValueError(f"{name}: expected {length} {what}{_hint(hint)}, got {len(items)}")
    if len(items) < min_length:
        if min_length == 1:
            raise ValueError(
                f"{name}: expected a non-empty list of {what}{_hint(hint)}, got {value!r}"
            )
        raise ValueError(
            f"{name}: expected at least {min_length} {what}{_hint(hint)}, got {len(items)}"
        )
    return items


def check_length(
    value: object, name: str, *, low: int = 1, what: str = "item", hint: str = ""
) -> object:
    """Return ``value`` (anything with a length: a list, a dict, a string, an array) if it holds at
    least ``low`` items.

    For collections whose type is checked elsewhere, or does not matter (a dict of curves, a text, an
    array of ids), that must not be empty or too short. ``what`` names the items as the count reads:
    singular for ``low=1`` (``"curve"``), plural otherwise (``"characters"``); ``hint`` says why that
    many. A value without a length raises ``TypeError``, a short one ``ValueError``.

    >>> check_length({}, "histories", what="History")
    Traceback (most recent call last):
    ...
    ValueError: histories: expected at least one History, got none
    >>> check_length("ab", "text", low=4, what="characters", hint="n = 4")
    Traceback (most recent call last):
    ...
    ValueError: text: expected at least 4 characters (n = 4), got 2
    """
    try:
        n = len(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name}: expected a collection with a length, got {_got(value)}") from None
    if n < low:
        count = "one" if low == 1 else str(low)
        raise ValueError(
            f"{name}: expected at least {count} {what}{_hint(hint)}, got {n if n else 'none'}"
        )
    return value


def check_string(
    value: object, name: str, *, what: str = "a non-empty string", pattern: str = r".+"
) -> str:
    """Return ``value`` if it is a string matching ``pattern`` in full (by default: non-empty).

    ``what`` says in words what ``pattern`` accepts. A non-string raises ``TypeError``, a string that
    does not match ``ValueError``.

    >>> check_string("abc", "sha256", what="64 hexadecimal characters", pattern="[0-9a-fA-F]{64}")
    Traceback (most recent call last):
    ...
    ValueError: sha256: expected 64 hexadecimal characters, got 'abc'
    >>> check_string(b"abc", "prompt")
    Traceback (most recent call last):
    ...
    TypeError: prompt: expected a non-empty string, got bytes b'abc'
    """
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected {what}, got {_got(value)}")
    if re.fullmatch(pattern, value, flags=re.DOTALL) is None:
        raise ValueError(f"{name}: expected {what}, got {value!r}")
    return value


def check_same_shape(value: object, name: str, like: object, like_name: str) -> np.ndarray:
    """Return ``value`` as a NumPy array after checking it has the shape of ``like`` (any rank).

    For arguments whose shape is another argument's, or a result's, rather than one spelled in letters.

    >>> check_same_shape(np.zeros(2), "b", np.zeros(3), "a")
    Traceback (most recent call last):
    ...
    ValueError: b: expected shape (3,) (the shape of a), got (2,)
    """
    arr = np.asarray(value)
    shape = tuple(np.shape(like))
    if arr.shape != shape:
        raise ValueError(
            f"{name}: expected shape {shape} (the shape of {like_name}), got {arr.shape}"
        )
    return arr


def check_labels(
    x: object,
    name: str,
    n_classes: int | None,
    dims: str | None = None,
    sizes: MutableMapping[str, int] | None = None,
) -> np.ndarray:
    """Return ``x`` as an integer NumPy array of labels (class labels, token ids) in ``0..n_classes-1``,
    or of any integers when ``n_classes`` is None (no vocabulary size known yet).

    ``dims``/``sizes`` check the shape as :func:`check_array` does (None: any shape). A non-integer dtype
    raises ``TypeError``, a label out of range ``ValueError``.

    >>> check_labels(np.array([0, 3]), "ids", 3)
    Traceback (most recent call last):
    ...
    ValueError: ids: expected integer labels in 0..2, got values in 0..3
    >>> check_labels(np.array([0.0]), "y_true", 3)
    Traceback (most recent call last):
    ...
    TypeError: y_true: expected integer labels in 0..2, got dtype float64
    >>> check_labels([0.5, 1.5], "prompts", None)
    Traceback (most recent call last):
    ...
    TypeError: prompts: expected integer labels, got dtype float64
    """
    sizes = {} if sizes is None else sizes
    arr = np.asarray(x)
    expected = "integer labels" + ("" if n_classes is None else f" in 0..{n_classes - 1}")
    if not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name}: expected {expected}, got dtype {arr.dtype}")
    if dims is not None:
        _check_shape(arr, name, _parse(dims), sizes)
    if n_classes is not None and arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(f"{name}: expected {expected}, got values in {arr.min()}..{arr.max()}")
    return arr


def check_distribution(
    p: object, name: str, dims: str, sizes: MutableMapping[str, int] | None = None
) -> np.ndarray:
    """Return ``p`` as a float array of probability distributions along its last axis: non-negative
    rows that each sum to 1 (to ``np.isclose``'s tolerance).

    >>> check_distribution([[0.7, 0.7], [0.5, 0.5]], "table", "V,V")
    Traceback (most recent call last):
    ...
    ValueError: table: expected non-negative rows that each sum to 1, got a row summing to 1.4 at index (0,)
    """
    arr = check_array(p, name, dims, sizes, low=0)
    sums = arr.sum(axis=-1)
    bad = ~np.isclose(sums, 1.0)
    if np.any(bad):
        where = _first(bad)
        raise ValueError(
            f"{name}: expected non-negative rows that each sum to 1, got a row summing to "
            f"{sums[where]:g} at index {where}"
        )
    return arr


def _shown(value: object) -> str:
    return value.__name__ if callable(value) and hasattr(value, "__name__") else repr(value)


def check_setting(
    obj: object,
    name: str,
    setting: str,
    expected: object,
    hint: str = "",
    *,
    missing: object = None,
) -> object:
    """Return the setting ``setting`` of ``obj`` (an attribute, or a key of a mapping) if it equals
    ``expected``; raise ``ValueError`` otherwise. A setting ``obj`` lacks has the value ``missing``.

    For objects whose configuration must match: a Keras layer with the reference cells' activations, a
    layer that returns sequences. Functions are shown by their names.

    >>> class Layer:
    ...     activation = abs
    >>> check_setting(Layer(), "layer", "activation", round, "the reference cells' choice")
    Traceback (most recent call last):
    ...
    ValueError: layer: expected activation=round (the reference cells' choice), got activation=abs
    >>> check_setting(Layer(), "layer", "built", True)
    Traceback (most recent call last):
    ...
    ValueError: layer: expected built=True, got built=None
    """
    if isinstance(obj, Mapping):
        value = obj.get(setting, missing)
    else:
        value = getattr(obj, setting, missing)
    if not (value is expected or value == expected):
        raise ValueError(
            f"{name}: expected {setting}={_shown(expected)}{_hint(hint)}, "
            f"got {setting}={_shown(value)}"
        )
    return value


def check_keys(mapping: object, name: str, required: Sequence[str]) -> Mapping:
    """Return ``mapping`` if it is a mapping holding every key in ``required``.

    A missing key raises :class:`ArgumentTypeError`: a dict without the weights a layer needs is not a
    parameter dict at all, and its callers have promised ``TypeError`` (``deep``, ``longlag``) as well as
    ``ValueError`` (``reference``, ``training``) for one.

    >>> check_keys({"Wx": 1, "Wh": 2}, "params", ["Wx", "Wh", "b"])
    Traceback (most recent call last):
    ...
    course_utils.validation.ArgumentTypeError: params: expected a 'b' entry, got keys ['Wh', 'Wx']
    """
    check_instance(mapping, name, Mapping)
    for key in required:
        if key not in mapping:
            raise ArgumentTypeError(
                f"{name}: expected a {key!r} entry, got keys {sorted(mapping, key=str)}"
            )
    return mapping
