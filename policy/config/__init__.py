"""Markets and their data: the ``Market`` enum and the frozen, nested ``MarketConfig``.

Every figure the flows show a customer (fees, hours, contacts, links, dates) lives in
``policy/markets/<market>.toml`` so an operator can change it without touching code. A topic
of the files is a table and a section of the config (``[lrp]`` is ``config.lrp``), declared in
``sections.py`` and read by walking those declarations (``load.py``). The files are read once
per process; nothing here reads a clock or mutates state.
"""

from policy.config.load import ConfigError, load_market, parse_config
from policy.config.market import Market, parse_market
from policy.config.sections import (
    BusinessCenterSection,
    DeliverySection,
    FeeTier,
    LrpSection,
    MarketConfig,
    MembershipSection,
    MigrationSection,
    MigrationStep,
    OpeningHours,
    OrderingSection,
    PaymentSection,
    ReturnsSection,
    ShippingSection,
    SupportSection,
    WeeklyHours,
)


def market_config(market: Market | str) -> MarketConfig:
    """The configuration of ``market`` (ValueError if unknown), loaded once per process."""
    return load_market(parse_market(market))


def currency(market: Market | str) -> str:
    """ISO 4217 code of the market currency ("KRW", "KZT")."""
    return market_config(market).currency


__all__ = [
    "BusinessCenterSection",
    "ConfigError",
    "DeliverySection",
    "FeeTier",
    "LrpSection",
    "Market",
    "MarketConfig",
    "MembershipSection",
    "MigrationSection",
    "MigrationStep",
    "OpeningHours",
    "OrderingSection",
    "PaymentSection",
    "ReturnsSection",
    "ShippingSection",
    "SupportSection",
    "WeeklyHours",
    "currency",
    "market_config",
    "parse_config",
    "parse_market",
]
