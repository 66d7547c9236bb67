"""The auto-order's set-up after the products: the day, address, phone, card confirmation
(R-KR-LRP-2, R-KR-LRP-4), the summary and the template's creation. The day and the address also
serve one change of a template in focus (the mode in flows/lrp/common.py)."""

from __future__ import annotations

from core.flow import Turn
from core.i18n import N_
from core.parsing import typed_whole_number
from core.steps import Problem
from core.types import Button, Outcome, Reply, go, invalid, rows, stale
from flows.lrp import texts
from flows.lrp.actions import (
    CardOk,
    Create,
    Day,
    SavedAddress,
    SavedPhone,
    SavedRecipient,
    ToAddress,
    ToDay,
    ToTemplate,
)
from flows.lrp.common import (
    ADDRESS,
    DAY,
    NEW,
    _saved,
    cart,
    focused,
    list_button,
    mode,
)
from flows.shopping.actions import ToCart
from flows.shopping.cart import subtotal
from flows.shopping.common import back_to_cart_button, catalog, menu_button
from flows.shopping.delivery import DeliverySteps, phone_noted
from flows.shopping.phone import display
from flows.shopping.recipient import RecipientStep
from flows.shopping.views import cart_summary, cart_text
from services import lrp
from services.orders import quote
from storage.records import LrpLine

DAY_CHOICES = (1, 5, 10, 15, 20, 25, 28)
YES_WORDS = (
    "yes",
    "ok",
    "confirm",
    "agree",
    "네",
    "예",
    "확인",
    "동의",
    "да",
    "подтвержда",
    "соглас",
)


# -- day -------------------------------------------------------------------------------------
async def day_prompt(turn: Turn) -> list[Reply]:
    text = turn._(
        "On which day of the month should your auto-order run? Tap a day or type one from 1 "
        "to 31. In months without that day (29-31), it runs on the month's last day."
    )
    days = [Day(n).button(str(n)) for n in DAY_CHOICES]
    back = _back_button(turn)
    return [Reply(text, (*rows(days, per_row=4), (back,)))]


def _back_button(turn: Turn) -> Button:
    if mode(turn) == NEW:
        return back_to_cart_button(turn)
    return ToTemplate().button(turn._("⬅ Back"))


def typed_day(turn: Turn, text: str) -> int | Problem:
    day = typed_whole_number(text, 1, 31)
    if day is None:
        return Problem(turn._("Please send a day of the month as a number from 1 to 31."))
    return day


async def day_tapped(turn: Turn, tapped: Day) -> Outcome:
    return await chose_day(turn, tapped.n)


async def chose_day(turn: Turn, day: int) -> Outcome:
    if mode(turn) == DAY:
        template = await focused(turn)
        if template is None:
            return stale()
        applied = await lrp.change(turn.tx, template, turn.now, day=day)
        note = _saved(turn) + " " + texts.applied_text(turn, template, applied)
        return go("to_template", Reply(note))
    turn.data["day"] = day
    return go("to_address")


# -- address and phone: the shared delivery questions (flows/shopping/delivery.py) --------
async def _phone(turn: Turn, phone: str) -> Outcome:
    noted = phone_noted(turn, phone)
    address = turn.data.get("address")
    if mode(turn) == ADDRESS:
        template = await focused(turn)
        if template is None or not isinstance(address, str):
            return stale()
        applied = await lrp.change(turn.tx, template, turn.now, address=address, phone=phone)
        note = _saved(turn) + " " + texts.applied_text(turn, template, applied)
        return go("to_template", noted, Reply(note))
    turn.data["phone"] = phone
    return go("to_recipient", noted)


async def _recipient(turn: Turn, name: str) -> Outcome:
    turn.data["recipient"] = name
    return go("to_payment")


DELIVERY = DeliverySteps(
    SavedAddress,
    SavedPhone,
    _back_button,
    N_(
        "Where should we deliver each month? Type the full address: city, street, building and "
        "apartment."
    ),
    _phone,
)
RECIPIENT = RecipientStep(SavedRecipient, _back_button, _recipient)


# -- payment: card only (R-KR-LRP-4), orderer = payer (R-KR-LRP-2) ----------------------------
async def payment_prompt(turn: Turn) -> list[Reply]:
    text = turn._(
        "Auto-orders are paid by credit card only. Each month a staff member contacts you to "
        "take the card payment: never send a card number in this chat. The person who orders "
        "must also be the one who pays."
    )
    if turn.market == "KZ":
        text += "\n" + turn._(
            "In Kazakhstan the card must be issued by a bank of Kazakhstan, Kyrgyzstan, Armenia "
            "or Belarus."
        )
    confirm = CardOk().button(turn._("✅ I pay by card and I am the payer"))
    return [Reply(text, rows([confirm, back_to_cart_button(turn)], per_row=1))]


async def card_ok(turn: Turn, tapped: CardOk | None = None) -> Outcome:
    turn.data["card_ok"] = True
    return go("to_review")


async def payment_typed(turn: Turn, text: str) -> Outcome:
    folded = text.casefold()
    if any(word in folded for word in YES_WORDS):
        return await card_ok(turn)
    return invalid(
        turn._(
            "Auto-orders are paid by card only. Tap “I pay by card and I am the payer” to go on, "
            "or send /support."
        )
    )


# -- review ----------------------------------------------------------------------------------
def _details(turn: Turn) -> tuple[int, str, str, str] | None:
    """Day, address, phone and recipient of this set-up; None if one is missing."""
    day, *texts_given = (turn.data.get(key) for key in ("day", "address", "phone", "recipient"))
    if not (isinstance(day, int) and all(isinstance(x, str) and x for x in texts_given)):
        return None
    address, phone, recipient = (str(x) for x in texts_given)
    return day, address, phone, recipient


async def review_prompt(turn: Turn) -> list[Reply]:
    lines = cart(turn).lines(catalog(turn))
    details = _details(turn)
    if not lines or details is None or not turn.data.get("card_ok"):
        resume = ToCart().button(turn._("➡️ Continue the set-up"))
        return [Reply(turn._("Some details of your auto-order are missing."), ((resume,),))]
    day, address, phone, recipient = details
    first = lrp.first_open_run(turn.market, day, turn.now)
    totals = quote(turn.market, subtotal(lines))
    contents = cart_text(turn, lines, totals)
    text = "\n\n".join(
        [
            turn._("Please check your auto-order:"),
            contents,
            "\n".join(
                [
                    turn._("Runs on {day}.").format(day=texts.day_text(turn, day)),
                    turn._("First run: {run}.").format(run=turn.t.day(first)),
                    texts.deadline_text(turn, turn.market, first),
                    turn._("Deliver to: {address}").format(address=address),
                    *texts.recipient_lines(turn, recipient),
                    turn._("Phone: {phone}").format(phone=display(phone, turn.market)),
                    turn._("Payment: credit card (a staff member takes it each month)."),
                ]
            ),
            turn._(
                "Prices and the shipping fee are those of the catalogue on each run day; "
                "shipping follows the market's rule for each order's total."
            )
            + "\n"
            + texts.points_text(turn, turn.market),
        ]
    )
    buttons = rows(
        [
            Create().button(turn._("✅ Create the auto-order")),
            ToCart().button(turn._("✏️ Edit products")),
            ToDay().button(turn._("📅 Change the day")),
            ToAddress().button(turn._("📍 Change the address")),
        ],
        per_row=1,
    )
    return [Reply(text, buttons, summary=cart_summary(turn, lines, totals, contents))]


async def create_tapped(turn: Turn, tapped: Create) -> Outcome:
    lines = cart(turn).lines(catalog(turn))
    details = _details(turn)
    if not lines or details is None or not turn.data.get("card_ok"):
        return stale()
    day, address, phone, recipient = details
    template = await lrp.create(
        turn.tx,
        turn.user.id,
        turn.market,
        [LrpLine(x.product.sku, x.product.name("en"), x.quantity) for x in lines],
        day,
        address,
        phone,
        turn.now,
        recipient_name=recipient,
    )
    cart(turn).clear()
    turn.data["tid"] = template.id
    return go("create")


async def created_prompt(turn: Turn) -> list[Reply]:
    template = await focused(turn)
    buttons = rows([list_button(turn), menu_button(turn)])
    if template is None:
        return [Reply(turn._("Your auto-order is set up: find it under My auto-orders."), buttons)]
    text = "\n".join(
        [
            turn._("✅ Your auto-order #{id} is set up. First run: {run}.").format(
                id=template.id, run=turn.t.day(template.next_run)
            ),
            texts.deadline_text(turn, template.market, template.next_run),
            turn._("Before each run I will remind you, with buttons to change or skip it."),
        ]
    )
    return [Reply(text, buttons)]
