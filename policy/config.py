"""Markets and their data: the ``Market`` enum and the frozen ``MarketConfig``.

Every figure the flows show a customer (fees, hours, contacts, links, dates) lives in
``policy/markets/<market>.toml`` so an operator can change it without touching code. The files
are read once per process (``functools.cache``); nothing here reads a clock or mutates state.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from policy._tz import load_zone


class Market(StrEnum):
    """A market the bot serves. Functions also accept the plain strings "KR" / "KZ"."""

    KR = "KR"
    KZ = "KZ"


def parse_market(market: Market | str) -> Market:
    """``market`` as a :class:`Market`; case and surrounding spaces are ignored.

    Raises ValueError for anything that is not KR or KZ.
    """
    if isinstance(market, Market):
        return market
    if isinstance(market, str):
        # A dict look-up: Enum's own call costs more, and every reply asks a few times.
        found = _MARKETS.get(market) or _MARKETS.get(market.strip().upper())
        if found is not None:
            return found
    raise ValueError(f"unknown market {market!r}; expected one of {', '.join(Market)}")


_MARKETS = MappingProxyType({market.value: market for market in Market})


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """Opening hours on one day, local wall-clock time; ``closes`` is exclusive."""

    opens: time
    closes: time

    def contains(self, moment: time) -> bool:
        return self.opens <= moment < self.closes


# Indexed by ``date.weekday()`` (Monday = 0); ``None`` means closed all day.
WeeklyHours = tuple[OpeningHours | None, ...]


@dataclass(frozen=True, slots=True)
class MigrationStep:
    """One step of the account move to Kazakhstan (R-KZ-MIG-1), with its exact UI texts."""

    number: int
    key: str
    url: str | None
    buttons: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class MarketConfig:
    """Everything the flows show a customer for one market.

    ``None`` (or an empty tuple) means the source documents say nothing about it: the bot must
    say it does not know and offer support. Names in ``sample_settings`` hold placeholder values
    that are not from the sources either (see :meth:`is_sample`).
    """

    market: Market
    currency: str
    currency_minor_units: int
    timezone: str
    holiday_country: str
    default_locale: str
    locales: tuple[str, ...]
    website: str | None
    # Membership (R-KR-MEM-1..3)
    registration_channels: tuple[str, ...]
    ipc_documents: tuple[str, ...]
    preferred_member_documents: tuple[str, ...]
    ipc_renewal_period_months: int | None
    ipc_renewal_fee_cap: Decimal | None
    # Ordering (R-KR-ORD-1..7)
    order_channels: tuple[str, ...]
    always_open_order_channels: tuple[str, ...]
    quick_orders_processed_in_sequence: bool
    order_month_closes_on_last_business_day: bool
    kakao_channel: str | None
    kakao_menu_button: str | None
    business_center_address: str | None
    business_center_hours: WeeklyHours | None
    business_center_delivery_business_days: int | None
    # Support (R-KR-ORD-6, R-KZ-SUP-1)
    support_phones: tuple[str, ...]
    support_email: str | None
    support_hours: WeeklyHours
    support_closed_on_public_holidays: bool
    # Payment (R-KR-PAY-1..3, R-KR-ORD-4, R-KZ-MIG-6)
    card_issuer_countries: frozenset[str] | None  # None: cards of any issuer country
    certificate_threshold: Decimal | None
    bank_transfer_days: int | None
    bank_account: str | None
    payment_methods_by_channel: Mapping[str, tuple[str, ...]]
    # Shipping (R-KR-SHIP-1..4, R-KZ-MIG-6)
    shipping_fee: Decimal
    free_shipping_threshold: Decimal | None
    card_cutoff: time | None
    bank_transfer_cutoff: time | None
    delivery_business_days_before_cutoff: tuple[int, int] | None
    delivery_business_days_after_cutoff: tuple[int, int] | None
    delivery_calendar_days: tuple[int, int] | None
    warehouse_city: str | None
    # LRP (R-KR-LRP-1..4)
    lrp_application_channels: tuple[str, ...]
    lrp_same_payer_channels: tuple[str, ...]
    lrp_change_notice_business_days: int | None
    lrp_point_rate: Decimal | None
    # Returns (R-KR-RET-1..4)
    consumer_returns_handled_by: str | None
    consumer_withdrawal_days: int | None
    member_return_fee_tiers: tuple[tuple[int, Decimal], ...]  # (up to N months, fee rate)
    refund_business_days: int | None
    card_refund_visible_business_days: tuple[int, int] | None
    return_documents: tuple[str, ...]
    return_address: str | None
    # Moving to the Kazakhstan market (R-KZ-MIG-1..8)
    migration_steps: tuple[MigrationStep, ...]
    migration_ar_limit_usd: Decimal | None
    migration_deadline: date | None
    russia_delivery_end: date | None
    migration_form_fields_cyrillic: bool
    virtual_office_shop_tab: str | None
    gac_orders_via_support: bool
    other_market_lrp_templates_deleted_by_support: bool
    migration_after_steps: tuple[str, ...]
    commission_contract_party: str | None
    commission_statuses: tuple[str, ...]
    sample_settings: frozenset[str]

    @property
    def zone(self) -> ZoneInfo:
        return load_zone(self.timezone)

    def is_sample(self, field: str) -> bool:
        """True when ``field`` holds a placeholder, not a value from the source documents."""
        return field in self.sample_settings


def market_config(market: Market | str) -> MarketConfig:
    """The configuration of ``market`` (ValueError if unknown), loaded once per process."""
    return _load(parse_market(market))


def currency(market: Market | str) -> str:
    """ISO 4217 code of the market currency ("KRW", "KZT")."""
    return market_config(market).currency


# --- loading -------------------------------------------------------------------------------

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_Converter = Callable[[Any, str], Any]


class ConfigError(ValueError):
    """A market data file is malformed; the message names the file and the key."""


class _Source:
    """Reads dotted keys from one parsed TOML file and notes which values are samples."""

    def __init__(self, name: str, data: Mapping[str, Any]) -> None:
        self.name = name
        self._data = data
        self.samples: set[str] = set()

    def get(self, path: str, field: str) -> Any:
        node: Any = self._data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        if isinstance(node, dict) and set(node) == {"value", "sample"}:
            if node["sample"] is True:
                self.samples.add(field)
            return node["value"]
        return node


def _fail(where: str, message: str) -> ConfigError:
    return ConfigError(f"{where}: {message}")


def _required(convert: _Converter) -> _Converter:
    def wrapped(value: Any, where: str) -> Any:
        if value is None:
            raise _fail(where, "missing")
        return convert(value, where)

    return wrapped


def _optional(convert: _Converter) -> _Converter:
    def wrapped(value: Any, where: str) -> Any:
        return None if value is None else convert(value, where)

    return wrapped


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"expected a non-empty string, got {value!r}")
    return value


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(where, f"expected a non-negative integer, got {value!r}")
    return value


def _decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise _fail(where, f"expected a number, got {value!r}")
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0:
        raise _fail(where, f"expected a non-negative number, got {value!r}")
    return amount


def _flag(value: Any, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _fail(where, f"expected true or false, got {value!r}")
    return value


def _strs(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(where, f"expected a list of strings, got {value!r}")
    return tuple(_str(item, where) for item in value)


def _pair(value: Any, where: str) -> tuple[int, int]:
    if not isinstance(value, list) or len(value) != 2:
        raise _fail(where, f"expected [low, high], got {value!r}")
    low, high = (_int(item, where) for item in value)
    if low > high:
        raise _fail(where, f"low {low} is above high {high}")
    return low, high


def _time(value: Any, where: str) -> time:
    try:
        return time.fromisoformat(_str(value, where))
    except ValueError as exc:
        raise _fail(where, f"expected HH:MM, got {value!r}") from exc


def _date(value: Any, where: str) -> date:
    if not isinstance(value, date):
        raise _fail(where, f"expected a TOML date (YYYY-MM-DD), got {value!r}")
    return value


def _day_hours(value: Any, where: str) -> OpeningHours | None:
    text = _str(value, where).strip()
    if text == "closed":
        return None
    opens, sep, closes = text.partition("-")
    if not sep:
        raise _fail(where, f"expected 'HH:MM-HH:MM' or 'closed', got {value!r}")
    hours = OpeningHours(_time(opens.strip(), where), _time(closes.strip(), where))
    if hours.opens >= hours.closes:
        raise _fail(where, f"opens at or after it closes: {value!r}")
    return hours


def _weekly(value: Any, where: str) -> WeeklyHours:
    # Every weekday must be listed so a forgotten day cannot silently read as "closed".
    if not isinstance(value, dict) or set(value) != set(_WEEKDAYS):
        raise _fail(where, f"expected keys {', '.join(_WEEKDAYS)}")
    return tuple(_day_hours(value[day], f"{where}.{day}") for day in _WEEKDAYS)


def _countries(value: Any, where: str) -> frozenset[str] | None:
    if value == "any":
        return None
    codes = frozenset(code.upper() for code in _strs(value, where))
    if not codes or any(len(code) != 2 or not code.isalpha() for code in codes):
        raise _fail(where, f'expected "any" or ISO alpha-2 codes, got {value!r}')
    return codes


def _methods(value: Any, where: str) -> Mapping[str, tuple[str, ...]]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, dict):
        raise _fail(where, "expected a table of channel = [methods]")
    return MappingProxyType({k: _strs(v, f"{where}.{k}") for k, v in value.items()})


def _fee_tiers(value: Any, where: str) -> tuple[tuple[int, Decimal], ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise _fail(where, "expected an array of tables")
    tiers = tuple(
        (_int(t.get("up_to_months"), where), _decimal(t.get("fee_rate"), where)) for t in value
    )
    months = [m for m, _ in tiers]
    if months != sorted(set(months)) or any(rate > 1 for _, rate in tiers):
        raise _fail(where, "tiers must rise in months, with fee rates between 0 and 1")
    return tiers


def _steps(value: Any, where: str) -> tuple[MigrationStep, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(s, dict) for s in value):
        raise _fail(where, "expected an array of tables")
    return tuple(
        MigrationStep(
            number=number,
            key=_str(step.get("key"), where),
            url=_optional(_str)(step.get("url"), where),
            buttons=_strs(step.get("buttons"), where),
        )
        for number, step in enumerate(value, start=1)
    )


_REQ_STR = _required(_str)
_OPT_STR = _optional(_str)
_OPT_INT = _optional(_int)
_OPT_DEC = _optional(_decimal)
_OPT_PAIR = _optional(_pair)
_OPT_TIME = _optional(_time)
_OPT_DATE = _optional(_date)

# MarketConfig field -> (dotted TOML key, converter).
_FIELDS: Mapping[str, tuple[str, _Converter]] = MappingProxyType(
    {
        "currency": ("currency", _REQ_STR),
        "currency_minor_units": ("currency_minor_units", _required(_int)),
        "timezone": ("timezone", _REQ_STR),
        "holiday_country": ("holiday_country", _REQ_STR),
        "default_locale": ("default_locale", _REQ_STR),
        "locales": ("locales", _strs),
        "website": ("website", _OPT_STR),
        "registration_channels": ("membership.registration_channels", _strs),
        "ipc_documents": ("membership.ipc_documents", _strs),
        "preferred_member_documents": ("membership.preferred_member_documents", _strs),
        "ipc_renewal_period_months": ("membership.renewal_period_months", _OPT_INT),
        "ipc_renewal_fee_cap": ("membership.renewal_fee_cap", _OPT_DEC),
        "order_channels": ("ordering.channels", _strs),
        "always_open_order_channels": ("ordering.always_open_channels", _strs),
        "quick_orders_processed_in_sequence": (
            "ordering.quick_orders_processed_in_sequence",
            _flag,
        ),
        "order_month_closes_on_last_business_day": (
            "ordering.month_closes_on_last_business_day",
            _flag,
        ),
        "kakao_channel": ("ordering.kakao_channel", _OPT_STR),
        "kakao_menu_button": ("ordering.kakao_menu_button", _OPT_STR),
        "business_center_address": ("business_center.address", _OPT_STR),
        "business_center_hours": ("business_center.hours", _optional(_weekly)),
        "business_center_delivery_business_days": (
            "business_center.delivery_business_days",
            _OPT_INT,
        ),
        "support_phones": ("support.phones", _strs),
        "support_email": ("support.email", _OPT_STR),
        "support_hours": ("support.hours", _required(_weekly)),
        "support_closed_on_public_holidays": ("support.closed_on_public_holidays", _flag),
        "card_issuer_countries": ("payment.card_issuer_countries", _required(_countries)),
        "certificate_threshold": ("payment.certificate_threshold", _OPT_DEC),
        "bank_transfer_days": ("payment.bank_transfer_days", _OPT_INT),
        "bank_account": ("payment.bank_account", _OPT_STR),
        "payment_methods_by_channel": ("payment.methods_by_channel", _methods),
        "shipping_fee": ("shipping.fee", _required(_decimal)),
        "free_shipping_threshold": ("shipping.free_threshold", _OPT_DEC),
        "card_cutoff": ("shipping.card_cutoff", _OPT_TIME),
        "bank_transfer_cutoff": ("shipping.bank_transfer_cutoff", _OPT_TIME),
        "delivery_business_days_before_cutoff": (
            "shipping.business_days_before_cutoff",
            _OPT_PAIR,
        ),
        "delivery_business_days_after_cutoff": ("shipping.business_days_after_cutoff", _OPT_PAIR),
        "delivery_calendar_days": ("shipping.calendar_days", _OPT_PAIR),
        "warehouse_city": ("shipping.warehouse_city", _OPT_STR),
        "lrp_application_channels": ("lrp.application_channels", _strs),
        "lrp_same_payer_channels": ("lrp.same_payer_channels", _strs),
        "lrp_change_notice_business_days": ("lrp.change_notice_business_days", _OPT_INT),
        "lrp_point_rate": ("lrp.point_rate", _OPT_DEC),
        "consumer_returns_handled_by": ("returns.consumer_handled_by", _OPT_STR),
        "consumer_withdrawal_days": ("returns.consumer_withdrawal_days", _OPT_INT),
        "member_return_fee_tiers": ("returns.member_fee_tiers", _fee_tiers),
        "refund_business_days": ("returns.refund_business_days", _OPT_INT),
        "card_refund_visible_business_days": (
            "returns.card_refund_visible_business_days",
            _OPT_PAIR,
        ),
        "return_documents": ("returns.documents", _strs),
        "return_address": ("returns.address", _OPT_STR),
        "migration_steps": ("migration.steps", _steps),
        "migration_ar_limit_usd": ("migration.ar_limit_usd", _OPT_DEC),
        "migration_deadline": ("migration.deadline", _OPT_DATE),
        "russia_delivery_end": ("migration.russia_delivery_end", _OPT_DATE),
        "migration_form_fields_cyrillic": ("migration.form_fields_cyrillic", _flag),
        "virtual_office_shop_tab": ("migration.virtual_office_shop_tab", _OPT_STR),
        "gac_orders_via_support": ("migration.gac_orders_via_support", _flag),
        "other_market_lrp_templates_deleted_by_support": (
            "migration.other_market_lrp_templates_deleted_by_support",
            _flag,
        ),
        "migration_after_steps": ("migration.after_steps", _strs),
        "commission_contract_party": ("migration.commission_contract_party", _OPT_STR),
        "commission_statuses": ("migration.commission_statuses", _strs),
    }
)


def parse_config(market: Market, text: str, name: str) -> MarketConfig:
    """Build a :class:`MarketConfig` from TOML ``text``; ConfigError names a bad key."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: {exc}") from exc
    if data.get("market") != market.value:
        raise ConfigError(f"{name}: market must be {market.value!r}, got {data.get('market')!r}")
    source = _Source(name, data)
    values = {
        field: convert(source.get(path, field), f"{name}: {path}")
        for field, (path, convert) in _FIELDS.items()
    }
    config = MarketConfig(market=market, sample_settings=frozenset(source.samples), **values)
    _check_zone(config, name)
    return config


def _check_zone(config: MarketConfig, name: str) -> None:
    try:
        config.zone  # noqa: B018 -- loading is the check
    except (ValueError, OSError, KeyError) as exc:
        raise ConfigError(f"{name}: timezone: unknown zone {config.timezone!r}") from exc


@functools.cache
def _load(market: Market) -> MarketConfig:
    name = f"{market.value.lower()}.toml"
    text = resources.files("policy.markets").joinpath(name).read_text(encoding="utf-8")
    return parse_config(market, text, name)
