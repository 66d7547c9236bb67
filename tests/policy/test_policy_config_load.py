"""Reading the market files by walking the sections: paths in errors, samples by path."""

from __future__ import annotations

import dataclasses
import re
from datetime import time
from decimal import Decimal

import pytest

from policy import ConfigError, Market, market_config
from policy.config import FeeTier, parse_config

from .test_policy_config import _MINIMAL


def _load(text: str, name: str = "kz.toml"):
    return parse_config(Market.KR, text, name)


def _with(section: str, body: str) -> str:
    """``_MINIMAL`` with ``body`` added under ``[section]`` (a table the minimal file lacks)."""
    return f"{_MINIMAL}\n[{section}]\n{body}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            _with("lrp", 'change_notice_business_days = "3"'),
            "kz.toml: lrp.change_notice_business_days: expected a non-negative integer, got '3'",
        ),
        (_with("lrp", "change_notice_business_days = -1"), "lrp.change_notice_business_days"),
        (_with("lrp", "point_rate = true"), "lrp.point_rate: expected a non-negative number"),
        (_with("delivery", "calendar_days = [10, 1]"), "delivery.calendar_days: expected [low,"),
        (_with("delivery", "calendar_days = [1]"), "delivery.calendar_days: expected 2 items"),
        (_with("delivery", 'card_cutoff = "3pm"'), 'delivery.card_cutoff: expected a time "HH:MM"'),
        (_with("migration", 'deadline = "2024-09-30"'), "migration.deadline: expected a date"),
        (_with("returns", 'documents = "form"'), "returns.documents: expected an array"),
        (_with("returns", "documents = [1]"), "returns.documents[0]: expected a non-empty"),
        (_with("payment.methods_by_channel", 'web = "card"'), "payment.methods_by_channel.web"),
        (_with("business_center", "hours = 5"), "business_center.hours: expected a table"),
        ("lrp = 3\n" + _MINIMAL, "kz.toml: lrp: expected a table, got 3"),
    ],
)
def test_wrong_values_name_their_path(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        _load(text)


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("colour = 'blue'\n" + _MINIMAL, "kz.toml: colour: unknown key"),
        (_MINIMAL.replace("fee = 4500", "fee = 4500\nfree_treshold = 1"), "shipping.free_treshold"),
        (_with("lrp", "change_notice_days = 3"), "lrp.change_notice_days: unknown key"),
        (_MINIMAL.replace('sun = "closed"', 'sun = "closed"\nholiday = "closed"'), "hours.holiday"),
        (
            _with("[migration.steps]", 'number = 1\nkey = "a"\nlink = "b"'),
            "migration.steps[0].link: unknown key",
        ),
    ],
)
def test_unknown_keys_are_refused(text: str, path: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(path)):
        _load(text)


def test_unknown_key_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"known here: fee, free_threshold"):
        _load(_MINIMAL.replace("fee = 4500", "fee = 4500\nfree = 0"))


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (_MINIMAL.replace("fee = 4500", ""), "kz.toml: shipping.fee: missing"),
        (_MINIMAL.replace("[shipping]\nfee = 4500", ""), "kz.toml: shipping.fee: missing"),
        (_MINIMAL.replace('card_issuer_countries = "any"', ""), "payment.card_issuer_countries"),
        (_MINIMAL.replace('timezone = "Asia/Seoul"\n', ""), "kz.toml: timezone: missing"),
        (_with("[migration.steps]", "number = 1"), "migration.steps[0].key: missing"),
        (
            _with("[returns.member_fee_tiers]", "up_to_months = 1"),
            "returns.member_fee_tiers[0].fee_rate: missing",
        ),
    ],
)
def test_missing_required_keys_name_their_path(text: str, path: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(path)):
        _load(text)


def test_absent_optional_tables_read_as_empty() -> None:
    """KZ has no [lrp], [returns], [membership] or [business_center]: the sources are silent."""
    kz = market_config("KZ")
    assert kz.lrp.change_notice_business_days is None
    assert kz.returns.member_fee_tiers == ()
    assert kz.membership.renewal_period_months is None
    assert kz.business_center.hours is None


def test_typed_values() -> None:
    kr = market_config("KR")
    assert kr.delivery.card_cutoff == time(15)
    assert kr.returns.member_fee_tiers[1] == FeeTier(2, Decimal("0.05"))
    assert isinstance(kr.lrp.point_rate, Decimal)
    assert kr.support.hours.sat == kr.support.hours[5]


def test_step_numbers_and_fee_tiers_are_checked() -> None:
    steps = '[[migration.steps]]\nnumber = 2\nkey = "a"\n'
    with pytest.raises(
        ConfigError, match=re.escape("migration.steps: expected steps numbered 1, 2, 3")
    ):
        _load(f"{_MINIMAL}\n{steps}")
    tiers = "[[returns.member_fee_tiers]]\nup_to_months = 2\nfee_rate = 0.05\n"
    tiers += "[[returns.member_fee_tiers]]\nup_to_months = 1\nfee_rate = 0.00\n"
    with pytest.raises(
        ConfigError, match=re.escape("returns.member_fee_tiers: expected tiers rising")
    ):
        _load(f"{_MINIMAL}\n{tiers}")


def test_samples_are_marked_by_nested_path() -> None:
    text = _with("lrp", "point_rate = { value = 0.10, sample = true }")
    text = text.replace("fee = 4500", "fee = { value = 100, sample = false }")
    config = _load(text)
    assert config.sample_settings == frozenset({"lrp.point_rate"})
    assert config.lrp.point_rate == Decimal("0.10")
    assert config.shipping.fee == Decimal(100)
    assert not config.is_sample("shipping.fee")


def test_sample_markers_are_for_settings_only() -> None:
    tiers = "[[returns.member_fee_tiers]]\nup_to_months = 1\n"
    tiers += "fee_rate = { value = 0.1, sample = true }\n"
    with pytest.raises(ConfigError, match="not an item of a list"):
        _load(f"{_MINIMAL}\n{tiers}")
    with pytest.raises(ConfigError, match=re.escape("shipping.fee.sample: expected true or false")):
        _load(_MINIMAL.replace("fee = 4500", 'fee = { value = 1, sample = "yes" }'))


@pytest.mark.parametrize("path", ["shipping_fee", "shipping.fees", "payment.bank_account.x", ""])
def test_is_sample_refuses_a_path_that_names_no_setting(path: str) -> None:
    with pytest.raises(ValueError, match="not a market setting"):
        market_config("KR").is_sample(path)


def _leaves(value: object, path: str = "") -> dict[str, object]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        found: dict[str, object] = {}
        for item in dataclasses.fields(value):
            if item.metadata.get("in_file", True):
                found |= _leaves(getattr(value, item.name), f"{path}{item.name}.")
        return found
    return {path.rstrip("."): value}


def _unset(value: object) -> bool:
    return value is None or value is False or value == ()


def test_every_setting_is_used_by_a_market_file() -> None:
    """No declared setting is dead: each one holds a value in kr.toml or kz.toml."""
    kr, kz = _leaves(market_config("KR")), _leaves(market_config("KZ"))
    unused = [path for path in kr if _unset(kr[path]) and _unset(kz[path])]
    assert unused == []
