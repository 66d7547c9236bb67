"""Reading ``policy/markets/<market>.toml`` into a :class:`MarketConfig`.

The reader walks the declarations of ``sections.py``: every field is a key, every section a
table, and the field's type says how its value is written and converted. Keys the declarations
do not know, missing required keys and values of the wrong kind raise :class:`ConfigError`
naming the file and the dotted path (``kz.toml: lrp.change_notice_business_days: expected a
non-negative integer, got '3'``). Nothing here but reading the packaged files once per process.
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from importlib import resources
from types import MappingProxyType
from typing import Annotated, Any, get_args, get_origin

from policy.config.market import Market
from policy.config.sections import MarketConfig, NoneIs, OpeningHours, Rule


class ConfigError(ValueError):
    """A market data file is malformed; the message names the file and the key."""


def parse_config(market: Market, text: str, name: str) -> MarketConfig:
    """Build a :class:`MarketConfig` from TOML ``text``; ConfigError names a bad key."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: {exc}") from exc
    if data.get("market") != market.value:
        raise ConfigError(f"{name}: market must be {market.value!r}, got {data.get('market')!r}")
    reader = _Reader(name)
    values = reader.table_values(MarketConfig, data, "")
    config = reader.build(MarketConfig, values, "", sample_settings=frozenset(reader.samples))
    _check_zone(config, name)
    return config


@functools.cache
def load_market(market: Market) -> MarketConfig:
    """The packaged configuration of ``market``, read and checked once per process."""
    name = f"{market.value.lower()}.toml"
    text = resources.files("policy.markets").joinpath(name).read_text(encoding="utf-8")
    return parse_config(market, text, name)


def _check_zone(config: MarketConfig, name: str) -> None:
    try:
        config.zone  # noqa: B018 -- loading is the check
    except (ValueError, OSError, KeyError) as exc:
        raise ConfigError(f"{name}: timezone: unknown zone {config.timezone!r}") from exc


# --- scalars: how each is written, and its reader (None: not written that way) -------------


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _count(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return value if ok else None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return None
    amount = Decimal(value)
    return amount if amount.is_finite() and amount >= 0 else None


def _day(value: Any) -> date | None:
    return value if isinstance(value, date) and not isinstance(value, datetime) else None


def _clock(value: Any) -> time | None:
    try:
        moment = time.fromisoformat(value) if _text(value) else None
    except ValueError:
        return None
    # Local wall-clock times only: a zone offset would make comparisons fail.
    return moment if moment is not None and moment.tzinfo is None else None


def _hours(value: Any) -> OpeningHours | None:
    opens, sep, closes = value.partition("-") if isinstance(value, str) else ("", "", "")
    start, end = _clock(opens.strip()), _clock(closes.strip())
    # The constructor's own ValueError ("opens at or after it closes") names the problem.
    return OpeningHours(start, end) if sep and start and end else None


_SCALARS: Mapping[type, tuple[str, Callable[[Any], Any]]] = MappingProxyType(
    {
        str: ("a non-empty string", _text),
        int: ("a non-negative integer", _count),
        bool: ("true or false", _flag),
        Decimal: ("a non-negative number", _amount),
        date: ("a date (YYYY-MM-DD)", _day),
        time: ('a time "HH:MM"', _clock),
        OpeningHours: ('opening hours "HH:MM-HH:MM"', _hours),
    }
)


# --- the walk ------------------------------------------------------------------------------


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


def _unpack(hint: Any) -> tuple[Any, tuple[Any, ...]]:
    """``Annotated[X, *extras]`` as (X, extras); any other hint with no extras."""
    if get_origin(hint) is Annotated:
        base, *extras = get_args(hint)
        inner, more = _unpack(base)
        return inner, (*more, *extras)
    return hint, ()


def _is_table_type(hint: Any) -> bool:
    return isinstance(hint, type) and (
        dataclasses.is_dataclass(hint) or (issubclass(hint, tuple) and hasattr(hint, "_fields"))
    )


def _keys(cls: type) -> dict[str, bool]:
    """The keys of a table type, each with whether it may be left out."""
    if dataclasses.is_dataclass(cls):
        return {
            item.name: item.default is not dataclasses.MISSING
            or item.default_factory is not dataclasses.MISSING
            for item in dataclasses.fields(cls)
            if item.init and item.metadata.get("in_file", True)  # see sections.NOT_IN_FILE
        }
    defaults = cls._field_defaults  # type: ignore[attr-defined]
    return {name: name in defaults for name in cls._fields}  # type: ignore[attr-defined]


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Reader:
    """One file's walk: converts values and notes the paths of sample settings."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.samples: set[str] = set()

    def fail(self, path: str, message: str) -> ConfigError:
        return ConfigError(f"{self.name}: {path}: {message}" if path else f"{self.name}: {message}")

    def table_values(self, cls: type, table: Any, path: str) -> dict[str, Any]:
        if not isinstance(table, dict):
            raise self.fail(path, f"expected a table, got {table!r}")
        keys, hints = _keys(cls), _hints(cls)
        for key in table:
            if key not in keys:
                known = ", ".join(keys)
                raise self.fail(_at(path, key), f"unknown key (known here: {known})")
        values: dict[str, Any] = {}
        for key, optional in keys.items():
            where = _at(path, key)
            if key in table:
                values[key] = self.value(hints[key], self.unwrap(table[key], where), where)
            elif _is_table_type(_unpack(hints[key])[0]):
                values[key] = self.value(hints[key], {}, where)  # an absent table is empty
            elif not optional:
                raise self.fail(where, "missing")
        return values

    def build(self, cls: type, values: dict[str, Any], path: str, **extra: Any) -> Any:
        try:
            return cls(**values, **extra)
        except ValueError as exc:  # a check of the type itself
            raise self.fail(path, str(exc)) from exc

    def unwrap(self, raw: Any, path: str) -> Any:
        """``{ value = ..., sample = true }`` as its value, noting ``path`` as a sample."""
        if not (isinstance(raw, dict) and set(raw) == {"value", "sample"}):
            return raw
        if not isinstance(raw["sample"], bool):
            raise self.fail(_at(path, "sample"), f"expected true or false, got {raw['sample']!r}")
        if "[" in path:
            raise self.fail(path, "only a setting can be a sample, not an item of a list")
        if raw["sample"]:
            self.samples.add(path)
        return raw["value"]

    def value(self, hint: Any, raw: Any, path: str, none_word: str | None = None) -> Any:
        """``raw`` read as ``hint``; ``none_word`` is inherited from an enclosing ``X | None``."""
        base, extras = _unpack(hint)
        words = [extra.word for extra in extras if isinstance(extra, NoneIs)]
        none_word = words[0] if words else none_word
        if none_word is not None and raw == none_word:
            return None
        result = self.convert(base, raw, path, none_word)
        for rule in (extra for extra in extras if isinstance(extra, Rule)):
            if not rule.holds(result):
                raise self.fail(path, f"expected {rule.expected}, got {raw!r}")
        return result

    def convert(self, base: Any, raw: Any, path: str, none_word: str | None) -> Any:
        origin, args = get_origin(base), get_args(base)
        if origin in (typing.Union, types.UnionType):
            present = [arg for arg in args if arg is not type(None)]
            if len(present) != 1:
                raise TypeError(f"{path}: only X | None unions are supported, got {base!r}")
            return self.value(present[0], raw, path, none_word)
        if base in _SCALARS:  # before tables: opening hours are a dataclass written as text
            return self.scalar(base, raw, path, none_word)
        if _is_table_type(base):
            return self.build(base, self.table_values(base, raw, path), path)
        if origin is tuple and args[-1:] == (Ellipsis,):
            return tuple(self.items(args[0], raw, path))
        if origin is tuple:
            items = self.array(raw, path)
            if len(items) != len(args):
                raise self.fail(path, f"expected {len(args)} items, got {raw!r}")
            return tuple(
                self.value(a, item, f"{path}[{i}]")
                for i, (a, item) in enumerate(zip(args, items, strict=True))
            )
        if origin is frozenset:
            return frozenset(self.items(args[0], raw, path))
        if origin is Mapping:
            if not isinstance(raw, dict):
                raise self.fail(path, f"expected a table, got {raw!r}")
            return MappingProxyType(
                {key: self.value(args[1], item, _at(path, key)) for key, item in raw.items()}
            )
        if isinstance(base, type) and issubclass(base, Enum):
            return self.enum(base, raw, path)
        raise TypeError(f"{path}: no reader for {base!r}")

    def array(self, raw: Any, path: str) -> list[Any]:
        if not isinstance(raw, list):
            raise self.fail(path, f"expected an array, got {raw!r}")
        return raw

    def items(self, hint: Any, raw: Any, path: str) -> list[Any]:
        return [
            self.value(hint, item, f"{path}[{i}]") for i, item in enumerate(self.array(raw, path))
        ]

    def enum(self, cls: type[Enum], raw: Any, path: str) -> Enum:
        try:
            return cls(raw)
        except ValueError as exc:
            names = ", ".join(str(member.value) for member in cls)
            raise self.fail(path, f"expected one of {names}, got {raw!r}") from exc

    def scalar(self, base: Any, raw: Any, path: str, none_word: str | None) -> Any:
        expected, read = _SCALARS[base]
        try:
            result = read(raw)
        except ValueError as exc:
            raise self.fail(path, f"{exc}, got {raw!r}") from exc
        if result is None:
            alternative = f' or "{none_word}"' if none_word else ""
            raise self.fail(path, f"expected {expected}{alternative}, got {raw!r}")
        return result
