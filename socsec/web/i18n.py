"""The pages' own text in English, French and Spanish: gettext catalogs read with Babel.

The catalogs are the ``.po`` files under ``socsec/web/locale/<lang>/LC_MESSAGES/`` (the
English msgids are in ``messages.pot``, extracted by ``scripts/i18n``). They are compiled in
memory with Babel the first time a language is used, so a wheel (``pip install .``) and an
editable install both work with no build step and no ``.mo`` file to keep in step.

The reader's language comes from the ``lang`` URL parameter, then the ``lang`` cookie, then
the Accept-Language header; English otherwise.
"""

from __future__ import annotations

import functools
import gettext
import io
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import pass_context

from socsec.web.qvalues import weighted

if TYPE_CHECKING:
    from jinja2 import Environment
    from jinja2.runtime import Context
    from starlette.requests import Request

LOCALE_DIR = Path(__file__).parent / "locale"
UI_LANGS = ("en", "fr", "es")
COOKIE = "lang"
DOMAIN = "messages"


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang`` (English: the msgids themselves)."""
    if lang not in UI_LANGS or lang == "en":
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)  # fuzzy entries are left out, as msgfmt does
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def _base(tag: str | None) -> str | None:
    if not tag:
        return None
    base = tag.strip().split("-")[0].split("_")[0].lower()
    return base if base in UI_LANGS else None


def accept_language(header: str | None) -> str | None:
    """The first of en/fr/es an Accept-Language header accepts (q-values honoured)."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for i, (tag, q) in enumerate(weighted(header)):
        base = _base(tag)
        if base and q > 0:
            ranked.append((-q, i, base))
    return min(ranked)[2] if ranked else None


def choose_lang(request: Request) -> str:
    """The reader's language: ``lang`` parameter, then cookie, then Accept-Language, then en."""
    return (
        _base(request.query_params.get("lang"))
        or _base(request.cookies.get(COOKIE))
        or accept_language(request.headers.get("accept-language"))
        or "en"
    )


def format_number(value: int | float, lang: str) -> str:
    """``value`` with the digit grouping of ``lang`` (1,610 / 1 610 / 1610)."""
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale=lang))


def format_when(value: str, lang: str) -> str:
    """An ISO-8601 time as ``lang`` writes it (e.g. "30 nov. 2026, 03:02:03")."""
    from babel.dates import format_datetime

    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    text = str(format_datetime(when, format="medium", locale=lang, tzinfo=when.tzinfo))
    # History times are UTC; say so rather than pass them off as the reader's local time.
    return f"{text} UTC" if when.utcoffset() is not None and not when.utcoffset() else text


def format_issued(value: str, lang: str) -> str:
    """A CSL-style date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) as ``lang`` writes it."""
    from babel.dates import format_date

    parts = value.split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) == 3:
            return str(format_date(date(*numbers), format="long", locale=lang))
        if len(numbers) == 2:
            return str(format_date(date(numbers[0], numbers[1], 1), format="LLLL y", locale=lang))
    except ValueError:
        pass
    return value


def language_name(code: str, lang: str) -> str:
    """The name of language ``code`` in ``lang`` ("fr" in es: "francés"); the code if unknown."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(lang).languages.get(code.split("-")[0].lower())
    except (ValueError, UnknownLocaleError):
        name = None
    return str(name) if name else code


@pass_context
def _gettext(context: Context, message: str) -> str:
    return translations(context.get("lang", "en")).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translations(context.get("lang", "en")).ngettext(singular, plural, n)


@pass_context
def _num(context: Context, value: Any) -> str:
    return format_number(value, context.get("lang", "en")) if isinstance(value, int) else value


@pass_context
def _when(context: Context, value: str) -> str:
    return format_when(value, context.get("lang", "en"))


@pass_context
def _when_date(context: Context, value: str) -> str:
    return format_issued(value, context.get("lang", "en"))


def install(env: Environment) -> None:
    """Give ``env`` the ``{% trans %}`` tag, ``_()``, and the ``num`` and ``when`` filters.

    The language is the template context's ``lang``, so one environment serves every reader.
    """
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
    env.filters["num"] = _num
    env.filters["when"] = _when
    env.filters["when_date"] = _when_date
