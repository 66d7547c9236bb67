"""The market configuration as nested sections: one frozen dataclass per topic.

``MarketConfig`` holds what concerns the whole market (currency, zone, locales) and one section
per topic of the source documents. Each section is a table of ``policy/markets/<market>.toml``
and each of its fields a key of that table under the same name, so the key
``change_notice_business_days`` of ``[lrp]`` is ``config.lrp.change_notice_business_days``.
The loader (``load.py``) reads the files by walking these declarations: a new setting is a
field here and a key in the files, nothing else.

How a declaration reads in the files:

- a field without a default must be there; a missing table counts as an empty one;
- ``X | None = None``: left out when the sources say nothing, and the bot then says it does
  not know and offers support; ``tuple[...] = ()`` and ``bool = False`` likewise;
- ``Annotated[..., NoneIs("any")]``: the word that stands for None (TOML has no null);
- ``Annotated[..., Rule(...)]``: a check the value must pass;
- a dataclass or ``NamedTuple`` is a table of its fields (opening hours excepted: text,
  "HH:MM-HH:MM"), a tuple or frozenset an array, ``Mapping[str, X]`` a table of X; times are
  "HH:MM" text, dates TOML dates; numbers are never negative.

Any single setting may be written ``{ value = ..., sample = true }``: a placeholder that is not
from the sources, reported by :meth:`MarketConfig.is_sample` under its dotted path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from types import MappingProxyType
from typing import Annotated, Any, NamedTuple
from zoneinfo import ZoneInfo

from policy._tz import load_zone
from policy.config.market import Market

# --- how values are written ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NoneIs:
    """In the files, ``word`` stands for None ("any" issuer country, "closed" all day)."""

    word: str


@dataclass(frozen=True, slots=True)
class Rule:
    """A check a loaded value must pass; ``expected`` ends the error's "expected ..."."""

    holds: Callable[[Any], bool]
    expected: str


# Field metadata of values the loader computes instead of reading them from the file.
NOT_IN_FILE: Mapping[str, bool] = MappingProxyType({"in_file": False})


# --- value types ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """Opening hours on one day, local wall-clock time; ``closes`` is exclusive.

    Written "HH:MM-HH:MM" in the files.
    """

    opens: time
    closes: time

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError("opens at or after it closes")

    def contains(self, moment: time) -> bool:
        return self.opens <= moment < self.closes


DayHours = Annotated[OpeningHours | None, NoneIs("closed")]


class WeeklyHours(NamedTuple):
    """Opening hours per weekday, indexed like ``date.weekday()`` (Monday = 0); None: closed.

    Every day must be listed, so a forgotten day cannot silently read as "closed".
    """

    mon: DayHours
    tue: DayHours
    wed: DayHours
    thu: DayHours
    fri: DayHours
    sat: DayHours
    sun: DayHours


def _low_to_high(pair: tuple[int, int]) -> bool:
    return pair[0] <= pair[1]


# An inclusive range of days, written [low, high].
DayRange = Annotated[tuple[int, int], Rule(_low_to_high, "[low, high] with low <= high")]
# An inclusive range of lengths (digits of a number), written [low, high].
LengthRange = DayRange


def _country_codes(codes: frozenset[str]) -> bool:
    return bool(codes) and all(
        len(code) == 2 and code.isascii() and code.isalpha() and code.isupper() for code in codes
    )


IssuerCountries = Annotated[
    frozenset[str] | None,
    NoneIs("any"),
    Rule(_country_codes, '"any" or ISO alpha-2 country codes ("KZ")'),
]


class FeeTier(NamedTuple):
    """A member-return fee cap: ``fee_rate`` of the price when returned within ``up_to_months``."""

    up_to_months: int
    fee_rate: Decimal


def _tiers_rise(tiers: tuple[FeeTier, ...]) -> bool:
    months = [tier.up_to_months for tier in tiers]
    return months == sorted(set(months)) and all(tier.fee_rate <= 1 for tier in tiers)


FeeTiers = Annotated[
    tuple[FeeTier, ...],
    Rule(_tiers_rise, "tiers rising in months, with fee rates between 0 and 1"),
]


@dataclass(frozen=True, slots=True)
class MigrationStep:
    """One step of the account move to Kazakhstan (R-KZ-MIG-1), with its exact UI texts."""

    number: int
    key: str
    url: str | None = None
    buttons: tuple[str, ...] = ()


def _numbered_in_order(steps: tuple[MigrationStep, ...]) -> bool:
    return [step.number for step in steps] == list(range(1, len(steps) + 1))


MigrationSteps = Annotated[
    tuple[MigrationStep, ...], Rule(_numbered_in_order, "steps numbered 1, 2, 3, ... in order")
]


# --- sections ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class MembershipSection:
    """Membership (R-KR-MEM-1..3)."""

    registration_channels: tuple[str, ...] = ()
    ipc_documents: tuple[str, ...] = ()
    preferred_member_documents: tuple[str, ...] = ()
    # IPC status renews every this many months; the fee is the actual cost, at most the cap.
    renewal_period_months: int | None = None
    renewal_fee_cap: Decimal | None = None
    # How many digits a member number has (R-KR-PAY-3 deposits name it); None: not known.
    member_number_digits: LengthRange | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderingSection:
    """Ordering channels and the purchase month (R-KR-ORD-1, -2, -7)."""

    channels: tuple[str, ...] = ()
    always_open_channels: tuple[str, ...] = ()
    quick_orders_processed_in_sequence: bool = False
    month_closes_on_last_business_day: bool = False
    kakao_channel: str | None = None
    kakao_menu_button: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BusinessCenterSection:
    """The business center (R-KR-ORD-3, R-KR-ORD-5)."""

    address: str | None = None
    hours: WeeklyHours | None = None
    # Delivery asked for at the business center completes within this many business days.
    delivery_business_days: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SupportSection:
    """Customer support (R-KR-ORD-6, R-KZ-SUP-1)."""

    phones: tuple[str, ...] = ()
    email: str | None = None
    hours: WeeklyHours
    closed_on_public_holidays: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentSection:
    """Payment (R-KR-PAY-1..3, R-KR-ORD-4, R-KR-LRP-4, R-KZ-MIG-6)."""

    card_issuer_countries: IssuerCountries  # None: cards of any issuer country
    certificate_threshold: Decimal | None = None
    bank_transfer_days: int | None = None
    # A bank-transfer deadline fewer hours away than this is warned about (a closing-day order
    # late in the evening may have minutes left); None: never.
    bank_transfer_warning_hours: int | None = None
    bank_account: str | None = None
    methods_by_channel: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ShippingSection:
    """What shipping costs (R-KR-SHIP-1; KZ: a sample fee)."""

    fee: Decimal
    free_threshold: Decimal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliverySection:
    """When an order arrives (R-KR-SHIP-2..4, R-KZ-MIG-6).

    KR: business days, the window depending on the confirmation time against the cut-off of
    the payment method; KZ: calendar days from the Almaty warehouse.
    """

    card_cutoff: time | None = None
    bank_transfer_cutoff: time | None = None
    business_days_before_cutoff: DayRange | None = None
    business_days_after_cutoff: DayRange | None = None
    calendar_days: DayRange | None = None
    warehouse_city: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LrpSection:
    """The loyalty auto-order (R-KR-LRP-1..4)."""

    application_channels: tuple[str, ...] = ()
    same_payer_channels: tuple[str, ...] = ()
    change_notice_business_days: int | None = None
    point_rate: Decimal | None = None
    # The reminder before each run goes out this many business days before the change
    # cut-off (before the run where no cut-off is stated).
    reminder_business_days: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnsSection:
    """Returns and refunds (R-KR-RET-1..4)."""

    consumer_handled_by: str | None = None
    consumer_withdrawal_days: int | None = None
    member_fee_tiers: FeeTiers = ()
    refund_business_days: int | None = None
    card_refund_visible_business_days: DayRange | None = None
    documents: tuple[str, ...] = ()
    address: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MigrationSection:
    """Moving an account to the Kazakhstan market (R-KZ-MIG-1..8)."""

    steps: MigrationSteps = ()
    ar_limit_usd: Decimal | None = None
    deadline: date | None = None
    russia_delivery_end: date | None = None
    form_fields_cyrillic: bool = False
    virtual_office_shop_tab: str | None = None
    gac_orders_via_support: bool = False
    other_market_lrp_templates_deleted_by_support: bool = False
    after_steps: tuple[str, ...] = ()
    commission_contract_party: str | None = None
    commission_statuses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MarketConfig:
    """Everything the flows show a customer for one market.

    ``None`` (or an empty tuple) means the source documents say nothing about it: the bot must
    say it does not know and offer support. The dotted paths in ``sample_settings`` hold
    placeholder values that are not from the sources either (see :meth:`is_sample`).
    """

    market: Market
    currency: str
    currency_minor_units: int
    timezone: str
    holiday_country: str
    default_locale: str
    locales: tuple[str, ...] = ()
    website: str | None = None
    membership: MembershipSection
    ordering: OrderingSection
    business_center: BusinessCenterSection
    support: SupportSection
    payment: PaymentSection
    shipping: ShippingSection
    delivery: DeliverySection
    lrp: LrpSection
    returns: ReturnsSection
    migration: MigrationSection
    sample_settings: frozenset[str] = field(default=frozenset(), metadata=NOT_IN_FILE)

    @property
    def zone(self) -> ZoneInfo:
        return load_zone(self.timezone)

    def is_sample(self, path: str) -> bool:
        """True when the setting at ``path`` ("payment.bank_account") holds a placeholder, not
        a value from the source documents. A path that names no setting raises ValueError."""
        node: Any = self
        for name in path.split("."):
            if name not in _field_names(node):
                raise ValueError(f"{path!r} is not a market setting")
            node = getattr(node, name)
        return path in self.sample_settings


def _field_names(value: object) -> tuple[str, ...]:
    """The settings of a section or table value (dataclass or NamedTuple); () for others."""
    if dataclasses.is_dataclass(value):
        return tuple(item.name for item in dataclasses.fields(value))
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return value._fields
    return ()
