"""The action codec: typed families, packing within 64 bytes, parsing that never trusts input."""

from __future__ import annotations

import enum
from typing import Annotated, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.actions import (
    MAX_INT,
    Action,
    MenuChoice,
    OneOf,
    Pattern,
    Range,
    ToMenu,
    fits,
    parse,
)


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


class Qty(Action, prefix="test:q"):
    n: Annotated[int, Range(0, 99)]


class Item(Action, prefix="test:item"):
    id: int


class Pick(Action, prefix="test:pick"):
    name: str
    page: int = 0


class Paint(Action, prefix="test:paint"):
    colour: Colour
    finish: Literal["matt", "gloss"] = "matt"


class Lang(Action, prefix="test:lang"):
    code: Annotated[str, OneOf("ko", "ru", "en")]


class Ticket(Action, prefix="test:ticket", sep="."):
    key: Annotated[str, Pattern(r"[A-Za-z0-9_-]{1,16}")]
    check: Annotated[str, Pattern(r"[0-9a-f]{8}")]


class Close(Action, prefix="test:close"):
    pass


class CloseYes(Action, prefix="test:close:yes"):
    pass


@pytest.mark.parametrize(
    ("action", "token"),
    [
        (Qty(n=3), "test:q:3"),
        (Qty(n=0), "test:q:0"),
        (Item(id=MAX_INT), f"test:item:{MAX_INT}"),
        (Pick(name="KR-LAV15"), "test:pick:KR-LAV15"),
        (Pick(name="KR-LAV15", page=2), "test:pick:KR-LAV15:2"),
        (Paint(colour=Colour.BLUE), "test:paint:blue"),
        (Paint(colour=Colour.RED, finish="gloss"), "test:paint:red:gloss"),
        (Lang(code="ru"), "test:lang:ru"),
        (Ticket(key="Ab-9_x", check="0123abcd"), "test:ticket:Ab-9_x.0123abcd"),
        (Close(), "test:close"),
        (CloseYes(), "test:close:yes"),
        (ToMenu(), "nav:menu"),
        (MenuChoice(flow="quick_order"), "menu:quick_order"),
        (MenuChoice(flow="info", args="lrp"), "menu:info:lrp"),
    ],
)
def test_round_trip(action: Action, token: str) -> None:
    assert action.pack() == token
    assert parse(token) == action
    assert type(action).parse(token) == action
    assert action.button("Label").action == token


def test_a_family_parses_only_its_own_tokens() -> None:
    assert Qty.parse("test:item:3") is None
    assert Close.parse("test:close:yes") is None and CloseYes.parse("test:close:yes") is not None


def test_dispatch_by_family() -> None:
    def route(token: str) -> str:
        match parse(token):
            case Qty(n=n):
                return f"quantity {n}"
            case Pick(name=name, page=page):
                return f"{name} page {page}"
            case None:
                return "stale"
            case _:
                return "another family"

    assert route("test:q:5") == "quantity 5"
    assert route("test:pick:x:1") == "x page 1"
    assert route("nav:menu") == "another family"
    assert route("test:q:500") == "stale"


def test_pack_refuses_what_could_not_be_parsed_back() -> None:
    Pick(name="x" * 54).pack()  # "test:pick:" + 54 = 64 bytes
    with pytest.raises(ValueError, match="64 bytes"):
        Pick(name="x" * 55).pack()
    with pytest.raises(ValueError, match="64 bytes"):
        Pick(name="가" * 19).pack()  # 10 + 57 bytes
    for bad in (
        Qty(n=100),
        Qty(n=-1),
        Item(id=MAX_INT + 1),
        Pick(name=""),
        Pick(name="a:b"),
        Pick(name="two words"),
        Pick(name="tab\there"),
        Pick(name="\ud800"),
        Lang(code="de"),
        Ticket(key="a.b", check="0123abcd"),
        Paint(colour="green"),  # type: ignore[arg-type]
        Qty(n="3"),  # type: ignore[arg-type]
        Qty(n=True),  # type: ignore[arg-type]
    ):
        with pytest.raises(ValueError):
            bad.pack()


@pytest.mark.parametrize(
    "token",
    [
        # stale and foreign
        "zz:gone:1",
        "tg:stale",
        "test",
        "test:",
        "nav",
        "nav:menu:x",
        "test:close:no",
        # wrong field counts
        "test:q",
        "test:q:",
        "test:q:1:2",
        "test:pick",
        "test:pick:a:1:2",
        "test:ticket:abc",
        "test:ticket:abc.0123abcd.ff",
        # ints: out of range, overflowing, signed, padded, not ASCII digits
        "test:q:100",
        "test:item:99999999999999999999",
        f"test:item:{MAX_INT + 1}",
        "test:item:-1",
        "test:item:+1",
        "test:item:01",
        "test:item:1e3",
        "test:item:²",
        "test:item:٣",
        "test:item:１",
        "test:item: 1",
        # strings and choices
        "test:pick:",
        "test:pick:two words",
        "test:pick:a:",  # a default is left out, never spelled out empty
        "test:pick:a:0",  # ... nor spelled out at all
        "test:lang:de",
        "test:lang:RU",
        "test:paint:green",
        "test:paint:red:matt",
        "test:ticket:abc:0123abcd",
        "test:ticket:a b.0123abcd",
        # not text we could have written
        "test:pick:\ud800",
        "\udcff",
        "test:pick:\x00",
        "test:pick:" + "x" * 55,
        "",
        None,
        b"test:q:3",
        3,
    ],
)
def test_stale_forged_and_malformed_tokens_parse_to_none(token: object) -> None:
    assert parse(token) is None
    assert Qty.parse(token) is None


def test_fits_counts_utf8_bytes_and_refuses_lone_surrogates() -> None:
    assert fits("x" * 64) and not fits("x" * 65)
    assert fits("가" * 21) and not fits("가" * 22)
    assert not fits("ok\ud800") and not fits("") and not fits(None)


def test_families_that_could_claim_the_same_token_are_refused() -> None:
    with pytest.raises(ValueError, match="test:q"):

        class Again(Action, prefix="test:q"):
            pass

    with pytest.raises(ValueError, match="extends"):

        class Longer(Action, prefix="test:q:x"):
            pass

    with pytest.raises(ValueError, match="words"):

        class Spaced(Action, prefix="test: space"):
            pass

    with pytest.raises(TypeError):

        class Floating(Action, prefix="test:float"):
            x: float


@given(st.text(max_size=80))
def test_parse_never_raises(token: str) -> None:
    found = parse(token)
    if found is not None:
        assert found.pack() == token


@given(
    st.integers(min_value=0, max_value=MAX_INT),
    st.from_regex(r"[A-Za-z0-9_.-]{1,60}", fullmatch=True),
)
def test_what_packs_parses_back(n: int, name: str) -> None:
    for action in (Item(id=n), Pick(name=name), Pick(name=name, page=n)):
        try:
            token = action.pack()
        except ValueError:
            assert len(name) > 40  # only too long for 64 bytes
            continue
        assert parse(token) == action
