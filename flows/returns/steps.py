"""The return flow's steps: what each state shows, the buttons it takes and its typed answers.

The customer's answers are kept in the flow's slots until the request is sent: the order
(`order_id`, `order_number`, `purchased_on`), the goods (`lines`, with `picked` quantities, or
`goods` and `amount` for an order made elsewhere), `kind`, `delivered_on` and `reason`. The
quote is worked out from them by policy each time it is shown; the request stores it as
quoted. `rid` is the request this conversation sent: a second Send finds it and makes none.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import policy
from core.flow import Turn
from core.i18n import N_
from core.steps import Keyboard, Problem, Step, Steps, Validator, Values
from core.types import Button, Kind, Outcome, Reply, go, invalid, quiet, rows, stale, stay, switch
from flows.returns import texts
from flows.returns.actions import (
    MAX_LINES,
    AllLines,
    AskSupport,
    CancelAsk,
    CancelNo,
    CancelYes,
    Elsewhere,
    Line,
    LinesDone,
    MyReturns,
    NewReturn,
    NotLater,
    OpenReturn,
    PickOrder,
    Rules,
    Submit,
    Who,
    Why,
)
from flows.returns.checks import typed_amount, typed_date, typed_order
from flows.shopping.common import menu_button
from services import orders, returns
from services.tickets import open_ticket, relay_customer_text
from storage.records import Order, ReturnLine, ReturnRequest

NAME = "returns"
RECENT = 8
RECENT_REQUESTS = 10

HELP = {
    "order": N_(
        "Tap the order to return goods from, or type the order number and the purchase date of "
        "an order made elsewhere, e.g. 12345678 2026-11-02."
    ),
    "elsewhere": N_(
        "Type the order number and the purchase date, e.g. 12345678 2026-11-02 (business "
        "center, phone or website orders)."
    ),
    "goods": N_("Type the products you return and how many, e.g. Lavender 15 ml × 2."),
    "amount": N_("Type what you paid for these goods, as a whole number, e.g. 52000."),
    "lines": N_(
        "Tap a product to return one more of it (after all of them it goes back to none), "
        "All for everything, then Continue."
    ),
    "who": N_("Tap who is returning the goods."),
    "delivered": N_(
        "If the goods arrived later than the purchase date, type the delivery date, e.g. "
        "2026-11-20; otherwise tap “Not later”."
    ),
    "reason": N_("Tap a reason, or type it in a few words."),
    "quote": N_("Tap Send the request, or go back to the menu."),
    "created": N_(
        "Send photos of the goods or a message for staff if you like, or tap My returns or Menu."
    ),
    "list": N_("Tap a request to see it, or start a new return."),
    "request": N_("Tap a button below: cancel the request while it waits, or go back."),
    "confirm_cancel": N_("Tap “Yes, cancel it” or “No, keep it”."),
}


def help_text(turn: Turn, state: str) -> str:
    return turn._(HELP[state])


def _my_returns_button(turn: Turn) -> Button:
    return MyReturns().button(turn._("📋 My returns"))


def _local_today(turn: Turn) -> date:
    return policy.local_date(turn.market, turn.now)


def _purchased_on(turn: Turn) -> date:
    return date.fromisoformat(str(turn.data["purchased_on"]))


def start_fresh(turn: Turn) -> None:
    """A new return: nothing of an earlier one is carried over."""
    turn.data.clear()


# -- order -----------------------------------------------------------------------------------
async def order_prompt(turn: Turn) -> list[Reply]:
    recent = [
        o
        for o in await turn.tx.orders.recent(turn.user.id, RECENT)
        if o.status in orders.RETURNABLE and o.market == turn.market
    ]
    text = turn._("Which order are you returning goods from?")
    if not recent:
        text = turn._("I found no paid orders of yours here.") + " " + text
    buttons = [
        PickOrder(o.id).button(
            f"{o.number} · {turn.t.day(policy.local_date(o.market, o.placed_at))}"
        )
        for o in recent
    ]
    buttons.append(Elsewhere().button(turn._("An order made elsewhere")))
    buttons.append(Rules().button(turn._("📜 Return rules")))
    if await turn.tx.returns.of_user(turn.user.id, 1):
        buttons.append(_my_returns_button(turn))
    buttons.append(menu_button(turn))
    return [Reply(text, rows(buttons, per_row=1))]


async def order_picked(turn: Turn, tapped: PickOrder) -> Outcome:
    order = await orders.owned(turn.tx, turn.user.id, tapped.id)
    return stale() if order is None else choose_order(turn, order)


def choose_order(turn: Turn, order: Order) -> Outcome:
    """An order of ours: its lines to pick from (an unpaid or cancelled one cannot return;
    one of the other market is quoted by that market's rules, so it is not offered here)."""
    if order.market != turn.market:
        return stay(Reply(not_found_text(turn, order.number)))
    if order.status not in orders.RETURNABLE:
        said = turn._(
            "Order {number} is not paid, so there is nothing to return: an unpaid order can be "
            "cancelled in My orders."
        ).format(number=order.number)
        return stay(Reply(said))
    start_fresh(turn)
    turn.data.update(
        order_id=order.id,
        order_number=order.number,
        purchased_on=policy.local_date(order.market, order.placed_at).isoformat(),
        lines=[
            {
                "sku": line.sku,
                "name": line.name,  # as stored (English): staff read it; shown translated
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
            }
            for line in order.lines[:MAX_LINES]
        ],
        picked=[0] * min(len(order.lines), MAX_LINES),
    )
    return go("to_lines")


def not_found_text(turn: Turn, number: str) -> str:
    return turn._("I could not find order {number} among your orders.").format(number=number)


def required(state: str) -> Validator:
    """A typed answer must say something (a photo or a sticker is no order number)."""

    def check(turn: Turn, text: str) -> str | Problem:
        return text or Problem(help_text(turn, state))

    return check


async def order_typed(turn: Turn, text: str) -> Outcome:
    """Our order's number, or an order made elsewhere: its number and purchase date."""
    order = await turn.tx.orders.by_number(text.upper())
    if order is not None and order.user_id == turn.user.id:
        return choose_order(turn, order)
    return await elsewhere_typed(turn, text)


async def rules_tapped(turn: Turn, tapped: Rules) -> Outcome:
    return switch("info", "returns")


async def elsewhere_tapped(turn: Turn, tapped: Elsewhere) -> Outcome:
    return go("to_elsewhere")


async def elsewhere_typed(turn: Turn, text: str) -> Outcome:
    typed = typed_order(text)
    if typed is None:
        return invalid(help_text(turn, turn.conv.state))
    number, bought = typed
    if bought > _local_today(turn):
        return invalid(turn._("The purchase date cannot be in the future."))
    start_fresh(turn)
    turn.data.update(order_number=number, purchased_on=bought.isoformat())
    return go("to_goods")


async def goods_typed(turn: Turn, text: str) -> Outcome:
    turn.data["goods"] = policy.mask_secrets(text)[:300]
    return go("to_amount")


def amount_check(turn: Turn, text: str) -> Decimal | Problem:
    amount = typed_amount(text)
    return amount if amount is not None else Problem(help_text(turn, "amount"))


async def amount_typed(turn: Turn, amount: Decimal) -> Outcome:
    turn.data["amount"] = str(amount)
    return go("to_who")


# -- lines -----------------------------------------------------------------------------------
async def lines_prompt(turn: Turn) -> list[Reply]:
    lines, picked = turn.data.get("lines", []), turn.data.get("picked", [])
    text = turn._(
        "Order {order}: which products are you returning? Tap a product once for each one."
    ).format(order=turn.data.get("order_number", ""))
    buttons = [
        Line(index).button(
            f"{texts.line_name(turn, line['sku'], line['name'])} "
            f"({picked[index]}/{line['quantity']})"
        )
        for index, line in enumerate(lines)
    ]
    buttons += [
        AllLines().button(turn._("All of them")),
        LinesDone().button(turn._("Continue ▶️")),
        menu_button(turn),
    ]
    return [Reply(text, rows(buttons, per_row=1))]


async def line_tapped(turn: Turn, tapped: Line) -> Outcome:
    lines, picked = turn.data.get("lines", []), list(turn.data.get("picked", []))
    if tapped.index >= len(lines):
        return stale()
    picked[tapped.index] = (picked[tapped.index] + 1) % (int(lines[tapped.index]["quantity"]) + 1)
    turn.data["picked"] = picked
    return stay()


async def all_tapped(turn: Turn, tapped: AllLines) -> Outcome:
    turn.data["picked"] = [int(line["quantity"]) for line in turn.data.get("lines", [])]
    return stay()


async def lines_done(turn: Turn, tapped: LinesDone) -> Outcome:
    if not any(turn.data.get("picked", [])):
        return invalid(turn._("Pick at least one product: tap it, or tap All of them."))
    return go("to_who")


# -- who, delivered, reason ------------------------------------------------------------------
def who_buttons(turn: Turn, values: Values) -> Keyboard:
    return rows(
        [
            Who("member").button(turn._("I am a member: my own purchase")),
            Who("consumer").button(turn._("I bought from a member (retail customer)")),
        ],
        per_row=1,
    )


async def who_tapped(turn: Turn, tapped: Who) -> Outcome:
    turn.data["kind"] = tapped.kind
    if tapped.kind == "consumer":
        return go("to_delivered", Reply(texts.consumer_note(turn)))
    return go("to_delivered")


def delivered_values(turn: Turn) -> Values:
    return {"day": turn.t.day(_purchased_on(turn))}


def delivered_buttons(turn: Turn, values: Values) -> Keyboard:
    return rows([NotLater().button(turn._("Not later"))])


async def not_later(turn: Turn, tapped: NotLater) -> Outcome:
    turn.data["delivered_on"] = None
    return go("to_reason")


def delivered_check(turn: Turn, text: str) -> date | Problem:
    day, _ = typed_date(text)
    if day is None:
        return Problem(help_text(turn, "delivered"))
    if day < _purchased_on(turn) or day > _local_today(turn):
        return Problem(turn._("The delivery date must lie between the purchase date and today."))
    return day


async def delivered_typed(turn: Turn, day: date) -> Outcome:
    turn.data["delivered_on"] = day.isoformat() if day > _purchased_on(turn) else None
    return go("to_reason")


def reason_buttons(turn: Turn, values: Values) -> Keyboard:
    return rows([Why(key).button(turn._(label)) for key, label in texts.REASONS.items()])


async def reason_tapped(turn: Turn, tapped: Why) -> Outcome:
    if tapped.key == "other":
        return quiet(Reply(turn._("Please type the reason in a few words.")))
    turn.data["reason"] = texts.REASONS[tapped.key]  # the English words: staff read them
    return go("to_quote")


async def reason_typed(turn: Turn, text: str) -> Outcome:
    turn.data["reason"] = policy.mask_secrets(text)[:300]
    return go("to_quote")


# -- quote -----------------------------------------------------------------------------------
def chosen_lines(turn: Turn) -> list[ReturnLine]:
    """What is returned: the picked quantities of our order's lines, or the goods typed."""
    if "goods" in turn.data:
        return [ReturnLine("", str(turn.data["goods"]), 1, Decimal(str(turn.data["amount"])))]
    picked = turn.data.get("picked", [])
    return [
        ReturnLine(str(line["sku"]), str(line["name"]), picked[i], Decimal(str(line["unit_price"])))
        for i, line in enumerate(turn.data.get("lines", []))
        if picked[i]
    ]


def quote_now(turn: Turn) -> tuple[policy.ReturnQuote, list[ReturnLine], Decimal]:
    lines = chosen_lines(turn)
    amount = sum((line.unit_price * line.quantity for line in lines), Decimal(0))
    delivered = turn.data.get("delivered_on")
    quote = policy.return_quote(
        turn.market,
        str(turn.data["kind"]),
        _purchased_on(turn),
        _local_today(turn),
        amount,
        date.fromisoformat(delivered) if delivered else None,
    )
    return quote, lines, amount


async def quote_prompt(turn: Turn) -> list[Reply]:
    quote, lines, amount = quote_now(turn)
    currency = policy.currency(turn.market)
    head = turn._("Return from order {order}:").format(order=turn.data.get("order_number", ""))
    text = f"{head}\n{texts.lines_text(turn, lines, currency)}\n\n"
    text += texts.quote_text(turn, quote, amount, currency)
    if quote.eligible or quote.reason == "not_specified":
        buttons = [Submit().button(turn._("✅ Send the request")), menu_button(turn)]
    else:
        buttons = [AskSupport().button(turn._("💬 Talk to support")), menu_button(turn)]
    return [Reply(text, rows(buttons, per_row=1))]


async def submit_tapped(turn: Turn, tapped: Submit) -> Outcome:
    """One request per confirmation: a repeat finds the request this conversation sent."""
    sent = turn.data.get("rid")
    if isinstance(sent, int):
        return go("submit")
    quote, lines, amount = quote_now(turn)
    if not (quote.eligible or quote.reason == "not_specified"):
        return stale()
    ticket, _ = await open_ticket(
        turn,
        "return",
        f"{NAME}:quote",
        turn._("Return request for order {order}").format(order=turn.data.get("order_number", "")),
    )
    delivered = turn.data.get("delivered_on")
    request = ReturnRequest(
        id=0,
        number="",
        market=turn.market,
        user_id=turn.user.id,
        order_id=turn.data.get("order_id"),
        order_number=str(turn.data["order_number"]),
        purchased_on=_purchased_on(turn),
        delivered_on=date.fromisoformat(delivered) if delivered else None,
        requested_on=_local_today(turn),
        kind=str(turn.data["kind"]),
        reason=str(turn.data["reason"]),
        lines=lines,
        currency=policy.currency(turn.market),
        amount=amount,
        eligible=quote.eligible,
        fee_rate=quote.fee_rate,
        fee=quote.fee,
        refund=quote.refund,
        quote_reason=quote.reason,
        deadline=quote.deadline,
        handled_by=quote.handled_by,
        status=returns.REQUESTED,
    )
    customer = turn.user.display_name or turn.user.external_id
    await returns.submit(turn.tx, request, ticket, customer, turn.now)
    turn.data["rid"] = request.id
    return go("submit")


async def support_tapped(turn: Turn, tapped: AskSupport) -> Outcome:
    said = turn._("I would like to return goods from order {order}.").format(
        order=turn.data.get("order_number", "")
    )
    return switch("support", f"{NAME}:quote {said}")


# -- created ---------------------------------------------------------------------------------
async def _own_request(turn: Turn, rid: object) -> ReturnRequest | None:
    """The customer's own return request `rid`; None for another's, a gone one, or no id."""
    request = await turn.tx.returns.get(rid) if isinstance(rid, int) else None
    return request if request is not None and request.user_id == turn.user.id else None


async def _sent(turn: Turn) -> ReturnRequest | None:
    return await _own_request(turn, turn.data.get("rid"))


async def created_prompt(turn: Turn) -> list[Reply]:
    request = await _sent(turn)
    buttons = rows([_my_returns_button(turn), menu_button(turn)])
    if request is None:
        return [Reply(turn._("This return request was not found."), buttons)]
    return [Reply(texts.created_text(turn, request, request.ticket_id or 0), buttons)]


async def for_staff(turn: Turn, text: str) -> Outcome:
    """After the request, photos and words go to staff in the customer's support thread (the
    request's, or a new one if staff closed it meanwhile)."""
    request = await _sent(turn)
    event = turn.event
    if request is None or not (text or event.kind is Kind.MEDIA):
        return invalid(help_text(turn, "created"))
    ticket, _ = await open_ticket(turn, "return", f"{NAME}:created")
    if event.kind is Kind.MEDIA:
        caption = f"{request.number}: {event.text}".strip(": ")
        await relay_customer_text(
            turn.tx, ticket, caption, turn.now, event.message_id, event.attachment
        )
        said = turn._("Thank you: the photo is with your request {number}.")
    else:
        await relay_customer_text(turn.tx, ticket, text, turn.now, event.message_id)
        said = turn._("Sent to staff with your request {number}.")
    return quiet(Reply(said.format(number=request.number)))


# -- my returns ------------------------------------------------------------------------------
async def list_prompt(turn: Turn) -> list[Reply]:
    found = await turn.tx.returns.of_user(turn.user.id, RECENT_REQUESTS)
    new = NewReturn().button(turn._("↩️ New return"))
    if not found:
        return [Reply(turn._("You have no return requests yet."), rows([new, menu_button(turn)]))]
    text = (
        turn._("Your return requests:")
        + "\n"
        + "\n".join(texts.request_summary(turn, r) for r in found)
    )
    buttons = [OpenReturn(r.id).button(r.number) for r in found]
    return [Reply(text, rows([*buttons, new, menu_button(turn)], per_row=1))]


async def list_tapped(turn: Turn, tapped: MyReturns) -> Outcome:
    return go("to_list")


async def new_tapped(turn: Turn, tapped: NewReturn) -> Outcome:
    start_fresh(turn)
    return go("to_order")


async def open_tapped(turn: Turn, tapped: OpenReturn) -> Outcome:
    request = await _own_request(turn, tapped.id)
    if request is None:
        return stale()
    turn.data["open"] = request.id
    return go("to_request")


async def _opened(turn: Turn) -> ReturnRequest | None:
    return await _own_request(turn, turn.data.get("open"))


async def request_prompt(turn: Turn) -> list[Reply]:
    request = await _opened(turn)
    back = _my_returns_button(turn)
    if request is None:
        return [Reply(turn._("This return request was not found."), rows([back]))]
    buttons = [back, menu_button(turn)]
    if request.status == returns.REQUESTED:
        buttons.insert(0, CancelAsk().button(turn._("❌ Cancel the request")))
    return [Reply(texts.request_text(turn, request), rows(buttons, per_row=1))]


async def cancel_asked(turn: Turn, tapped: CancelAsk) -> Outcome:
    request = await _opened(turn)
    if request is None or request.status != returns.REQUESTED:
        return stale()
    return go("ask_cancel")


async def confirm_cancel_prompt(turn: Turn) -> list[Reply]:
    request = await _opened(turn)
    number = request.number if request else ""
    text = turn._("Cancel return request {number}?").format(number=number)
    buttons = (
        CancelYes().button(turn._("Yes, cancel it")),
        CancelNo().button(turn._("No, keep it")),
    )
    return [Reply(text, (buttons,))]


async def cancel_confirmed(turn: Turn, tapped: CancelYes) -> Outcome:
    request = await _opened(turn)
    if request is None or not await returns.cancel_for_customer(turn.tx, request, turn.now):
        said = turn._("This request can no longer be cancelled: staff have decided on it.")
        return go("to_request", Reply(said))
    said = turn._("Return request {number} is cancelled.").format(number=request.number)
    return go("to_request", Reply(said))


async def cancel_kept(turn: Turn, tapped: CancelNo) -> Outcome:
    return go("to_request")


STEPS = Steps(
    Step(
        "order",
        prompt=order_prompt,
        on={PickOrder: order_picked, Elsewhere: elsewhere_tapped, Rules: rules_tapped},
        validate=required("order"),
        answer=order_typed,
        help=HELP["order"],
    ),
    Step(
        "elsewhere",
        text=N_(
            "Type the order number and the purchase date, e.g. 12345678 2026-11-02 (an order "
            "made at the business center, by phone or on the website)."
        ),
        buttons=lambda turn, values: rows([menu_button(turn)]),
        answer=elsewhere_typed,
        help=HELP["elsewhere"],
        free_text=True,
    ),
    Step(
        "goods",
        text=N_("Which products are you returning, and how many? E.g. Lavender 15 ml × 2."),
        validate=required("goods"),
        answer=goods_typed,
        help=HELP["goods"],
        free_text=True,
    ),
    Step(
        "amount",
        text=N_("How much did you pay for these goods? Type the amount, e.g. 52000."),
        validate=amount_check,
        answer=amount_typed,
        help=HELP["amount"],
        number=True,
    ),
    Step(
        "lines",
        prompt=lines_prompt,
        on={Line: line_tapped, AllLines: all_tapped, LinesDone: lines_done},
        help=HELP["lines"],
    ),
    Step(
        "who",
        text=N_("Who is returning the goods?"),
        buttons=who_buttons,
        on={Who: who_tapped},
        help=HELP["who"],
    ),
    Step(
        "delivered",
        text=N_(
            "You bought them on {day}. Did the goods arrive later than that? Then type the "
            "delivery date, e.g. 2026-11-20; if not, tap “Not later”."
        ),
        values=delivered_values,
        buttons=delivered_buttons,
        on={NotLater: not_later},
        validate=delivered_check,
        answer=delivered_typed,
        help=HELP["delivered"],
    ),
    Step(
        "reason",
        text=N_("Why are you returning the goods? Tap a reason, or type it."),
        buttons=reason_buttons,
        on={Why: reason_tapped},
        answer=reason_typed,
        help=HELP["reason"],
        free_text=True,
    ),
    Step(
        "quote",
        prompt=quote_prompt,
        on={Submit: submit_tapped, AskSupport: support_tapped},
        help=HELP["quote"],
    ),
    Step("created", prompt=created_prompt, answer=for_staff, help=HELP["created"], free_text=True),
    Step("list", prompt=list_prompt, on={OpenReturn: open_tapped}, help=HELP["list"]),
    Step(
        "request",
        prompt=request_prompt,
        on={CancelAsk: cancel_asked},
        help=HELP["request"],
    ),
    Step(
        "confirm_cancel",
        prompt=confirm_cancel_prompt,
        on={CancelYes: cancel_confirmed, CancelNo: cancel_kept},
        help=HELP["confirm_cancel"],
    ),
    # My returns and a new return are offered on several screens; taken wherever they are.
    shared={MyReturns: list_tapped, NewReturn: new_tapped},
)
