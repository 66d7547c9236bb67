"""One codec for button action tokens: a small class per family, a prefix and typed fields.

    class Qty(Action, prefix="qo:q"):
        n: Annotated[int, Range(0, 99)]

    Qty(n=3).pack()          -> "qo:q:3"   (ValueError if a field or the 64-byte limit fails)
    parse("qo:q:3")          -> Qty(n=3)   (any family; None for stale, foreign or forged data)
    Qty.parse("qo:q:3")      -> Qty(n=3)   (this family only)
    Qty(n=3).button("3")     -> Button("3", "qo:q:3")

A token is the family's prefix (words joined by ":") followed by the fields, joined by the
family's separator (":" unless the family says otherwise). Trailing fields that have a default
are left out while they hold it. Field types: `int` (ASCII digits, 0..2**53 unless a `Range`
says otherwise), `str` (printable, no spaces, no ":" nor the separator; `Pattern` and `OneOf`
narrow it), `Literal[...]` and `Enum` subclasses (choices). Parsing never raises: anything
that is not exactly what `pack` would have written is None. Telegram carries the packed token
as callback data, so every token fits in 64 bytes of UTF-8; the limit is checked here only.

A prefix extending another family's prefix is refused when the shorter family has fields
(`qo:cancel` and `qo:cancel:yes` may both exist, `qo:m` with a field and `qo:m:x` may not),
so that a token belongs to at most one family.
"""

from __future__ import annotations

import enum
import re
import typing
from collections.abc import Callable
from dataclasses import MISSING, dataclass, fields
from typing import Annotated, Any, ClassVar, Literal, Self, dataclass_transform, get_args

from core.types import Button

# Telegram's callback_data limit; every transport lives with the strictest one.
MAX_ACTION_BYTES = 64
# The largest int a field takes unless it says otherwise: exact in JSON and JavaScript, far
# inside SQLite's and PostgreSQL's bigint, so a forged id never overflows a query.
MAX_INT = 2**53
SEP = ":"

_WORD = re.compile(r"[A-Za-z0-9_-]+")
_DIGITS = re.compile(r"0|[1-9][0-9]*")  # ASCII only, canonical: "²", "٣", "03", "+3" are not
_NO_SPACE = re.compile(r"\S+")


def fits(token: object) -> bool:
    """True for a string that is valid UTF-8 (no lone surrogates) of 1..64 bytes."""
    if not isinstance(token, str) or not token or len(token) > MAX_ACTION_BYTES:
        return False
    try:
        return len(token.encode()) <= MAX_ACTION_BYTES
    except UnicodeEncodeError:
        return False


# -- field constraints, for `Annotated[...]` -----------------------------------------------


@dataclass(frozen=True, slots=True)
class Range:
    """An int field's bounds, both included."""

    low: int = 0
    high: int = MAX_INT

    def __post_init__(self) -> None:
        if not 0 <= self.low <= self.high <= MAX_INT:
            raise ValueError(f"Range must lie within 0..{MAX_INT}: {self}")


@dataclass(frozen=True, slots=True)
class Pattern:
    """A str field must match this regular expression in full."""

    regex: str


class OneOf:
    """A str field takes one of these values (choices known at run time, e.g. LANGUAGES)."""

    __slots__ = ("values",)

    def __init__(self, *values: str) -> None:
        self.values = frozenset(values)


# -- one field: how a value is written and read back -----------------------------------------

_BAD = object()  # a value that does not decode


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    decode: Callable[[str], Any]  # text -> value, or _BAD
    encode: Callable[[Any], str | None]  # value -> text, or None when it is not a valid value
    default: Any


def _text_ok(text: str, sep: str) -> bool:
    return (
        _NO_SPACE.fullmatch(text) is not None
        and text.isprintable()
        and SEP not in text
        and sep not in text
        and fits(text)
    )


def _int_field(name: str, bounds: Range, default: Any) -> _Field:
    def decode(text: str) -> Any:
        if len(text) > 16 or not _DIGITS.fullmatch(text):
            return _BAD
        value = int(text)
        return value if bounds.low <= value <= bounds.high else _BAD

    def encode(value: Any) -> str | None:
        ok = type(value) is int and bounds.low <= value <= bounds.high
        return str(value) if ok else None

    return _Field(name, decode, encode, default)


def _str_field(name: str, sep: str, check: Callable[[str], bool], default: Any) -> _Field:
    def decode(text: str) -> Any:
        return text if _text_ok(text, sep) and check(text) else _BAD

    def encode(value: Any) -> str | None:
        return value if isinstance(value, str) and decode(value) is not _BAD else None

    return _Field(name, decode, encode, default)


def _choice_field(name: str, sep: str, choices: dict[str, Any], default: Any) -> _Field:
    for text in choices:
        if not _text_ok(text, sep):
            raise ValueError(f"choice {text!r} of {name} cannot be packed")
    reverse = {value: text for text, value in choices.items()}

    def decode(text: str) -> Any:
        return choices.get(text, _BAD)

    def encode(value: Any) -> str | None:
        try:
            return reverse.get(value)
        except TypeError:  # unhashable
            return None

    return _Field(name, decode, encode, default)


def _field(name: str, hint: Any, sep: str, default: Any) -> _Field:
    """The codec of one annotated field."""
    base, extras = hint, ()
    if typing.get_origin(hint) is Annotated:
        base, *rest = get_args(hint)
        extras = tuple(rest)
    if base is int:
        bounds = next((e for e in extras if isinstance(e, Range)), Range())
        return _int_field(name, bounds, default)
    if base is str:
        checks: list[Callable[[str], bool]] = []
        for extra in extras:
            if isinstance(extra, Pattern):
                checks.append(re.compile(extra.regex).fullmatch)
            elif isinstance(extra, OneOf):
                checks.append(extra.values.__contains__)
        return _str_field(name, sep, lambda text: all(check(text) for check in checks), default)
    if typing.get_origin(base) is Literal:
        return _choice_field(name, sep, {str(v): v for v in get_args(base)}, default)
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return _choice_field(name, sep, {str(m.value): m for m in base}, default)
    raise TypeError(f"field {name}: {hint!r} cannot be packed (int, str, Literal or Enum)")


# -- the families --------------------------------------------------------------------------

_FAMILIES: dict[str, type[Action]] = {}


def _register(family: type[Action]) -> None:
    prefix = family.prefix
    if not all(_WORD.fullmatch(word) for word in prefix.split(SEP)):
        raise ValueError(f"{family.__name__}: prefix {prefix!r} must be words joined by ':'")
    if prefix in _FAMILIES:
        raise ValueError(f"{family.__name__}: prefix {prefix!r} is {_FAMILIES[prefix]}'s")
    for other, known in _FAMILIES.items():
        shorter, longer = (known, family) if len(other) < len(prefix) else (family, known)
        if longer.prefix.startswith(shorter.prefix + SEP) and shorter._fields:
            raise ValueError(
                f"{longer.__name__}'s prefix {longer.prefix!r} extends that of "
                f"{shorter.__name__}, which has fields: a token could be either"
            )
    _FAMILIES[prefix] = family


@dataclass_transform(frozen_default=True)
class Action:
    """A family of button tokens. Subclass with `prefix=` (and `sep=`); annotate the fields."""

    prefix: ClassVar[str]
    sep: ClassVar[str]
    _fields: ClassVar[tuple[_Field, ...]]
    _required: ClassVar[int]

    def __init_subclass__(cls, *, prefix: str, sep: str = SEP, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if len(sep) != 1 or sep.isspace() or _WORD.fullmatch(sep):
            raise ValueError(f"{cls.__name__}: separator {sep!r} must be one punctuation mark")
        cls.prefix, cls.sep = prefix, sep
        dataclass(frozen=True)(cls)
        hints = typing.get_type_hints(cls, include_extras=True)
        cls._fields = tuple(_field(f.name, hints[f.name], sep, f.default) for f in fields(cls))
        cls._required = sum(1 for f in cls._fields if f.default is MISSING)
        _register(cls)

    def pack(self) -> str:
        """The token; ValueError when a field's value cannot be written or it exceeds 64 bytes."""
        values = [getattr(self, spec.name) for spec in self._fields]
        # Trailing fields that hold their default are left out ("menu:quick_order").
        keep = len(values)
        while keep > self._required and values[keep - 1] == self._fields[keep - 1].default:
            keep -= 1
        token = self.prefix
        for index, (spec, value) in enumerate(zip(self._fields[:keep], values, strict=False)):
            text = spec.encode(value)
            if text is None:
                raise ValueError(f"{type(self).__name__}.{spec.name}: cannot pack {self!r}")
            token += (SEP if index == 0 else self.sep) + text
        if not fits(token):
            raise ValueError(f"action token over {MAX_ACTION_BYTES} bytes: {token!r}")
        return token

    def button(self, label: str) -> Button:
        return Button(label, self.pack())

    @classmethod
    def parse(cls, token: object) -> Self | None:
        """This family's instance from `token`, or None."""
        found = parse(token)
        return found if isinstance(found, cls) else None

    @classmethod
    def _decode(cls, rest: str | None) -> Action | None:
        texts = [] if rest is None else rest.split(cls.sep)
        if not cls._required <= len(texts) <= len(cls._fields):
            return None
        values = {}
        for spec, text in zip(cls._fields, texts, strict=False):
            value = spec.decode(text)
            if value is _BAD:
                return None
            values[spec.name] = value
        if len(texts) > cls._required and value == spec.default:
            return None  # pack() leaves a trailing default out: this was not written by us
        return cls(**values)


def parse(token: object) -> Action | None:
    """The action a token stands for; None for anything a family of ours would not pack."""
    if not fits(token):
        return None
    assert isinstance(token, str)
    head, rest = token, None
    while True:
        family = _FAMILIES.get(head)
        if family is not None:
            return family._decode(rest)
        head, sep, tail = head.rpartition(SEP)
        if not sep:
            return None
        rest = tail if rest is None else tail + SEP + rest


# -- the buttons that mean the same in every state -------------------------------------------


class ToMenu(Action, prefix="nav:menu"):
    """Back to the main menu."""


class OpenSupport(Action, prefix="sup:open"):
    """Talk to a person (offered after repeated misunderstandings)."""


class MenuChoice(Action, prefix="menu"):
    """A main menu entry: open `flow`, handing it `args`."""

    flow: str
    args: str = ""


class ReturnOrder(Action, prefix="return"):
    """Return goods of this order (on an order's detail): the returns flow takes it."""

    id: int
