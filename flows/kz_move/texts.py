"""What the move-to-Kazakhstan guide says, built from policy data (R-KZ-MIG-1..8, R-KZ-SUP-1).

Every figure, date, link and on-site button name comes from `policy.market_config("KZ")`, so
the texts follow kz.toml. On-site button names («Аккаунт», «Выйти», «Магазин», ...) stay in
Russian in every language: that is what the customer sees on the company's site.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import groupby

from babel import Locale
from babel.dates import get_timezone_location
from babel.lists import format_list

import policy
from core.actions import Action, MenuChoice
from core.flow import Turn
from core.i18n import LANGUAGES, N_
from core.options import folded
from core.types import Button, Reply, rows
from flows.kz_move.actions import OTHER_COUNTRY, Card, DeleteLrp, ShowList, Tick
from policy import CyrillicIssue, MarketConfig, MigrationStep

# The guide is about the Kazakhstan market whatever market the user picked in the assistant.
MARKET = "KZ"
# Long pasted text must not turn an explanation into a wall: show this much of it.
SHOWN_WORDS, SHOWN_WORD_CHARS, SHOWN_LETTERS = 5, 30, 10
# Display order of accepted card countries: the letter's; any other accepted one follows.
LETTER_COUNTRY_ORDER = ("KZ", "KG", "AM", "BY")
# Refused issuers offered as buttons: customers move from the Russian (GAC) market, so a
# Russian card is the one they are likeliest to have.
REFUSED_COUNTRY_BUTTONS = ("RU",)


def config() -> MarketConfig:
    return policy.market_config(MARKET)


def usd(turn: Turn, amount: Decimal) -> str:
    return turn.t.money(amount, "USD")


def site_buttons(names: tuple[str, ...]) -> str:
    """On-site buttons in the order they are pressed: «Аккаунт» → «Выйти»."""
    return " → ".join(f"«{name}»" for name in names)


# --- the five steps (R-KZ-MIG-1), keyed by MigrationStep.key -----------------------------

STEP_TEXTS: Mapping[str, str] = {
    "log_out": N_("Log out of your Virtual Office: tap {buttons}."),
    "open_transfer_tool": N_("Open this link: {url}"),
    "sign_in_and_agree": N_(
        "On that page, sign in with your Virtual Office ID and password. Type them only on "
        "that site: I will never ask for them, please do not send them here. A window then "
        "asks you to agree to the move: tap {buttons}."
    ),
    "fill_in_form": N_(
        "A new window opens with instructions. Follow the link {url} and fill in the form: "
        "contact details, payment card and address. Every field in Cyrillic, exactly as you "
        "checked them here."
    ),
    "review_new_virtual_office": N_(
        "Look through your new Kazakhstan Virtual Office and make sure everything is filled in "
        "correctly. To sign in again, use your ID and password."
    ),
}


def step_text(turn: Turn, step: MigrationStep, total: int) -> str:
    heading = turn._("Step {number} of {total}").format(number=step.number, total=total)
    body = turn._(STEP_TEXTS[step.key]).format(
        url=step.url or "", buttons=site_buttons(step.buttons)
    )
    return f"{heading}\n\n{body}"


# --- dates, conditions, what changes (R-KZ-MIG-2, -6, -7, -8) ------------------------------


def intro_text(turn: Turn) -> str:
    lead = turn._(
        "Let's move your account to the doTERRA Kazakhstan market: five steps on the company's "
        "sites. I will show them one at a time and check your details before you fill in the "
        "form. I will never ask for your password or card number."
    )
    return f"{lead}\n\n{dates_text(turn)}"


def terms(turn: Turn) -> policy.MigrationCheck:
    """The limit and the dates as of today (R-KZ-MIG-2, R-KZ-MIG-8)."""
    # migration_check owns the limit and what "passed" and "ended" mean; the balance does not
    # affect them.
    return policy.migration_check(Decimal(0), policy.local_date(MARKET, turn.now))


def dates_text(turn: Turn) -> str:
    """R-KZ-MIG-8, told as of today: the letter's dates are facts, not a countdown frozen in
    2024."""
    check = terms(turn)
    lines = [deadline_line(turn, check), delivery_line(turn, check)]
    if config().migration.gac_orders_via_support:
        lines.append(turn._("After the move you can still order on the GAC market via support."))
    return "\n".join(lines)


def deadline_line(turn: Turn, check: policy.MigrationCheck) -> str:
    deadline = turn.t.full_date(check.deadline)
    if check.deadline_passed:
        return turn._(
            "The company asked customers to move by {deadline}. That date has passed; the "
            "letter does not say the move closes after it, so moving is still recommended. "
            "If the site refuses, contact support."
        ).format(deadline=deadline)
    days = (check.deadline - policy.local_date(MARKET, turn.now)).days
    if days == 0:
        return turn._("Please move your account today: {deadline} is the last day.").format(
            deadline=deadline
        )
    return turn.ngettext(
        "Please move your account by {deadline}: {count} day left.",
        "Please move your account by {deadline}: {count} days left.",
        days,
    ).format(deadline=deadline, count=days)


def delivery_line(turn: Turn, check: policy.MigrationCheck) -> str:
    end = turn.t.full_date(check.russia_delivery_end)
    if check.russia_delivery_ended:
        return turn._("Since {date} there is no delivery from Russia to Kazakhstan.").format(
            date=end
        )
    return turn._("From {date} there will be no delivery from Russia to Kazakhstan.").format(
        date=end
    )


def limit_text(turn: Turn) -> str:
    return usd(turn, terms(turn).limit)


def changes_text(turn: Turn) -> str:
    """R-KZ-MIG-6, R-KZ-MIG-7."""
    cfg = config()
    low, high = cfg.delivery.calendar_days or ("?", "?")
    return turn._(
        "What changes after the move:\n"
        "• you pay in tenge, with cards issued by banks of {countries};\n"
        "• orders ship from the warehouse in Almaty and take {low} to {high} days, depending "
        "on your region;\n"
        "• with the status of ИП (special tax regime based on retail tax) or ТОО (general tax "
        "regime) you can sign a contract with {party} and receive commissions in tenge to your "
        "account."
    ).format(
        countries=accepted_countries(turn),
        low=low,
        high=high,
        party=cfg.migration.commission_contract_party or "",
    )


# --- card issuer countries (R-KZ-MIG-6) -----------------------------------------------------


def flag(code: str) -> str:
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in code)


# Other names people type for the countries the letter names, in any of our languages.
COUNTRY_VARIANTS: Mapping[str, str] = {
    "Кыргызстан": "KG",
    "Киргизия": "KG",
    "Киргизстан": "KG",
    "Kyrgyzstan": "KG",
    "Kirghizia": "KG",
    "Беларусь": "BY",
    "Белоруссия": "BY",
    "Belarus": "BY",
    "Армения": "AM",
    "Armenia": "AM",
    "Казахстан": "KZ",
    "Қазақстан": "KZ",
    "Kazakhstan": "KZ",
}


def country_name(turn: Turn, code: str) -> str:
    return turn.t.country(code)  # the letter's names (core/i18n.py COUNTRY_NAMES)


@cache
def _country_names() -> Mapping[str, str]:
    """Country names in every language we speak, and the usual variants, as typed."""
    names: dict[str, str] = {}
    for language in LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(folded(str(name)), code)
    names.update((folded(name), code) for name, code in COUNTRY_VARIANTS.items())
    return names


def accepted_codes() -> list[str]:
    accepted = config().payment.card_issuer_countries or frozenset()
    known = [code for code in LETTER_COUNTRY_ORDER if code in accepted]
    return known + sorted(accepted - set(known))


def accepted_countries(turn: Turn, style: str = "standard") -> str:
    """'Kazakhstan, Kyrgyzstan, Armenia and Belarus' (style "or": '... or Belarus')."""
    names = [country_name(turn, code) for code in accepted_codes()]
    return format_list(names, style=style, locale=turn.t.locale)


def country_buttons(turn: Turn) -> list[Button]:
    """One button per accepted issuer country, then the likely refused ones, then "Other"."""
    codes = [*accepted_codes(), *REFUSED_COUNTRY_BUTTONS]
    buttons = [Card(code).button(f"{flag(code)} {country_name(turn, code)}") for code in codes]
    return [*buttons, Card(OTHER_COUNTRY).button(turn._("Another country"))]


def typed_country(turn: Turn, text: str) -> str | None:
    """An ISO code, or a country's name in any of our languages or a usual variant of it
    ("KZ", "Казахстан", "Киргизия", "Kyrgyzstan", "Белоруссия"), in any case."""
    typed = text.strip().casefold()
    if len(typed) == 2 and typed.isascii() and typed.isalpha():
        return typed.upper()
    return _country_names().get(folded(text))


def card_refused_text(turn: Turn, code: str | None) -> str:
    accepted = accepted_countries(turn, "or")
    if code is None:
        return turn._("Only cards issued by banks of {accepted} are accepted.").format(
            accepted=accepted
        )
    return turn._(
        "Cards issued by banks in this country ({country}) are not accepted in the Kazakhstan "
        "market. For the form you need a card issued by a bank of {accepted}."
    ).format(country=country_name(turn, code), accepted=accepted)


# --- form details (R-KZ-MIG-3, R-KZ-MIG-5) --------------------------------------------------


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def cyrillic_problem(turn: Turn, issues: tuple[CyrillicIssue, ...]) -> str:
    """Name each offending word and its foreign letters: a Latin "A" in "Aбай" looks right.
    The words come back with card numbers and passwords masked, then shortened (R-KZ-MIG-4)."""
    words = ", ".join(
        f"«{_clip(policy.mask_secrets(issue.word), SHOWN_WORD_CHARS)}» "
        f"({' '.join(issue.letters[:SHOWN_LETTERS])})"
        for issue in issues[:SHOWN_WORDS]
    )
    return turn._(
        "The form takes Cyrillic only, and these words have other letters: {words}. Please type "
        "them in Cyrillic; Kazakh letters (ә ғ қ ң ө ұ ү һ і) are welcome."
    ).format(words=words)


PHONE_PROBLEMS: Mapping[str, str] = {
    "russian_number": N_(
        "This is a Russian number. The courier must be able to call you in Kazakhstan, so the "
        "form needs a working Kazakhstan number: +7 7…, e.g. +7 701 123 45 67."
    ),
    "foreign_number": N_(
        "This number is not from Kazakhstan. The courier needs a working Kazakhstan number: "
        "+7 7…, e.g. +7 701 123 45 67."
    ),
    "service_number": N_(
        "This is a service number (like +7 800) that a courier cannot call. Please send your "
        "own mobile or home number in Kazakhstan."
    ),
    "invalid": N_("This is not a complete phone number. Example: +7 701 123 45 67."),
    "not_a_number": N_("Please send your phone number, e.g. +7 701 123 45 67."),
}


# --- support (R-KZ-SUP-1) -------------------------------------------------------------------


def weekly_hours(turn: Turn) -> str:
    """Opening hours from the data, days with equal hours grouped: 'Mon–Fri 11:00–19:00'."""
    names = turn.t.locale.days["format"]["abbreviated"]
    spans = []
    for hours, group in groupby(enumerate(config().support.hours), key=lambda day: day[1]):
        if hours is None:
            continue
        days = [day for day, _ in group]
        label = names[days[0]] if len(days) == 1 else f"{names[days[0]]}–{names[days[-1]]}"
        spans.append(f"{label} {hours.opens:%H:%M}–{hours.closes:%H:%M}")
    return ", ".join(spans)


def support_text(turn: Turn) -> str:
    cfg = config()
    return turn._(
        "Support for Kazakhstan works {hours}, {city} time. Phone: {phones}; e-mail: {email}."
    ).format(
        hours=weekly_hours(turn),
        city=get_timezone_location(cfg.timezone, locale=turn.t.locale, return_city=True),
        phones=", ".join(cfg.support.phones),
        email=cfg.support.email or "",
    )


def support_status(turn: Turn) -> str:
    if policy.support_is_open(MARKET, turn.now):
        return turn._("Support is open now.")
    opens = policy.support_next_open(MARKET, turn.now)
    return turn._("Support is closed now; it opens on {when}.").format(
        when=turn.t.moment(opens, config().timezone)
    )


# --- after the move (R-KZ-MIG-5) ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AfterItem:
    key: str
    title: str  # N_() message ids
    text: str
    # An extra button (label, action); shown only when the action's flow can run.
    extra: tuple[str, Action] | None = None


AFTER_ITEMS: tuple[AfterItem, ...] = (
    AfterItem(
        "lrp",
        N_("Create a new LRP template"),
        N_(
            "Auto-orders of other markets do not move with your account: create a new LRP "
            "template for Kazakhstan, with products of the Kazakhstan catalogue, to keep taking "
            "part in the Loyalty Program. You can set it up right here."
        ),
        (N_("🔁 Set up an auto-order"), MenuChoice("lrp")),
    ),
    AfterItem(
        "old_lrp",
        N_("Old LRP templates of other markets"),
        N_(
            "Only support can delete LRP templates of other markets. If you have any, tap the "
            "button and I will pass your request on."
        ),
        (N_("Ask support to delete them"), DeleteLrp()),
    ),
    AfterItem(
        "contacts",
        N_("Check your address and phone"),
        N_(
            "In the Virtual Office, check your delivery address and phone. The phone must be a "
            "working Kazakhstan number (+7 7…) on which the courier can reach you."
        ),
    ),
    AfterItem(
        "catalogue",
        N_("See the products sold in Kazakhstan"),
        N_("They are on the company's site and in your Virtual Office, on the «{shop_tab}» tab."),
        (N_("🛒 Order here"), MenuChoice("quick_order")),
    ),
    AfterItem(
        "warehouse",
        N_("Order from the Kazakhstan warehouse"),
        N_(
            "Your orders now ship from the warehouse in Almaty, in tenge: delivery is much "
            "faster. You can order right here."
        ),
        (N_("🛒 Order here"), MenuChoice("quick_order")),
    ),
    AfterItem(
        "customers",
        N_("Register new customers and grow your team"),
        N_(
            "In the Kazakhstan market you can now register new customers and grow your team "
            "from your Virtual Office."
        ),
    ),
)
AFTER_BY_KEY = {item.key: item for item in AFTER_ITEMS}


def after_item_reply(turn: Turn, item: AfterItem) -> Reply:
    text = turn._(item.text).format(shop_tab=config().migration.virtual_office_shop_tab or "")
    buttons = [Tick(item.key).button(turn._("✅ Mark as done"))]
    if item.extra is not None and _can_run(turn, item.extra[1]):
        buttons.append(item.extra[1].button(turn._(item.extra[0])))
    buttons.append(ShowList().button(turn._("Back to the checklist")))
    return Reply(f"{turn._(item.title)}\n\n{text}", rows(buttons, per_row=1))


def _can_run(turn: Turn, action: Action) -> bool:
    """A menu entry only when its flow is registered; our own buttons always."""
    return not isinstance(action, MenuChoice) or action.flow in turn.flows
