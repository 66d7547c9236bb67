"""The pinned public API and the package's purity rules."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import policy

PINNED = {
    "shipping_fee": ["market", "subtotal"],
    "delivery_window": ["market", "confirmed_at", "payment"],
    "bank_transfer_deadline": ["market", "ordered_at"],
    "order_month": ["market", "ordered_at"],
    "needs_certificate": ["market", "amount", "payment"],
    "return_quote": ["market", "kind", "purchased_on", "requested_on", "amount", "delivered_on"],
    "lrp_change_cutoff": ["market", "next_run"],
    "migration_check": ["ar_balance_usd", "today"],
    "is_cyrillic": ["text"],
    "normalize_kz_phone": ["text"],
    "card_issuer_accepted": ["market", "country"],
    "support_is_open": ["market", "at"],
    "is_business_day": ["market", "day"],
    "add_business_days": ["market", "day", "n"],
    "support_next_open": ["market", "at"],
    "free_shipping_gap": ["market", "subtotal"],
    "lrp_next_run": ["market", "day_of_month", "today"],
    "validate_cyrillic": ["text"],
    "looks_like_card_number": ["text"],
    "looks_like_password_disclosure": ["text"],
    "mask_secrets": ["text"],
    "currency": ["market"],
    "market_config": ["market"],
}
POLICY_DIR = Path(policy.__file__).parent


def test_pinned_names_import_with_their_parameters() -> None:
    for name, params in PINNED.items():
        function = getattr(policy, name)
        assert list(inspect.signature(function).parameters) == params, name
        assert name in policy.__all__


def test_all_is_importable_and_sorted() -> None:
    for name in policy.__all__:
        assert hasattr(policy, name), name
    assert policy.__all__ == sorted(policy.__all__, key=lambda n: (not n.isupper(), n))


def test_every_public_function_cites_a_rule_or_is_a_helper() -> None:
    """Docstrings are how code points at rules; helpers without a rule still need a docstring."""
    for name in policy.__all__:
        obj = getattr(policy, name)
        if callable(obj) and not isinstance(obj, type):
            assert inspect.getdoc(obj), name
    for name in PINNED:
        if name not in {"currency", "market_config", "is_business_day", "add_business_days"}:
            assert re.search(r"R-K[RZ]-", inspect.getdoc(getattr(policy, name)) or ""), name


def _modules() -> list[object]:
    return [
        importlib.import_module(f"policy.{info.name}")
        for info in pkgutil.iter_modules([str(POLICY_DIR)])
    ]


def test_no_clock_reads_in_policy_sources() -> None:
    clock = re.compile(r"\b(?:now|today|utcnow)\(|time\.time\(|time\.monotonic\(|random\.")
    for path in POLICY_DIR.rglob("*.py"):
        assert not clock.search(path.read_text(encoding="utf-8")), path


def test_no_mutable_module_globals() -> None:
    for module in _modules():
        for name, value in vars(module).items():
            if not name.startswith("__"):
                assert not isinstance(value, list | dict | set | bytearray), (module, name)
