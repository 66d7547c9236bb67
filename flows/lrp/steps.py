"""The auto-order's steps: the shared picker (flows/shopping/picker.py) with its own cart, then
the day, address, phone, card confirmation and summary; My auto-orders and one template with
its changes (each saying which run it reaches, services/lrp.py)."""

from __future__ import annotations

from datetime import date

from core.flow import Turn
from core.i18n import N_
from core.parsing import typed_whole_number
from core.steps import Problem, Step
from core.types import Button, Outcome, Reply, go, invalid, rows, stale, stay, switch
from flows.lrp import texts
from flows.lrp.actions import (
    CancelAsk,
    CancelYes,
    CardOk,
    ChangeAddress,
    ChangeDay,
    ChangeProducts,
    Create,
    Day,
    FromLastOrder,
    NewTemplate,
    Open,
    OtherMarket,
    Pause,
    Resume,
    Rules,
    SavedAddress,
    SavedPhone,
    Skip,
    ToAddress,
    ToDay,
    ToList,
    ToTemplate,
    Unskip,
)
from flows.shopping.actions import Checkout, ToCart
from flows.shopping.address import clean_address
from flows.shopping.cart import Cart, subtotal
from flows.shopping.phone import PHONE_HELP, clean_phone, display, saved_phone
from flows.shopping.picker import Picker, back_to_cart_button, catalog, catalog_of, menu_button
from flows.shopping.views import cart_text
from services import lrp
from services.orders import quote
from storage.records import LrpLine, LrpTemplate

CART = "lrp_cart"
NAME = "lrp"
# What the set-up is for: a new template, or one change of the template in focus.
NEW, PRODUCTS, DAY, ADDRESS = "new", "products", "day", "address"
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


def mode(turn: Turn) -> str:
    value = turn.data.get("mode")
    return value if value in (NEW, PRODUCTS, DAY, ADDRESS) else NEW


def cart(turn: Turn) -> Cart:
    return Cart.of(turn, CART)


async def focused(turn: Turn) -> LrpTemplate | None:
    """The template on screen (its id kept in the flow's data), if it is the user's."""
    template_id = turn.data.get("tid")
    if not isinstance(template_id, int):
        return None
    return await lrp.owned(turn.tx, turn.user.id, template_id)


def start_setup(turn: Turn) -> None:
    cart(turn).clear()
    for key in ("mode", "tid", "day", "address", "phone", "card_ok"):
        turn.data.pop(key, None)
    turn.data["mode"] = NEW


def list_button(turn: Turn) -> Button:
    return ToList().button(turn._("🔁 My auto-orders"))


def other_market_button(turn: Turn) -> Button:
    return OtherMarket().button(turn._("🌐 I have auto-orders in another market"))


def rules_button(turn: Turn) -> Button:
    return Rules().button(turn._("ℹ️ Rules and deadlines"))


def _extras(turn: Turn) -> list[Button]:
    buttons = [
        FromLastOrder().button(turn._("↩️ Same as my last order")),
        list_button(turn),
        rules_button(turn),
    ]
    if turn.market == "KZ":
        buttons.append(other_market_button(turn))
    return buttons


def _proceed_label(turn: Turn) -> str:
    if mode(turn) == PRODUCTS:
        return turn._("💾 Save the products")
    return turn._("➡️ Continue")


async def _proceed(turn: Turn, tapped: Checkout) -> Outcome:
    if mode(turn) != PRODUCTS:
        return go("to_day")
    template = await focused(turn)
    if template is None:
        return stale()
    lines = [
        LrpLine(line.product.sku, line.product.name("en"), line.quantity)
        for line in cart(turn).lines(catalog(turn))
    ]
    applied = await lrp.change(turn.tx, template, turn.now, lines=lines)
    cart(turn).clear()
    return go(
        "to_template", Reply(_saved(turn) + " " + texts.applied_text(turn, template, applied))
    )


def _saved(turn: Turn) -> str:
    return turn._("✅ Saved.")


PICKER = Picker(
    slot=CART,
    proceed=_proceed,
    proceed_label=_proceed_label,
    extras=_extras,
    cart_help=N_(
        "Tap Continue when the products are right, Edit cart to change them, or type more."
    ),
)


async def from_last_order(turn: Turn, tapped: FromLastOrder) -> Outcome:
    recent = [o for o in await turn.tx.orders.recent(turn.user.id, 5) if o.market == turn.market]
    if not recent:
        return stay(Reply(turn._("You have no earlier order in this market to copy.")))
    order = recent[0]
    added, missing = PICKER.add_lines(turn, order.lines, order.market)
    notes = []
    if added:
        notes.append(
            turn._("Added from order {number}: {items}.").format(number=order.number, items=added)
        )
    if missing:
        notes.append(turn._("Not available to add now: {items}.").format(items=missing))
    return go("to_cart", Reply("\n".join(notes)))


async def other_market(turn: Turn, tapped: OtherMarket) -> Outcome:
    """R-KZ-MIG-5: auto-orders of other markets are deleted only by support: a ticket."""
    said = turn._("I have auto-orders (LRP templates) in another market; please delete them.")
    note = Reply(
        turn._(
            "Auto-orders of other markets can be deleted only by support. I am passing your "
            "request on."
        )
    )
    return switch("support", f"{NAME}:{turn.conv.state} {said}", note)


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


# -- address and phone -----------------------------------------------------------------------
async def address_prompt(turn: Turn) -> list[Reply]:
    text = turn._(
        "Where should we deliver each month? Type the full address: city, street, building and "
        "apartment."
    )
    buttons = []
    if turn.user.address:
        text += "\n\n" + turn._("Or use your saved address: {address}").format(
            address=turn.user.address
        )
        buttons.append(SavedAddress().button(turn._("📍 Use the saved address")))
    buttons.append(_back_button(turn))
    return [Reply(text, rows(buttons, per_row=1))]


async def saved_address_tapped(turn: Turn, tapped: SavedAddress) -> Outcome:
    if not turn.user.address:
        return stale()
    turn.data["address"] = turn.user.address
    return go("to_phone")


async def address_typed(turn: Turn, address: str) -> Outcome:
    await turn.tx.users.update(turn.user, address=address)
    turn.data["address"] = address
    return go("to_phone")


async def phone_prompt(turn: Turn) -> list[Reply]:
    if turn.market == "KZ":
        text = turn._(
            "Which phone number should the courier call? A working Kazakhstan number, e.g. "
            "+7 701 123 45 67."
        )
    else:
        text = turn._("Which phone number should the courier call? E.g. 010-1234-5678.")
    buttons = []
    saved = saved_phone(turn)
    if saved:
        label = turn._("📞 Use {phone}").format(phone=display(saved, turn.market))
        buttons.append(SavedPhone().button(label))
    buttons.append(_back_button(turn))
    return [Reply(text, rows(buttons, per_row=1), request_contact=True, language=turn.t.language)]


async def saved_phone_tapped(turn: Turn, tapped: SavedPhone) -> Outcome:
    saved = saved_phone(turn)
    return stale() if not saved else await _phone(turn, saved)


async def phone_typed(turn: Turn, phone: str) -> Outcome:
    await turn.tx.users.update(turn.user, phone=phone)
    return await _phone(turn, phone)


async def _phone(turn: Turn, phone: str) -> Outcome:
    noted = Reply(
        turn._("📞 Phone number for the courier: {phone}").format(phone=display(phone, turn.market))
    )
    address = turn.data.get("address")
    if mode(turn) == ADDRESS:
        template = await focused(turn)
        if template is None or not isinstance(address, str):
            return stale()
        applied = await lrp.change(turn.tx, template, turn.now, address=address, phone=phone)
        note = _saved(turn) + " " + texts.applied_text(turn, template, applied)
        return go("to_template", noted, Reply(note))
    turn.data["phone"] = phone
    return go("to_payment", noted)


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
def _details(turn: Turn) -> tuple[int, str, str] | None:
    day, address, phone = (turn.data.get(key) for key in ("day", "address", "phone"))
    if not (isinstance(day, int) and isinstance(address, str) and isinstance(phone, str)):
        return None
    return day, address, phone


async def review_prompt(turn: Turn) -> list[Reply]:
    lines = cart(turn).lines(catalog(turn))
    details = _details(turn)
    if not lines or details is None or not turn.data.get("card_ok"):
        resume = ToCart().button(turn._("➡️ Continue the set-up"))
        return [Reply(turn._("Some details of your auto-order are missing."), ((resume,),))]
    day, address, phone = details
    first = lrp.first_open_run(turn.market, day, turn.now)
    text = "\n\n".join(
        [
            turn._("Please check your auto-order:"),
            cart_text(turn, lines, quote(turn.market, subtotal(lines))),
            "\n".join(
                [
                    turn._("Runs on {day}.").format(day=texts.day_text(turn, day)),
                    turn._("First run: {run}.").format(run=turn.t.day(first)),
                    texts.deadline_text(turn, turn.market, first),
                    turn._("Deliver to: {address}").format(address=address),
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
    return [Reply(text, buttons)]


async def create_tapped(turn: Turn, tapped: Create) -> Outcome:
    lines = cart(turn).lines(catalog(turn))
    details = _details(turn)
    if not lines or details is None or not turn.data.get("card_ok"):
        return stale()
    day, address, phone = details
    template = await lrp.create(
        turn.tx,
        turn.user.id,
        turn.market,
        [LrpLine(x.product.sku, x.product.name("en"), x.quantity) for x in lines],
        day,
        address,
        phone,
        turn.now,
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


# -- My auto-orders --------------------------------------------------------------------------
async def list_prompt(turn: Turn) -> list[Reply]:
    templates = await turn.tx.lrp.of_user(turn.user.id, turn.market)
    extra = [NewTemplate().button(turn._("➕ New auto-order")), rules_button(turn)]
    if turn.market == "KZ":
        extra.append(other_market_button(turn))
    extra.append(menu_button(turn))
    if not templates:
        text = turn._("You have no auto-order yet.")
        return [Reply(text, rows(extra, per_row=1))]
    opens = [Open(t.id).button(turn._("Auto-order #{id}").format(id=t.id)) for t in templates]
    lines = [texts.summary_line(turn, t) for t in templates]
    text = turn._("Your auto-orders:") + "\n" + "\n".join(lines)
    return [Reply(text, rows(opens) + rows(extra, per_row=1))]


async def new_tapped(turn: Turn, tapped: NewTemplate) -> Outcome:
    start_setup(turn)
    return go("to_categories")


async def open_tapped(turn: Turn, tapped: Open) -> Outcome:
    template = await lrp.owned(turn.tx, turn.user.id, tapped.id)
    if template is None or template.status == lrp.CANCELLED:
        return stale()
    turn.data["tid"] = template.id
    return go("to_template")


async def list_typed(turn: Turn, text: str) -> Outcome:
    number = typed_whole_number(text.lstrip("#"), 1, 2**53)
    templates = await turn.tx.lrp.of_user(turn.user.id, turn.market)
    found = next((t for t in templates if t.id == number), None)
    if found is None:
        return invalid(turn._(LIST_HELP))
    turn.data["tid"] = found.id
    return go("to_template")


LIST_HELP = N_("Tap an auto-order to see or change it, or “New auto-order”.")


# -- one template ----------------------------------------------------------------------------
async def template_prompt(turn: Turn) -> list[Reply]:
    template = await focused(turn)
    if template is None or template.status == lrp.CANCELLED:
        return [Reply(turn._("This auto-order is no longer there."), ((list_button(turn),),))]
    text = texts.template_text(turn, template, catalog_of(turn))
    buttons: list[Button] = []
    if template.status == lrp.ACTIVE:
        skipped = template.skip_period is not None
        buttons += [
            ChangeProducts().button(turn._("🛒 Change products")),
            ChangeDay().button(turn._("📅 Change the day")),
            ChangeAddress().button(turn._("📍 Change the address")),
            Unskip().button(turn._("↩️ Don't skip"))
            if skipped
            else Skip().button(turn._("⏭ Skip the next run")),
            Pause().button(turn._("⏸ Pause")),
        ]
    else:
        buttons.append(Resume().button(turn._("▶️ Resume")))
    buttons += [CancelAsk().button(turn._("✖️ Cancel the auto-order")), list_button(turn)]
    return [Reply(text, rows(buttons))]


async def _template_or_stale(turn: Turn) -> LrpTemplate | None:
    template = await focused(turn)
    return template if template is not None and template.status != lrp.CANCELLED else None


async def change_products(turn: Turn, tapped: ChangeProducts) -> Outcome:
    template = await _template_or_stale(turn)
    if template is None or template.status != lrp.ACTIVE:
        return stale()
    cart(turn).clear()
    source = lrp.pending_lines(template) or template.lines
    for line in source:
        if catalog(turn).get(line.sku) is not None:
            cart(turn).put(line.sku, line.quantity)
    turn.data["mode"] = PRODUCTS
    return go("to_cart")


async def change_day(turn: Turn, tapped: ChangeDay) -> Outcome:
    template = await _template_or_stale(turn)
    if template is None or template.status != lrp.ACTIVE:
        return stale()
    turn.data["mode"] = DAY
    return go("to_day")


async def change_address(turn: Turn, tapped: ChangeAddress) -> Outcome:
    template = await _template_or_stale(turn)
    if template is None or template.status != lrp.ACTIVE:
        return stale()
    turn.data["mode"] = ADDRESS
    return go("to_address")


async def skip_tapped(turn: Turn, tapped: Skip) -> Outcome:
    template = await _template_or_stale(turn)
    if template is None or template.status != lrp.ACTIVE:
        return stale()
    return stay(Reply(skip_text(turn, template, await lrp.skip(turn.tx, template, turn.now))))


def skip_text(turn: Turn, template: LrpTemplate, run: date) -> str:
    text = turn._("The run on {run} will be skipped: no order is made for it.").format(
        run=turn.t.day(run)
    )
    if run != template.next_run:
        text += " " + turn._(
            "The run on {next} is past its change deadline and goes ahead."
        ).format(next=turn.t.day(template.next_run))
    return text


async def unskip_tapped(turn: Turn, tapped: Unskip) -> Outcome:
    template = await _template_or_stale(turn)
    if template is None or template.skip_period is None:
        return stale()
    await lrp.unskip(turn.tx, template, turn.now)
    return stay(Reply(turn._("Fine: that run is made as planned.")))


async def pause_tapped(turn: Turn, tapped: Pause) -> Outcome:
    template = await _template_or_stale(turn)
    if template is None or template.status != lrp.ACTIVE:
        return stale()
    applied = await lrp.change(turn.tx, template, turn.now, status=lrp.PAUSED)
    if applied.pending:
        note = (
            turn._("Your auto-order will be paused.")
            + " "
            + texts.applied_text(turn, template, applied)
        )
    else:
        note = turn._("Your auto-order is paused: no run is made until you resume it.")
    return stay(Reply(note))


async def resume_tapped(turn: Turn, tapped: Resume) -> Outcome:
    template = await _template_or_stale(turn)
    if template is None or template.status != lrp.PAUSED:
        return stale()
    applied = await lrp.change(turn.tx, template, turn.now, status=lrp.ACTIVE)
    note = turn._("Your auto-order is running again. Next run: {run}.").format(
        run=turn.t.day(applied.run)
    )
    return stay(Reply(note))


async def cancel_ask(turn: Turn, tapped: CancelAsk) -> Outcome:
    return go("ask_cancel") if await _template_or_stale(turn) else stale()


async def cancel_prompt(turn: Turn) -> list[Reply]:
    text = turn._("Cancel this auto-order? No further runs will be made.")
    yes = CancelYes().button(turn._("Yes, cancel it"))
    no = ToTemplate().button(turn._("No, keep it"))
    return [Reply(text, rows([yes, no]))]


async def cancel_yes(turn: Turn, tapped: CancelYes) -> Outcome:
    template = await _template_or_stale(turn)
    if template is None:
        return stale()
    applied = await lrp.change(turn.tx, template, turn.now, status=lrp.CANCELLED)
    if applied.pending:
        note = (
            turn._("Your auto-order will be cancelled.")
            + " "
            + texts.applied_text(turn, template, applied)
        )
        return go("to_template", Reply(note))
    return go(
        "to_list", Reply(turn._("Your auto-order #{id} is cancelled.").format(id=template.id))
    )


TEMPLATE_HELP = N_("Tap what you want to change, skip, pause or cancel, or go back to the list.")

STEPS = (
    *PICKER.steps(),
    Step(
        "day",
        prompt=day_prompt,
        on={Day: day_tapped},
        validate=typed_day,
        answer=chose_day,
        help=N_("Send the day of the month for your auto-order, from 1 to 31."),
        number=True,  # "5" is the 5th, never the fifth button
    ),
    Step(
        "address",
        prompt=address_prompt,
        on={SavedAddress: saved_address_tapped},
        validate=clean_address,
        answer=address_typed,
        help=N_("Type the delivery address, or tap a button."),
        free_text=True,
    ),
    Step(
        "phone",
        prompt=phone_prompt,
        contact=True,
        on={SavedPhone: saved_phone_tapped},
        validate=clean_phone,
        answer=phone_typed,
        help=PHONE_HELP,
        free_text=True,
    ),
    Step(
        "payment",
        prompt=payment_prompt,
        on={CardOk: card_ok},
        answer=payment_typed,
        help=N_("Tap “I pay by card and I am the payer” to go on."),
        free_text=True,
    ),
    Step(
        "review",
        prompt=review_prompt,
        on={Create: create_tapped},
        help=N_("Tap “Create the auto-order”, or change something below."),
    ),
    Step(
        "created",
        prompt=created_prompt,
        help=N_("Tap My auto-orders to see it, or Menu."),
    ),
    Step(
        "list",
        prompt=list_prompt,
        on={Open: open_tapped, NewTemplate: new_tapped},
        answer=list_typed,
        help=LIST_HELP,
    ),
    Step(
        "template",
        prompt=template_prompt,
        on={
            ChangeProducts: change_products,
            ChangeDay: change_day,
            ChangeAddress: change_address,
            Skip: skip_tapped,
            Unskip: unskip_tapped,
            Pause: pause_tapped,
            Resume: resume_tapped,
            CancelAsk: cancel_ask,
        },
        help=TEMPLATE_HELP,
    ),
    Step(
        "confirm_cancel",
        prompt=cancel_prompt,
        on={CancelYes: cancel_yes},
        help=N_("Tap “Yes, cancel it” or “No, keep it”."),
    ),
)
