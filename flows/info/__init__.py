"""Answers from policy: to questions asked at any step, and the menu's information pages.

A question is recognized by keywords in any of our languages (`TOPICS`, declared on the flow
for the engine to answer at any step); the answer is built from `policy` so that it always
states the rules the rest of the bot applies.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import ClassVar

import policy
from core.actions import ToMenu
from core.flow import Turn
from core.i18n import N_
from core.parsing import typed_whole_number
from core.steps import Keyboard, Problem, Step, StepFlow, Steps, Values
from core.surface import Topic
from core.types import Outcome, Reply, finish, go, rows

# Currencies named in a sentence ("paid in tenge"; Russian "в тенге", never "в KZT").
CURRENCY_NAMES = {"KZT": N_("tenge"), "KRW": N_("won")}


def _money(turn: Turn, amount: object) -> str:
    return turn.t.money(Decimal(str(amount)), policy.currency(turn.market))


def shipping(turn: Turn) -> str:
    """R-KR-SHIP-1; KZ: the fee is a setting the sources do not give."""
    config = policy.market_config(turn.market)
    if config.shipping.free_threshold is not None:
        return turn._(
            "Shipping is free for orders of {threshold} or more; below that it costs {fee}."
        ).format(
            threshold=_money(turn, config.shipping.free_threshold),
            fee=_money(turn, config.shipping.fee),
        )
    text = turn._("Shipping costs {fee} per order.").format(fee=_money(turn, config.shipping.fee))
    if config.is_sample("shipping.fee"):
        text += " " + turn._(
            "This is a sample figure, not confirmed by the company: please check with support."
        )
    return text


def delivery(turn: Turn) -> str:
    """R-KR-SHIP-2..4 (KR), R-KZ-MIG-6 (KZ), with the estimate for an order confirmed now."""
    config = policy.market_config(turn.market)
    first, last = policy.delivery_window(turn.market, turn.now, "card")
    estimate = turn._("Confirmed now, an order would arrive between {first} and {last}.").format(
        first=turn.t.day(first), last=turn.t.day(last)
    )
    if config.delivery.calendar_days is not None:
        low, high = config.delivery.calendar_days
        rule = turn._(
            "Orders ship from the {city} warehouse and take {low} to {high} days depending on "
            "the region."
        ).format(city=config.delivery.warehouse_city or "", low=low, high=high)
        return rule + "\n" + estimate
    before, after = (
        config.delivery.business_days_before_cutoff,
        config.delivery.business_days_after_cutoff,
    )
    assert before is not None and after is not None and config.delivery.card_cutoff is not None
    rule = turn._(
        "Order and payment confirmed on a weekday before {card_cutoff}: {before} business days; "
        "after it: {after} business days. Bank transfer: deposit confirmed by {bank_cutoff}: "
        "{before} business days. Parcels are not dispatched at weekends, and the carrier may "
        "shift dates."
    ).format(
        card_cutoff=f"{config.delivery.card_cutoff:%H:%M}",
        bank_cutoff=f"{config.delivery.bank_transfer_cutoff:%H:%M}"
        if config.delivery.bank_transfer_cutoff
        else "",
        before=_span(before),
        after=_span(after),
    )
    return rule + "\n" + estimate


def _span(days: tuple[int, int]) -> str:
    return f"{days[0]}-{days[1]}"


def payment(turn: Turn) -> str:
    """R-KR-PAY-1..3 (KR), R-KZ-MIG-6 (KZ)."""
    config = policy.market_config(turn.market)
    if config.payment.card_issuer_countries is not None:
        countries = ", ".join(
            turn.t.country(code) for code in sorted(config.payment.card_issuer_countries)
        )
        return turn._(
            "Orders are paid in {currency} by card. Cards issued by banks of these countries are "
            "accepted: {countries}."
        ).format(currency=turn._(CURRENCY_NAMES[config.currency]), countries=countries)
    return turn._(
        "Card: every order (payments of {threshold} or more online need certificate "
        "authentication). Bank transfer: pay within {days} days under your name and member "
        "number, or the order is cancelled; an order on the month's closing day must be paid by "
        "the month's last day. Cash: only at the business center."
    ).format(
        threshold=_money(turn, config.payment.certificate_threshold),
        days=config.payment.bank_transfer_days,
    )


def weekly_hours(turn: Turn, weekly: tuple[policy.OpeningHours | None, ...]) -> str:
    """'Mon-Fri 09:00-18:00, Sat 09:00-13:00' in the user's language; closed days left out."""
    day_names = turn.t.locale.days["format"]["abbreviated"]
    runs: list[tuple[int, int, policy.OpeningHours]] = []
    for day, hours_of_day in enumerate(weekly):
        if hours_of_day is None:
            continue
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == hours_of_day:
            runs[-1] = (runs[-1][0], day, hours_of_day)
        else:
            runs.append((day, day, hours_of_day))
    parts = []
    for first, last, opening in runs:
        days = day_names[first] if first == last else f"{day_names[first]}-{day_names[last]}"
        parts.append(f"{days} {opening.opens:%H:%M}-{opening.closes:%H:%M}")
    return ", ".join(parts)


def hours(turn: Turn) -> str:
    """R-KR-ORD-5, R-KR-ORD-6, R-KZ-SUP-1: from the market's data, in its local time."""
    config = policy.market_config(turn.market)
    support = turn._("Customer support {phones}: {hours} (local time).").format(
        phones=", ".join(config.support.phones), hours=weekly_hours(turn, config.support.hours)
    )
    # Each says whether it is open now: "Closed now." after the business center's hours read
    # as the business center's, though it meant phone support.
    support += " " + (
        turn._("Phone support is open now.")
        if policy.support_is_open(turn.market, turn.now)
        else turn._("Phone support is closed now.")
    )
    if config.business_center.hours is None:
        return support
    center = turn._("Business center ({address}): {hours}.").format(
        address=config.business_center.address,
        hours=weekly_hours(turn, config.business_center.hours),
    )
    center += " " + (
        turn._("The business center is open now.")
        if policy.business_center_is_open(turn.market, turn.now)
        else turn._("The business center is closed now.")
    )
    return support + "\n" + center


def lrp(turn: Turn) -> str:
    """R-KR-LRP-1..4; KZ: R-KZ-MIG-5 (a new template after the move)."""
    if turn.market == "KZ":
        return turn._(
            "After moving to the Kazakhstan market, create a new LRP template in your Virtual "
            "Office. Templates of other markets are deleted only by support."
        )
    return turn._(
        "The loyalty auto-order (LRP) is paid by credit card and shipped every month on your "
        "chosen day, and earns points; there is no minimum quantity or duration. Apply on the "
        "website, at the business center or by fax (not by phone); at the business center or by "
        "fax the orderer and the payer must be the same person, or the application may be "
        "refused. Changes or cancellation must be requested in writing (a message in this chat "
        "counts) and reach the company at least {days} business days before the order date; "
        "later requests apply from the following month."
    ).format(days=policy.market_config(turn.market).lrp.change_notice_business_days)


def returns(turn: Turn) -> str:
    """R-KR-RET-1..4, from the market's data; a market whose sources give no return rules
    (KZ) is routed to support."""
    config = policy.market_config(turn.market)
    if not config.returns.member_fee_tiers:
        return turn._("Return rules for Kazakhstan are handled by support: please contact them.")
    tiers = config.returns.member_fee_tiers
    fees = ", ".join(_fee_tier(turn, months, rate) for months, rate in tiers)
    card_low, card_high = config.returns.card_refund_visible_business_days or (0, 0)
    return turn._(
        "Members may withdraw in writing within {months} months of the contract. Fee by time "
        "since supply: {fees}. The refund is the price less bonuses paid on it and the fee, "
        "within {refund_days} business days of receipt (card refunds show {card_low}-{card_high} "
        "business days after cancellation). Apply through customer support {phone}, then send "
        "the return form and transaction statement to: {address}. Retail customers return goods "
        "to the consultant who sold them, within {consumer_days} days of the contract, or of "
        "receiving the goods when they arrived later."
    ).format(
        months=tiers[-1].up_to_months,
        fees=fees,
        refund_days=config.returns.refund_business_days,
        card_low=card_low,
        card_high=card_high,
        phone=config.support.phones[0],
        address=config.returns.address,
        consumer_days=config.returns.consumer_withdrawal_days,
    )


def _fee_tier(turn: Turn, months: int, rate: Decimal) -> str:
    if rate == 0:
        return turn.ngettext(
            "up to {months} month: no fee", "up to {months} months: no fee", months
        ).format(months=months)
    return turn.ngettext(
        "up to {months} month: at most {rate}", "up to {months} months: at most {rate}", months
    ).format(months=months, rate=f"{(rate * 100).normalize():f}%")


ANSWERS: dict[str, Callable[[Turn], str]] = {
    "shipping": shipping,
    "delivery": delivery,
    "payment": payment,
    "hours": hours,
    "lrp": lrp,
    "returns": returns,
}
# Questions answered at any step, by keywords in any of our languages. Order matters: the
# first topic whose pattern matches answers.
TOPICS: tuple[Topic, ...] = (
    Topic(
        "shipping",
        r"shipping (fee|cost)|delivery (fee|cost|charge)|how much.*(shipping|delivery)"
        r"|배송비|택배비|стоимость доставки|сколько.*доставк|доставка.*(стоит|платн)",
        shipping,
    ),
    Topic(
        "delivery",
        r"when will|how long|delivery time|arriv|언제.*(도착|와|오)|배송.*(기간|얼마나|며칠)"
        r"|срок.*доставк|когда.*(прид|доставят|привез)|сколько дней",
        delivery,
    ),
    Topic("lrp", r"\blrp\b|auto-?order|loyalty|자동\s*주문|автозаказ|шаблон", lrp),
    Topic("returns", r"\breturn|refund|반품|환불|교환|возврат|вернуть", returns),
    Topic(
        "payment",
        r"\bpay(ment)?\b|bank transfer|\bcard\b|결제|입금|카드|оплат|перевод|карт",
        payment,
    ),
    Topic(
        "hours",
        r"opening hours|\bhours\b|\bopen\b|영업\s*시간|운영\s*시간|몇 시"
        r"|часы работы|график|работает",
        hours,
    ),
)


def lrp_deadline_text(turn: Turn, day: int) -> str:
    """R-KR-LRP-3 for a run day: the next run and the last moment to change it; past that
    moment, the run the change will apply to instead (never a deadline in the past)."""
    tz = policy.market_config(turn.market).timezone
    run = policy.lrp_next_run(turn.market, day, policy.local_date(turn.market, turn.now))
    cutoff = policy.lrp_change_cutoff(turn.market, run)
    if turn.now <= cutoff:
        return turn._(
            "Your next auto-order runs on {run}. To change or cancel it, the company must "
            "receive your request by {cutoff}."
        ).format(run=turn.t.day(run), cutoff=turn.t.moment(cutoff, tz))
    applies = policy.lrp_change_takes_effect(turn.market, turn.now, day)
    return turn._(
        "Your next auto-order runs on {run}; it is too late to change that one (the deadline "
        "was {cutoff}). A change or cancellation sent now applies from the run on {applies}; "
        "send it by {next_cutoff}."
    ).format(
        run=turn.t.day(run),
        cutoff=turn.t.moment(cutoff, tz),
        applies=turn.t.day(applies),
        next_cutoff=turn.t.moment(policy.lrp_change_cutoff(turn.market, applies), tz),
    )


def _run_day(turn: Turn, text: str) -> int | Problem:
    day = typed_whole_number(text, 1, 31)
    if day is None:
        return Problem(turn._("Please send a day of the month as a number from 1 to 31."))
    return day


async def _deadline(turn: Turn, day: int) -> Outcome:
    try:
        return finish(Reply(lrp_deadline_text(turn, day)))
    except policy.NotSpecifiedError:  # a market whose sources give no change deadline
        return finish(Reply(lrp(turn)))


def _menu_button(turn: Turn, values: Values) -> Keyboard:
    return rows([ToMenu().button(turn._("Menu"))])


# The LRP deadline question. "shown" is left at once (the page is said and the flow finishes)
# unless the page asks it; a conversation found there is asked it too.
_lrp_day = partial(
    Step,
    text=N_(
        "On which day of the month does your auto-order run (1-31)? I will tell you the last "
        "day to change it."
    ),
    buttons=_menu_button,
    validate=_run_day,
    answer=_deadline,
    number=True,  # "1" is the first of the month, never the Menu button
    help=N_("Send the day of the month your auto-order runs, e.g. 15."),
)


class Info(StepFlow):
    """Information pages from the menu; for LRP it also works out the change deadline."""

    name = "info"
    steps = Steps(_lrp_day("shown"), _lrp_day("lrp_day", free_text=True))
    states: ClassVar = steps.states
    transitions: ClassVar = [{"trigger": "ask_lrp_day", "source": "shown", "dest": "lrp_day"}]
    initial = "shown"
    free_text_states = steps.free_text
    # The menu's "Auto-order (LRP)" and "Return" are their flows'; the auto-order's rules page
    # opens this flow with "lrp" (the rules and the change deadline for a run day).
    topics = TOPICS

    async def begin(self, turn: Turn, args: str) -> Outcome:
        topic = args if args in ANSWERS else "hours"
        if topic == "lrp" and turn.market == "KR":
            return go("ask_lrp_day", Reply(lrp(turn)))
        return finish(Reply(ANSWERS[topic](turn)))
