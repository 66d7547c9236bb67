"""orderbot's market policy: pure functions over values for the KR and KZ markets.

Rule ids (R-...) in docstrings refer to shared/POLICY.md; docs/policy.md maps each rule to the
code. Market data lives in ``policy/markets/*.toml``. Nothing here reads a clock: callers pass
``today`` / aware datetimes in.
"""

from policy._tz import load_zone
from policy.addresses import AddressIssue, address_issue
from policy.business_days import (
    add_business_days,
    holiday_name,
    is_business_day,
    is_public_holiday,
    last_business_day_of_month,
    next_business_day_on_or_after,
)
from policy.config import (
    ConfigError,
    Market,
    MarketConfig,
    MigrationStep,
    OpeningHours,
    currency,
    market_config,
    parse_market,
)
from policy.cyrillic import CyrillicIssue, is_cyrillic, validate_cyrillic
from policy.dates import add_months
from policy.errors import NotSpecifiedError
from policy.lrp import lrp_change_cutoff, lrp_change_takes_effect, lrp_next_run
from policy.membership import ipc_next_renewal, ipc_renewal_fee
from policy.migration import MigrationCheck, migration_check
from policy.money import round_down
from policy.ordering import month_closing_day, order_month
from policy.payment import (
    PaymentMethod,
    accepted_payment_methods,
    bank_transfer_deadline,
    bank_transfer_time_left,
    card_issuer_accepted,
    needs_certificate,
)
from policy.phones import PHONE_ERROR_CODES, PhoneError, normalize_kz_phone, normalize_phone
from policy.recipients import NameIssue, member_number, recipient_name_issue
from policy.returns import ReturnQuote, card_refund_visible, refund_due, return_quote
from policy.sensitive import looks_like_card_number, looks_like_password_disclosure, mask_secrets
from policy.shipping import (
    business_center_delivery_by,
    delivery_window,
    free_shipping_gap,
    shipping_fee,
)
from policy.support import business_center_is_open, support_is_open, support_next_open
from policy.timezones import end_of_day, local_date, to_local

__all__ = [
    "PHONE_ERROR_CODES",
    "AddressIssue",
    "ConfigError",
    "CyrillicIssue",
    "Market",
    "MarketConfig",
    "MigrationCheck",
    "MigrationStep",
    "NameIssue",
    "NotSpecifiedError",
    "OpeningHours",
    "PaymentMethod",
    "PhoneError",
    "ReturnQuote",
    "accepted_payment_methods",
    "add_business_days",
    "add_months",
    "address_issue",
    "bank_transfer_deadline",
    "bank_transfer_time_left",
    "business_center_delivery_by",
    "business_center_is_open",
    "card_issuer_accepted",
    "card_refund_visible",
    "currency",
    "delivery_window",
    "end_of_day",
    "free_shipping_gap",
    "holiday_name",
    "ipc_next_renewal",
    "ipc_renewal_fee",
    "is_business_day",
    "is_cyrillic",
    "is_public_holiday",
    "last_business_day_of_month",
    "load_zone",
    "local_date",
    "looks_like_card_number",
    "looks_like_password_disclosure",
    "lrp_change_cutoff",
    "lrp_change_takes_effect",
    "lrp_next_run",
    "market_config",
    "mask_secrets",
    "member_number",
    "migration_check",
    "month_closing_day",
    "needs_certificate",
    "next_business_day_on_or_after",
    "normalize_kz_phone",
    "normalize_phone",
    "order_month",
    "parse_market",
    "recipient_name_issue",
    "refund_due",
    "return_quote",
    "round_down",
    "shipping_fee",
    "support_is_open",
    "support_next_open",
    "to_local",
    "validate_cyrillic",
]
