"""MarketConfig values against the source documents; loading and market parsing.

Pure-data rules are checked here: R-KR-MEM-1, R-KR-MEM-2, R-KR-ORD-2, R-KR-ORD-5, R-KR-ORD-6,
R-KR-ORD-7, R-KR-LRP-2, R-KR-LRP-4, R-KR-PAY-1, R-KR-RET-4, R-KZ-MIG-1, R-KZ-MIG-5,
R-KZ-MIG-6, R-KZ-MIG-7, R-KZ-SUP-1.
"""

from __future__ import annotations

import dataclasses
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest

from policy import (
    ConfigError,
    Market,
    NotSpecifiedError,
    OpeningHours,
    accepted_payment_methods,
    currency,
    market_config,
    parse_market,
)
from policy.config import parse_config

SEEDS = Path(__file__).parents[2].parent / "shared" / "seeds"
KR_SEED = SEEDS / "002_0c609a93493ec5e2.txt"
KZ_SEED = SEEDS / "000_8265a6d8280027ea.txt"
KR = market_config("KR")
KZ = market_config("KZ")


def _seed(path: Path) -> str:
    if not path.exists():
        pytest.skip(f"source document {path} not present beside the repository")
    return path.read_text(encoding="utf-8")


def _hours(opens: str, closes: str) -> OpeningHours:
    return OpeningHours(time.fromisoformat(opens), time.fromisoformat(closes))


# --- markets -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["KR", "kr", " KR ", Market.KR])
def test_parse_market_accepts_strings_and_enum(value: str) -> None:
    assert parse_market(value) is Market.KR


@pytest.mark.parametrize("value", ["RU", "", "KRW", None, 1])
def test_unknown_market_is_a_value_error(value: object) -> None:
    with pytest.raises(ValueError, match="unknown market"):
        market_config(value)  # type: ignore[arg-type]


def test_market_is_a_str_enum() -> None:
    assert Market.KZ == "KZ"
    assert isinstance(Market.KR, str)


def test_currency_timezone_locale() -> None:
    assert (currency("KR"), currency(Market.KZ)) == ("KRW", "KZT")
    assert (KR.timezone, KZ.timezone) == ("Asia/Seoul", "Asia/Almaty")
    assert (KR.default_locale, KZ.default_locale) == ("ko_KR", "ru_KZ")
    assert KR.currency_minor_units == KZ.currency_minor_units == 0


def test_config_is_frozen_and_cached() -> None:
    assert market_config("KR") is market_config(Market.KR)
    with pytest.raises(dataclasses.FrozenInstanceError):
        KR.currency = "USD"  # type: ignore[misc]
    with pytest.raises(TypeError):
        KR.payment.methods_by_channel["cash"] = ("cash",)  # type: ignore[index]


# --- KR: membership and ordering -------------------------------------------------------------


def test_registration_channels_and_documents() -> None:
    """R-KR-MEM-1: business center, post and e-mail, mobile, website. R-KR-MEM-2: documents."""
    assert KR.membership.registration_channels == (
        "business_center",
        "post",
        "email",
        "mobile",
        "website",
    )
    assert KR.membership.ipc_documents == ("application_form", "purchase_order")
    assert KR.membership.preferred_member_documents == ("application_form", "purchase_order")
    text = _seed(KR_SEED)
    assert "비즈니스 센터, 우편 및 이메일, 모바일, 홈페이지" in text
    assert "IPC : 회원등록 신청서, 구매주문서" in text
    assert "우수회원 : 회원등록 신청서, 구매주문서" in text


def test_ordering_channels() -> None:
    """R-KR-ORD-2: four channels; website and KakaoTalk take orders 24 h, processed in turn."""
    assert KR.ordering.channels == ("business_center", "phone", "website", "kakaotalk")
    assert KR.ordering.always_open_channels == ("website", "kakaotalk")
    assert KR.ordering.quick_orders_processed_in_sequence
    assert KR.website == "www.doterra.com"
    text = _seed(KR_SEED)
    assert "비즈니스 센터, 전화, 인터넷, 카카오톡 간편 주문" in text
    assert text.count("접수시간 : 24시간") == 2
    assert "www.doterra.com" in text


def test_business_center_address_and_hours() -> None:
    """R-KR-ORD-5: address; weekdays 10:00-19:00, Saturday 10:00-14:00."""
    address = "서울시 서초구 강남대로 369, 8층(서초동, 에이플러스 에셋타워)"
    assert KR.business_center.address == address
    assert KR.business_center.address in _seed(KR_SEED)
    hours = KR.business_center.hours
    assert hours is not None
    assert hours[:5] == (_hours("10:00", "19:00"),) * 5
    assert hours[5] == _hours("10:00", "14:00")
    assert hours[6] is None
    assert KZ.business_center.address is None
    assert KZ.business_center.hours is None


def test_kr_support_contact_and_hours() -> None:
    """R-KR-ORD-6: 1600-5105, weekdays 09:00-18:00, Saturday 09:00-13:00."""
    assert KR.support.phones == ("1600-5105",)
    assert KR.support.email is None  # the Korean page gives no e-mail address
    assert KR.support.hours[:5] == (_hours("09:00", "18:00"),) * 5
    assert KR.support.hours[5] == _hours("09:00", "13:00")
    assert KR.support.hours[6] is None
    text = _seed(KR_SEED)
    assert "주문 및 상담번호 : 1600-5105" in text
    assert "평일 : 오전 9시 ~ 오후 6시" in text
    assert "토요일 : 오전 9시 ~ 오후 1시" in text


def test_kakao_channel() -> None:
    """R-KR-ORD-7: channel "도테라코리아", bottom menu "카톡 간편 주문 바로가기"."""
    assert KR.ordering.kakao_channel == "도테라코리아"
    assert KR.ordering.kakao_menu_button == "카톡 간편 주문 바로가기"
    text = _seed(KR_SEED)
    assert f"“{KR.ordering.kakao_channel}”" in text
    assert f"“{KR.ordering.kakao_menu_button}”" in text
    assert KZ.ordering.kakao_channel is None


# --- KR: LRP, payment, returns ---------------------------------------------------------------


def test_lrp_application_channels_exclude_phone() -> None:
    """R-KR-LRP-2: website, business center or fax; not by phone; same payer for BC and fax."""
    assert KR.lrp.application_channels == ("website", "business_center", "fax")
    assert "phone" not in KR.lrp.application_channels
    assert KR.lrp.same_payer_channels == ("business_center", "fax")
    assert "전화를 통해서는 자동주문 신청이 불가능" in _seed(KR_SEED)


def test_lrp_is_paid_by_card_only() -> None:
    """R-KR-LRP-4: LRP is paid by credit card only."""
    assert accepted_payment_methods("KR", "lrp") == ("card",)
    assert "자동주문의 결제는 신용카드를 통해 가능" in _seed(KR_SEED)


def test_cash_only_at_business_center() -> None:
    """R-KR-PAY-1: cash only at the business center; R-KR-ORD-4: phone orders by card or
    bank transfer; R-KR-PAY-2: card for every order."""
    for channel, methods in KR.payment.methods_by_channel.items():
        assert ("cash" in methods) == (channel == "business_center"), channel
        assert "card" in methods, channel
    assert accepted_payment_methods("KR", "phone") == ("card", "bank_transfer")
    assert accepted_payment_methods("KR", "mobile") == ("card", "bank_transfer")
    with pytest.raises(NotSpecifiedError):
        accepted_payment_methods("KR", "carrier_pigeon")


def test_return_procedure_data() -> None:
    """R-KR-RET-4: apply via support, send form and statement to the business-center address."""
    assert KR.returns.documents == ("return_form", "transaction_statement")
    assert KR.returns.address == f"{KR.business_center.address} 도테라코리아"
    assert f"반송주소 : {KR.returns.address}" in _seed(KR_SEED)
    assert KR.returns.refund_business_days == 3
    assert KR.returns.consumer_handled_by == "ipc"  # R-KR-RET-1


# --- KZ ------------------------------------------------------------------------------------


def test_migration_steps_texts_and_links() -> None:
    """R-KZ-MIG-1: five steps with the exact button names and links of the letter."""
    steps = KZ.migration.steps
    assert [s.number for s in steps] == [1, 2, 3, 4, 5]
    assert steps[0].buttons == ("Аккаунт", "Выйти")
    assert steps[1].url == "https://tools.doterra.com/s/newmarketkaz"
    assert steps[2].buttons == ("Перевести мой аккаунт на рынок Казахстан",)
    assert steps[3].url == "https://beta-doterra.myvoffice.com/index.cfm"
    assert steps[4].url is None and steps[4].buttons == ()
    text = _seed(KZ_SEED)
    assert "Нажмите «Аккаунт», затем «Выйти»" in text
    for step in steps:
        for button in step.buttons:
            assert f"«{button}»" in text
        if step.url:
            assert f"<{step.url}>" in text
    assert KR.migration.steps == ()


def test_after_migration_data() -> None:
    """R-KZ-MIG-5: new LRP template, other markets' templates deleted by support, KZ phone,
    products in the Virtual Office tab "Магазин", order from the KZ warehouse."""
    assert KZ.migration.virtual_office_shop_tab == "Магазин"
    assert KZ.migration.other_market_lrp_templates_deleted_by_support
    assert KZ.migration.after_steps[0] == "create_lrp_template"
    assert "check_address_and_kz_phone" in KZ.migration.after_steps
    text = _seed(KZ_SEED)
    assert "во вкладке «Магазин»" in text
    assert "свяжитесь со Службой поддержки для их удаления" in text


def test_what_changes_in_kazakhstan() -> None:
    """R-KZ-MIG-6: tenge; cards of KZ, KG, AM, BY banks; Almaty warehouse, 1-10 days."""
    assert KZ.currency == "KZT"
    assert KZ.payment.card_issuer_countries == frozenset({"KZ", "KG", "AM", "BY"})
    assert KZ.delivery.calendar_days == (1, 10)
    assert KZ.delivery.warehouse_city == "Алматы"
    text = _seed(KZ_SEED)
    assert "карты, выданные банками Казахстана, Кыргызстана, Армении и Беларуси" in text
    assert "от 1 до 10 дней" in text
    assert "склада в Алматы" in text


def test_commission_contract() -> None:
    """R-KZ-MIG-7: ИП or ТОО status, contract with ТОО «doTERRA Kazakhstan», paid in tenge."""
    assert KZ.migration.commission_contract_party == "ТОО «doTERRA Kazakhstan»"
    assert KZ.migration.commission_statuses == ("ИП", "ТОО")
    assert KZ.migration.commission_contract_party in _seed(KZ_SEED)


def test_migration_dates_and_gac() -> None:
    """R-KZ-MIG-8: move before 2024-09-30; delivery from Russia ends 2024-10-01; GAC via
    support. R-KZ-MIG-2: limit USD 150."""
    assert KZ.migration.deadline == date(2024, 9, 30)
    assert KZ.migration.russia_delivery_end == date(2024, 10, 1)
    assert KZ.migration.ar_limit_usd == Decimal("150")
    assert KZ.migration.gac_orders_via_support
    assert KZ.migration.form_fields_cyrillic  # R-KZ-MIG-3
    text = _seed(KZ_SEED)
    assert "до 30.09.2024" in text
    assert "с 1.10.2024" in text
    assert "не превышает 150USD" in text


def test_kz_support_contacts_and_hours() -> None:
    """R-KZ-SUP-1: Mon-Fri 11:00-19:00, Sat-Sun closed; two phones; kaz@doterra.com."""
    assert KZ.support.phones == ("+7-727-312-10-19", "+7-800-100-23-23")
    assert KZ.support.email == "kaz@doterra.com"
    assert KZ.support.hours == (_hours("11:00", "19:00"),) * 5 + (None, None)
    text = _seed(KZ_SEED)
    assert "Пн-Пт 11:00-19:00" in text
    assert "Сб-Вс выходные дни" in text
    assert "+7-727-312-10-19; +7-800-100-23-23" in text
    assert "Email: kaz@doterra.com" in text


# --- sample (not-from-source) settings -------------------------------------------------------


def test_sample_settings_are_marked() -> None:
    assert KR.sample_settings == frozenset(
        {
            "payment.bank_account",
            "lrp.point_rate",
            "lrp.reminder_business_days",
            "payment.bank_transfer_warning_hours",
            "membership.member_number_digits",
        }
    )
    assert KZ.sample_settings == frozenset({"shipping.fee", "lrp.reminder_business_days"})
    assert KR.is_sample("payment.bank_account") and not KR.is_sample("shipping.fee")
    assert KZ.is_sample("shipping.fee")


def test_toml_files_flag_samples_in_comments() -> None:
    from importlib import resources

    for name in ("kr.toml", "kz.toml"):
        text = resources.files("policy.markets").joinpath(name).read_text(encoding="utf-8")
        lines = text.splitlines()
        for index, line in enumerate(lines):
            if "sample = true" in line and not line.startswith("#"):
                assert "SAMPLE value" in lines[index - 1], (name, line)


def test_silent_topics_are_none() -> None:
    assert KZ.shipping.free_threshold is None
    assert KZ.payment.bank_transfer_days is None
    assert KZ.returns.member_fee_tiers == ()
    assert KZ.lrp.change_notice_business_days is None
    assert KR.payment.card_issuer_countries is None  # any issuer


# --- loader errors -------------------------------------------------------------------------

_MINIMAL = """
market = "KR"
currency = "KRW"
currency_minor_units = 0
timezone = "Asia/Seoul"
holiday_country = "KR"
default_locale = "ko_KR"
[support.hours]
mon = "09:00-18:00"
tue = "09:00-18:00"
wed = "09:00-18:00"
thu = "09:00-18:00"
fri = "09:00-18:00"
sat = "closed"
sun = "closed"
[payment]
card_issuer_countries = "any"
[shipping]
fee = 4500
"""


def test_minimal_file_loads() -> None:
    config = parse_config(Market.KR, _MINIMAL, "test.toml")
    assert config.shipping.fee == Decimal(4500)
    assert config.shipping.free_threshold is None
    assert config.sample_settings == frozenset()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace('market = "KR"', 'market = "KZ"'), "market must be"),
        (lambda t: t.replace('sun = "closed"\n', ""), "support.hours"),
        (lambda t: t.replace('"09:00-18:00"', '"18:00-09:00"', 1), "opens at or after"),
        (lambda t: t.replace('"09:00-18:00"', '"9 to 6"', 1), "support.hours.mon"),
        (lambda t: t.replace("fee = 4500", 'fee = "free"'), "shipping.fee"),
        (lambda t: t.replace('"Asia/Seoul"', '"Mars/Olympus"'), "unknown zone"),
        (lambda t: t.replace('"any"', '["KOR"]'), "alpha-2"),
        (lambda t: t + "[[[", "test.toml"),
    ],
)
def test_malformed_files_name_the_key(edit: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(Market.KR, edit(_MINIMAL), "test.toml")  # type: ignore[operator]


def test_sample_wrapper_is_unwrapped() -> None:
    text = _MINIMAL.replace("fee = 4500", "fee = { value = 100, sample = true }")
    config = parse_config(Market.KR, text, "test.toml")
    assert config.shipping.fee == Decimal(100)
    assert config.is_sample("shipping.fee")
