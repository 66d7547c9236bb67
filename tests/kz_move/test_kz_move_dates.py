"""R-KZ-MIG-8: the letter's dates, told truthfully for the clock's today."""

from __future__ import annotations

import pytest

from core.engine import Engine
from tests.conftest import Clock
from tests.kz_move.walk import customer


@pytest.mark.parametrize(
    ("language", "fragments"),
    [
        (
            "en",
            (
                "move by September 30, 2024. That date has passed",
                "moving is still recommended",
                "Since October 1, 2024 there is no delivery from Russia",
                "GAC market via support",
            ),
        ),
        (
            "ru",
            (
                # Babel puts a no-break space before "г.": match around it.
                "до 30 сентября 2024",
                "и этот срок прошёл",
                "доставка из России в Казахстан прекращена.",
                "на рынке GAC через службу поддержки",
            ),
        ),
    ],
)
async def test_dates_in_the_past_are_told_as_past(
    engine: Engine, language: str, fragments: tuple[str, ...]
) -> None:
    d = await customer(engine, language=language)  # the clock says November 2026
    await d.say("/move")
    d.expect(*fragments).expect_not("days left", "осталось")


@pytest.mark.parametrize(
    ("language", "fragments"),
    [
        (
            "en",
            (
                "Please move your account by September 30, 2024: 10 days left.",
                "From October 1, 2024 there will be no delivery from Russia",
            ),
        ),
        ("ru", ("до 30 сентября 2024", "осталось 10 дней", "С 1 октября 2024", "прекращается")),
    ],
)
async def test_dates_in_the_future_are_told_as_upcoming(
    engine: Engine, clock: Clock, language: str, fragments: tuple[str, ...]
) -> None:
    clock.set("2024-09-20T10:00:00+05:00")
    d = await customer(engine, language=language)
    await d.say("/move")
    d.expect(*fragments).expect_not("has passed", "прошёл")


async def test_the_deadline_day_itself(engine: Engine, clock: Clock) -> None:
    clock.set("2024-09-30T18:00:00+05:00")
    d = await customer(engine)
    await d.say("/move")
    d.expect("today: September 30, 2024 is the last day", "From October 1, 2024")
