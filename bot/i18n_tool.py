"""Maintain the gettext catalogues: `orderbot i18n update|compile|check`.

English is the source language (the msgids); `locales/<lang>/LC_MESSAGES/<domain>.po` holds
each translation. One domain per flow package and per channel (`domain_of`), so that people
working on different flows edit different files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "locales"
TRANSLATED = ("ko", "ru")
SOURCES = ("bot", "core", "flows", "services")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# A flow's messages are its package's domain; a channel's, its own; everything else "core".
DOMAIN_ROOTS = ("flows", "bot/channels")


PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def domain_of(relative: str) -> str:
    """`flows/quick_order/shop.py` -> quick_order, `bot/channels/telegram/desk.py` -> telegram;
    modules directly in those folders (flows/registry.py) and all others -> core."""
    for root in DOMAIN_ROOTS:
        rest = relative.removeprefix(root + "/")
        if rest != relative and "/" in rest:
            return rest.split("/", 1)[0]
    return "core"


def _sources() -> Iterator[Path]:
    for folder in SOURCES:
        yield from sorted((ROOT / folder).rglob("*.py"))


def templates() -> dict[str, Catalog]:
    """Every domain's messages as found in the code now."""
    catalogs: dict[str, Catalog] = {}
    for path in _sources():
        relative = path.relative_to(ROOT).as_posix()
        catalog = catalogs.setdefault(domain_of(relative), Catalog(project="orderbot"))
        for lineno, message, comments, context in extract_from_file(
            "python", path, keywords=KEYWORDS, comment_tags=("Translators:",)
        ):
            catalog.add(
                message, locations=[(relative, lineno)], auto_comments=comments, context=context
            )
    return catalogs


def po_path(language: str, domain: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{domain}.po"


def _read(path: Path, language: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


def update(only: str | None = None) -> None:
    """Bring the .po files in line with the code: new messages added empty, dropped ones
    removed. `only` limits this to one domain, so parallel work on two flows never rewrites
    the other's file."""
    for domain, template in templates().items():
        if only is not None and domain != only:
            continue
        for language in TRANSLATED:
            path = po_path(language, domain)
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = (
                _read(path, language) if path.exists() else Catalog(locale=language, domain=domain)
            )
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            with path.open("wb") as handle:
                write_po(handle, catalog, width=100, omit_header=False, sort_output=True)


def compile_all() -> None:
    for path in LOCALES.glob("*/LC_MESSAGES/*.po"):
        catalog = _read(path, path.parts[-3])
        with path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)


def problems() -> list[str]:
    """Untranslated, fuzzy, missing, stale or placeholder-breaking entries, one line each."""
    found: list[str] = []
    for domain, template in templates().items():
        wanted = {m.id for m in template if m.id}
        for language in TRANSLATED:
            path = po_path(language, domain)
            if not path.exists():
                found.append(f"{path.relative_to(ROOT)}: missing (run `orderbot i18n update`)")
                continue
            catalog = _read(path, language)
            have = {m.id for m in catalog if m.id}
            for msgid in sorted(map(str, wanted - have)):
                found.append(f"{path.relative_to(ROOT)}: not in catalogue: {msgid!r}")
            for msgid in sorted(map(str, have - wanted)):
                found.append(f"{path.relative_to(ROOT)}: no longer in the code: {msgid!r}")
            for message in catalog:
                if not message.id or message.id not in wanted:
                    continue
                found.extend(
                    f"{path.relative_to(ROOT)}: {issue}: {message.id!r}"
                    for issue in _issues(message)
                )
    return found


def _issues(message: object) -> Iterator[str]:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)  # type: ignore[attr-defined]
    ids = message.id if isinstance(message.id, tuple) else (message.id,)  # type: ignore[attr-defined]
    if message.fuzzy:  # type: ignore[attr-defined]
        yield "fuzzy"
    if not all(strings):
        yield "untranslated"
        return
    expected = set(PLACEHOLDER.findall(ids[0]))
    if any(set(PLACEHOLDER.findall(s)) != expected for s in strings if "{" in ids[0] or "{" in s):
        yield f"placeholders differ from {sorted(expected)}"


def main(action: str, domain: str | None = None) -> int:
    if action == "update":
        update(domain)
    elif action == "compile":
        compile_all()
    found = problems() if action == "check" else []
    if domain is not None:
        found = [line for line in found if f"/{domain}.po:" in line]
    for line in found:
        print(line)
    return 1 if found else 0
