"""Checking what a person typed, alike in every module's services: text within its limit, money as Decimal.

Procurement's requisitions and bids and travel's requests take the same kinds
of input from pages and the API. A refusal is an `ApplicationError` with the
module's code (`procurement.invalid`, `travel.invalid`), a translated sentence,
and `fields={field: [...]}` so a form shows it under the input and the API
names the field (STYLE.md, "Errors carry codes").
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from django.utils.translation import gettext, ngettext

from .errors import ApplicationError
from .plain_text import single_line

LARGEST_FIGURE = Decimal("1e12")


def refuse(message: str, *, code: str, field: str | None = None, status: int = 400) -> NoReturn:
    raise ApplicationError(message, code=code, status_code=status, fields={field: [message]} if field else None)


def text_checked(
    value: str | None, *, field: str, required: str | None, limit: int, code: str, one_line: bool = False
) -> str:
    """The text, stripped; `required` is the sentence said when it is empty (None: may be empty)."""
    value = (value or "").strip()
    if one_line:
        value = single_line(value)
    if not value and required:
        refuse(required, code=code, field=field)
    if len(value) > limit:
        refuse(
            ngettext(
                "At most %(limit)d character (this text has %(length)d).",
                "At most %(limit)d characters (this text has %(length)d).",
                limit,
            )
            % {"limit": limit, "length": len(value)},
            code=code,
            field=field,
        )
    return value


def decimal_checked(value: Any, *, field: str, code: str, places: int = 2, allow_zero: bool = True) -> Decimal:
    """A money or quantity figure: a Decimal with at most `places` decimals, not negative, not too large."""
    if isinstance(value, (float, bool)):
        refuse(gettext("Give the figure as a decimal number."), code=code, field=field)
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        refuse(gettext("“%(value)s” is not a number.") % {"value": str(value)[:40]}, code=code, field=field)
    if not number.is_finite():
        refuse(gettext("“%(value)s” is not a number.") % {"value": str(value)[:40]}, code=code, field=field)
    if number < 0 or (number == 0 and not allow_zero):
        refuse(
            gettext("The figure must be more than zero.")
            if not allow_zero
            else gettext("The figure cannot be negative."),
            code=code,
            field=field,
        )
    # Size first: quantizing "1e30" to cents needs more digits than the decimal context holds.
    if number >= LARGEST_FIGURE:
        refuse(gettext("That figure is too large."), code=code, field=field)
    if number != number.quantize(Decimal(1).scaleb(-places)):
        refuse(gettext("At most %(places)d decimals.") % {"places": places}, code=code, field=field)
    return number
