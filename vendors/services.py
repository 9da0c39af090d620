"""The only writers of the vendor roster and the method thresholds (public schema).

Every refusal is an `ApplicationError` with a stable `vendors.*` code; pages
show its message, the API its one error shape. Who may call which service
(facility procurement officers and the facility manager keep the roster, the
facility manager alone sets thresholds) is checked by the pages and the API
before they call; the rules below hold whoever calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from shared_platform import limits
from shared_platform.errors import ApplicationError
from tenants.models import Agency

from .countries import is_country_code
from .import_report import ImportReport, ImportRow, RowOutcome
from .models import MethodThresholds, SupplyCategory, Vendor, VendorContact, VendorStatus, VendorStatusChange
from .roster_csv import RosterFile, roster_file_read

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)
CATEGORY_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
CONFLICT = 409

# One table of the moves a vendor's status may make (STYLE.md rule 3). Suspension is temporary
# (e.g. pending an investigation, expired documents) and may end in reinstatement or ineligibility;
# an ineligible vendor (UN Ineligibility List, sanctions, proven fraud) comes back only by reinstatement.
TRANSITIONS: dict[str, frozenset[str]] = {
    VendorStatus.ACTIVE: frozenset({VendorStatus.SUSPENDED, VendorStatus.INELIGIBLE}),
    VendorStatus.SUSPENDED: frozenset({VendorStatus.ACTIVE, VendorStatus.INELIGIBLE}),
    VendorStatus.INELIGIBLE: frozenset({VendorStatus.ACTIVE}),
}


def registration_key(number: str) -> str:
    """The registration number as the roster compares it: letters and digits only, upper-case.

    "12.345.678/0001-90" and "12345678000190" are the same Brazilian company (CNPJ).
    """
    return re.sub(r"[^0-9A-Za-z]", "", number).upper()


def language_normalize(value: str) -> str:
    """ "pt_BR", "PT-BR" and "pt-br" are one language: the platform writes "pt-br"."""
    return value.strip().replace("_", "-").lower()


# -- vendors -----------------------------------------------------------------------------


def _one_line(value: str) -> str:
    return " ".join((value or "").split())


def vendor_problems(
    *,
    legal_name: str,
    country: str,
    registration_number: str,
    email: str,
    contact_name: str = "",
    phone: str = "",
    address: str = "",
    language: str = "en",
) -> dict[str, list[str]]:
    """Every reason these details cannot be on the roster, per field (empty: none). Values already stripped."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if not legal_name:
        add("legal_name", _("Give the vendor's legal name."))
    elif len(legal_name) > limits.NAME:
        add("legal_name", _("The legal name is longer than %(limit)d characters.") % {"limit": limits.NAME})
    if not country:
        add("country", _("Give the country as its two-letter ISO code, e.g. BR."))
    elif not is_country_code(country):
        add(
            "country",
            _("“%(code)s” is not an ISO 3166 country code; give two letters, e.g. BR.") % {"code": country[:10]},
        )
    if not registration_number:
        add("registration_number", _("Give the registration number (e.g. the CNPJ in Brazil)."))
    elif len(registration_number) > 60 or not registration_key(registration_number):
        add("registration_number", _("The registration number must have letters or digits, up to 60 characters."))
    if not email:
        add("email", _("Give the e-mail address solicitations are sent to."))
    else:
        try:
            validate_email(email)
        except ValidationError:
            add("email", _("“%(email)s” is not a valid e-mail address.") % {"email": email[:100]})
    if len(contact_name) > limits.NAME:
        add(
            "contact_name", _("The contact person's name is longer than %(limit)d characters.") % {"limit": limits.NAME}
        )
    if len(phone) > 40:
        add("phone", _("The telephone number is longer than 40 characters."))
    if len(address) > limits.SHORT_TEXT:
        add("address", _("The address is longer than %(limit)d characters.") % {"limit": limits.SHORT_TEXT})
    if language not in LANGUAGE_CODES:
        add(
            "language",
            _("Unknown language “%(language)s”: use one of %(choices)s.")
            % {"language": language[:10], "choices": ", ".join(sorted(LANGUAGE_CODES))},
        )
    return problems


def _details_clean(details: dict[str, Any]) -> dict[str, Any]:
    cleaned = {
        "legal_name": _one_line(details.get("legal_name", "")),
        "country": (details.get("country") or "").strip().upper(),
        "registration_number": _one_line(details.get("registration_number", "")),
        "email": (details.get("email") or "").strip().lower(),
        "contact_name": _one_line(details.get("contact_name", "")),
        "phone": _one_line(details.get("phone", "")),
        "address": (details.get("address") or "").strip(),
        "language": language_normalize(details.get("language") or "en"),
    }
    return cleaned


def _registered_elsewhere(*, country: str, number: str, vendor: Vendor | None) -> Vendor | None:
    others = Vendor.objects.filter(country=country, registration_key=registration_key(number))
    if vendor is not None:
        others = others.exclude(pk=vendor.pk)
    return others.first()


def _details_check(details: dict[str, Any], *, vendor: Vendor | None) -> None:
    problems = vendor_problems(**details)
    if not problems:
        other = _registered_elsewhere(country=details["country"], number=details["registration_number"], vendor=vendor)
        if other is not None:
            message = _("%(country)s %(number)s is already on the roster as %(vendor)s.") % {
                "country": details["country"],
                "number": details["registration_number"],
                "vendor": other.legal_name,
            }
            raise ApplicationError(
                message,
                code="vendors.duplicate_registration",
                status_code=CONFLICT,
                fields={"registration_number": [message]},
            )
        return
    message = " ".join(text for messages in problems.values() for text in messages)
    raise ApplicationError(message, code="vendors.invalid_vendor", fields=problems)


@transaction.atomic
def vendor_create(
    *,
    legal_name: str,
    country: str,
    registration_number: str,
    email: str,
    created_by: User,
    contact_name: str = "",
    phone: str = "",
    address: str = "",
    language: str = "en",
    categories: Iterable[SupplyCategory] = (),
) -> Vendor:
    """Add a vendor to the roster shared by every agency, active.

    A company is on the roster once: its country and registration number
    (compared without spaces or punctuation) are unique. Solicitations go to
    its e-mail, in its language. The status history starts with its addition.
    """
    details = _details_clean(
        {
            "legal_name": legal_name,
            "country": country,
            "registration_number": registration_number,
            "email": email,
            "contact_name": contact_name,
            "phone": phone,
            "address": address,
            "language": language,
        }
    )
    _details_check(details, vendor=None)
    try:
        with transaction.atomic():
            vendor = Vendor.objects.create(**details, registration_key=registration_key(details["registration_number"]))
    except IntegrityError:  # registered by someone else a moment ago
        raise ApplicationError(
            _("%(country)s %(number)s is already on the roster.")
            % {"country": details["country"], "number": details["registration_number"]},
            code="vendors.duplicate_registration",
            status_code=CONFLICT,
        )
    vendor.categories.set(list(categories))
    VendorStatusChange.objects.create(
        vendor=vendor,
        status=VendorStatus.ACTIVE,
        reason="",  # the history's first row: shown as "Added to the roster" in the reader's language
        effective_on=timezone.localdate(),
        changed_by=created_by,
        changed_at=timezone.now(),
    )
    return vendor


UPDATABLE = ("legal_name", "country", "registration_number", "email", "contact_name", "phone", "address", "language")


@transaction.atomic
def vendor_update(
    *, vendor: Vendor, updated_by: User, categories: Iterable[SupplyCategory] | None = None, **changes: str
) -> Vendor:
    """Change a vendor's details (not its status: `vendor_status_set` does that, with a reason).

    `changes` names any of legal_name, country, registration_number, email,
    contact_name, phone, address, language; `categories`, when given, replaces
    the categories it supplies. The same rules as for a new vendor apply.
    """
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ApplicationError(
            _("These details cannot be changed here: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            code="vendors.invalid_vendor",
        )
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    details = _details_clean({**{name: getattr(vendor, name) for name in UPDATABLE}, **changes})
    _details_check(details, vendor=vendor)
    changed = [name for name in UPDATABLE if getattr(vendor, name) != details[name]]
    for name in changed:
        setattr(vendor, name, details[name])
    if "registration_number" in changed:
        vendor.registration_key = registration_key(vendor.registration_number)
        changed.append("registration_key")
    if changed:
        try:
            with transaction.atomic():
                vendor.save(update_fields=[*changed, "updated_at"])
        except IntegrityError:
            raise ApplicationError(
                _("%(country)s %(number)s is already on the roster.")
                % {"country": vendor.country, "number": vendor.registration_number},
                code="vendors.duplicate_registration",
                status_code=CONFLICT,
            )
    if categories is not None:
        wanted = {category.pk for category in categories}
        if wanted != set(vendor.categories.values_list("pk", flat=True)):
            vendor.categories.set(list(wanted))
            Vendor.objects.filter(pk=vendor.pk).update(updated_at=timezone.now())
    return vendor


@transaction.atomic
def vendor_status_set(
    *, vendor: Vendor, status: str, reason: str, changed_by: User, effective_on: date | None = None
) -> Vendor:
    """Suspend a vendor, declare it ineligible, or reinstate it; every change is kept in its history.

    Moves allowed (`TRANSITIONS`): active -> suspended or ineligible;
    suspended -> active (reinstated) or ineligible; ineligible -> active.
    Each needs a reason (the decision, the investigation, the UN
    Ineligibility List entry) and takes effect on a day, today by default: a
    past day is allowed (the day a decision was taken), a future one is not,
    nor a day before the vendor's previous change, so the history reads in
    order. A suspended or ineligible vendor cannot be invited to bid or awarded
    a contract by any agency (`vendor_eligibility_check`).
    """
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    reason = (reason or "").strip()
    today = timezone.localdate()
    effective_on = effective_on or today
    if status not in TRANSITIONS:
        raise ApplicationError(
            _("Unknown status %(status)s.") % {"status": repr(str(status)[:20])},
            code="vendors.unknown_status",
            fields={"status": [_("Choose active, suspended or ineligible.")]},
        )
    if status not in TRANSITIONS[vendor.status]:
        raise ApplicationError(
            _("%(vendor)s is %(current)s; it cannot become %(wanted)s.")
            % {
                "vendor": vendor.legal_name,
                "current": VendorStatus(vendor.status).label.lower(),
                "wanted": VendorStatus(status).label.lower(),
            },
            code="vendors.illegal_transition",
            status_code=CONFLICT,
        )
    if not reason:
        message = _("Give the reason for the change: it is kept in the vendor's history.")
        raise ApplicationError(message, code="vendors.reason_required", fields={"reason": [message]})
    if len(reason) > limits.SHORT_TEXT:
        message = _("The reason is longer than %(limit)d characters.") % {"limit": limits.SHORT_TEXT}
        raise ApplicationError(message, code="vendors.reason_too_long", fields={"reason": [message]})
    if effective_on > today:
        message = _("The change takes effect today or on a past day, not in the future.")
        raise ApplicationError(message, code="vendors.date_in_future", fields={"effective_on": [message]})
    latest = vendor.status_changes.order_by("-effective_on").values_list("effective_on", flat=True).first()
    if latest is not None and effective_on < latest:
        message = _("The vendor's previous change took effect on %(day)s; this one cannot be earlier.") % {
            "day": latest.isoformat()
        }
        raise ApplicationError(message, code="vendors.date_before_last_change", fields={"effective_on": [message]})
    vendor.status = status
    vendor.status_reason = "" if status == VendorStatus.ACTIVE else reason
    vendor.status_since = effective_on
    vendor.save(update_fields=["status", "status_reason", "status_since", "updated_at"])
    VendorStatusChange.objects.create(
        vendor=vendor,
        status=status,
        reason=reason,
        effective_on=effective_on,
        changed_by=changed_by,
        changed_at=timezone.now(),
    )
    return vendor


def vendor_eligibility_check(vendor: Vendor) -> None:
    """Refuse (`vendors.vendor_not_eligible`, 409) a vendor that may not be invited to bid or awarded.

    Only an active vendor is eligible (UN Procurement Manual: a suspended or
    ineligible vendor takes part in no solicitation and gets no contract).
    The status is read again from the database; inside a transaction the row
    is locked (FOR NO KEY UPDATE) until it commits, so the vendor cannot be
    suspended between this check and the invitation or award it guards.
    """
    rows = Vendor.objects.filter(pk=vendor.pk)
    if connection.in_atomic_block:
        rows = rows.select_for_update(no_key=True)
    current = rows.values("legal_name", "status", "status_reason", "status_since").first()
    if current is None:
        raise ApplicationError(_("No such vendor."), code="vendors.vendor_not_found", status_code=404)
    if current["status"] == VendorStatus.ACTIVE:
        return
    since = current["status_since"]
    raise ApplicationError(
        _("%(vendor)s is %(status)s since %(day)s (%(reason)s): it cannot be invited to bid or awarded a contract.")
        % {
            "vendor": current["legal_name"],
            "status": VendorStatus(current["status"]).label.lower(),
            "day": since.isoformat() if since else "?",
            "reason": current["status_reason"],
        },
        code="vendors.vendor_not_eligible",
        status_code=CONFLICT,
    )


# -- contacts and categories -----------------------------------------------------------------


@transaction.atomic
def contact_add(
    *, vendor: Vendor, name: str, added_by: User, role: str = "", email: str = "", phone: str = ""
) -> VendorContact:
    """Add a person at the vendor (sales, accounts). A name is needed, and a way to reach them."""
    name, role, phone, email = _one_line(name), _one_line(role), _one_line(phone), (email or "").strip().lower()
    problems: dict[str, list[str]] = {}
    if not name:
        problems["name"] = [_("Give the contact's name.")]
    elif len(name) > limits.NAME:
        problems["name"] = [_("The name is longer than %(limit)d characters.") % {"limit": limits.NAME}]
    if len(role) > 120:
        problems["role"] = [_("The role is longer than 120 characters.")]
    if len(phone) > 40:
        problems["phone"] = [_("The telephone number is longer than 40 characters.")]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems["email"] = [_("“%(email)s” is not a valid e-mail address.") % {"email": email[:100]}]
    elif not phone:
        problems["email"] = [_("Give an e-mail address or a telephone number.")]
    if problems:
        message = " ".join(text for messages in problems.values() for text in messages)
        raise ApplicationError(message, code="vendors.invalid_contact", fields=problems)
    return VendorContact.objects.create(vendor=vendor, name=name, role=role, email=email, phone=phone)


@transaction.atomic
def contact_remove(*, contact: VendorContact, removed_by: User) -> None:
    """Remove a person from the vendor's contacts (the vendor's own e-mail stays)."""
    VendorContact.objects.filter(pk=contact.pk).delete()


def _category_name_check(name: str) -> str:
    name = _one_line(name)
    if not name or len(name) > 120:
        message = _("Give the category's name, up to 120 characters.")
        raise ApplicationError(message, code="vendors.invalid_category", fields={"name": [message]})
    return name


@transaction.atomic
def category_create(*, code: str, name: str, created_by: User) -> SupplyCategory:
    """Add a supply category. Its code (2-20 capitals, digits or hyphens, e.g. IT-EQUIP) is used in CSV files."""
    code = (code or "").strip().upper()
    if not CATEGORY_CODE.match(code):
        message = _("A code is 2 to 20 capital letters, digits or hyphens, e.g. IT-EQUIP.")
        raise ApplicationError(message, code="vendors.invalid_category", fields={"code": [message]})
    name = _category_name_check(name)
    if SupplyCategory.objects.filter(code=code).exists():
        message = _("The code %(code)s is already used.") % {"code": code}
        raise ApplicationError(
            message, code="vendors.category_code_taken", status_code=CONFLICT, fields={"code": [message]}
        )
    return SupplyCategory.objects.create(code=code, name=name)


@transaction.atomic
def category_update(*, category: SupplyCategory, name: str, is_active: bool, updated_by: User) -> SupplyCategory:
    """Rename a category or take it out of use (its code never changes: files and requisitions cite it).

    A category out of use stays on the vendors that supply it but is refused in new imports.
    """
    category.name = _category_name_check(name)
    category.is_active = is_active
    category.save(update_fields=["name", "is_active"])
    return category


# -- CSV import ----------------------------------------------------------------------------------


def _categories_read(cell: str) -> tuple[list[SupplyCategory], list[str]]:
    codes = [code.upper() for code in re.split(r"[;|,\s]+", cell.strip()) if code]
    known = {category.code: category for category in SupplyCategory.objects.filter(code__in=codes)}
    found, reasons = [], []
    for code in dict.fromkeys(codes):
        category = known.get(code)
        if category is None:
            reasons.append(_("Unknown category code “%(code)s”.") % {"code": code[:30]})
        elif not category.is_active:
            reasons.append(_("The category %(code)s is no longer in use.") % {"code": code})
        else:
            found.append(category)
    return found, reasons


def _row_import(values: dict[str, str], *, imported_by: User) -> tuple[RowOutcome, list[str], Vendor | None]:
    """One row: created, updated, unchanged, or refused with every reason at once."""
    country = values.get("country", "").strip().upper()
    number = _one_line(values.get("registration_number", ""))
    existing = None
    if country and registration_key(number):
        existing = Vendor.objects.filter(country=country, registration_key=registration_key(number)).first()
    # A blank optional cell leaves the vendor's detail as it is (a file never wipes what officers entered).
    given = {name: value for name, value in values.items() if name in UPDATABLE and value.strip()}
    if existing is not None:
        merged = {**{name: getattr(existing, name) for name in UPDATABLE}, **given}
    else:
        merged = {**{name: "" for name in UPDATABLE}, "language": "en", **given}
    details = _details_clean(merged)
    problems = vendor_problems(**details)
    reasons = [text for messages in problems.values() for text in messages]
    categories: list[SupplyCategory] | None = None
    if values.get("categories", "").strip():
        categories, category_reasons = _categories_read(values["categories"])
        reasons += category_reasons
    if reasons:
        return RowOutcome.REFUSED, reasons, None
    try:
        with transaction.atomic():
            if existing is None:
                vendor = vendor_create(**details, categories=categories or (), created_by=imported_by)
                return RowOutcome.CREATED, [], vendor
            before = (
                tuple(getattr(existing, name) for name in UPDATABLE),
                set(existing.categories.values_list("pk", flat=True)),
            )
            vendor = vendor_update(vendor=existing, updated_by=imported_by, categories=categories, **details)
            after = (
                tuple(getattr(vendor, name) for name in UPDATABLE),
                set(vendor.categories.values_list("pk", flat=True)),
            )
            return (RowOutcome.UPDATED if after != before else RowOutcome.UNCHANGED), [], vendor
    except ApplicationError as error:
        return RowOutcome.REFUSED, [error.message], None


@transaction.atomic
def vendors_import(
    *,
    imported_by: User,
    file: IO[bytes] | bytes | None = None,
    rows: Iterable[dict[str, str]] | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Add and update vendors from a CSV file (or rows already read), with a report line per row.

    The file (UTF-8, comma, semicolon or tab separated, a header naming the
    columns of `roster_csv.COLUMNS`) is refused as a whole when it cannot be
    read: empty, not UTF-8, too large, too many rows, a required column
    missing or an unknown one. Otherwise each row is on its own: a row whose
    country and registration number are on the roster updates that vendor
    (blank cells leave its details as they are; its status never changes
    here), another adds one; a row is refused, with every reason, for an
    unknown country or category code, a missing or invalid e-mail, a
    registration number given on an earlier row, and so on. Refused rows change
    nothing; the others are saved. With `dry_run` nothing is saved at all and
    the report says what would happen.
    """
    if rows is None:
        if file is None:
            raise ApplicationError(_("Choose a CSV file to import."), code="vendors.import_no_file")
        parsed: RosterFile = roster_file_read(file)
        numbered = parsed.rows
    else:
        numbered = [(index, {k: (v or "") for k, v in row.items()}) for index, row in enumerate(rows, start=2)]
    report = ImportReport(dry_run=dry_run)
    seen: dict[tuple[str, str], int] = {}
    for line, values in numbered:
        country = values.get("country", "").strip().upper()
        key = (country, registration_key(values.get("registration_number", "")))
        row = ImportRow(
            line=line,
            legal_name=_one_line(values.get("legal_name", ""))[: limits.NAME],
            country=country[:10],
            registration_number=_one_line(values.get("registration_number", ""))[:60],
        )
        if values.get("__problem__"):
            row.outcome, row.reasons = RowOutcome.REFUSED, [values["__problem__"]]
        elif key[1] and key in seen:
            row.outcome = RowOutcome.REFUSED
            row.reasons = [
                _("The same country and registration number as line %(line)d: one row per vendor.")
                % {"line": seen[key]}
            ]
        else:
            if key[1]:
                seen[key] = line
            row.outcome, row.reasons, vendor = _row_import(values, imported_by=imported_by)
            row.vendor_id = vendor.pk if vendor is not None else None
        report.rows.append(row)
    if dry_run:
        transaction.set_rollback(True)
        for row in report.rows:
            row.vendor_id = None if row.outcome == RowOutcome.CREATED else row.vendor_id
    return report


# -- method thresholds ---------------------------------------------------------------------------


def _amount_check(name: str, value: Any, label: str) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = Decimal("NaN")
    if not amount.is_finite() or amount <= 0:
        message = _("%(label)s must be an amount above zero.") % {"label": label}
        raise ApplicationError(message, code="vendors.thresholds_not_positive", fields={name: [message]})
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        message = _("%(label)s has more than 2 decimal places.") % {"label": label}
        raise ApplicationError(message, code="vendors.too_many_decimals", fields={name: [message]})
    if amount >= Decimal("1e12"):
        message = _("%(label)s is larger than the platform records.") % {"label": label}
        raise ApplicationError(message, code="vendors.thresholds_too_large", fields={name: [message]})
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def thresholds_set(
    *,
    agency: Agency,
    effective_from: date,
    micro_purchase_max: Decimal,
    rfq_max: Decimal,
    committee_above: Decimal,
    set_by: User,
) -> MethodThresholds:
    """Set the values, in US dollars, that choose an agency's procurement method from a day on.

    Up to `micro_purchase_max` a micro-purchase; up to `rfq_max` a request for
    quotation; above, an invitation to bid or request for proposal; above
    `committee_above` the contracts committee reviews before award (defaults
    after UNDP's rules: 15,000.00, 200,000.00 and 300,000.00). The amounts are
    above zero with at most two decimals, and increase: micro-purchase below
    RFQ, and the committee threshold not below the RFQ one (the committee
    reviews formal solicitations).

    The day is today or later, never earlier: a requisition already bought
    under the values in force on its day keeps them, so history never changes.
    Setting a day that already has values replaces them only while that day is
    in the future; today's values, once in force, are changed from tomorrow.
    """
    if agency.is_facility:
        raise ApplicationError(
            _("Thresholds are set for an agency, not for the facility."), code="vendors.thresholds_agency_required"
        )
    today = timezone.localdate()
    if effective_from < today:
        message = _("Values take effect today or later: what was in force on a past day never changes.")
        raise ApplicationError(message, code="vendors.thresholds_in_past", fields={"effective_from": [message]})
    micro = _amount_check("micro_purchase_max", micro_purchase_max, _("The micro-purchase threshold"))
    rfq = _amount_check("rfq_max", rfq_max, _("The request for quotation threshold"))
    committee = _amount_check("committee_above", committee_above, _("The contracts committee threshold"))
    if rfq <= micro:
        message = _("The request for quotation threshold must be above the micro-purchase threshold.")
        raise ApplicationError(message, code="vendors.thresholds_not_increasing", fields={"rfq_max": [message]})
    if committee < rfq:
        message = _("The contracts committee threshold cannot be below the request for quotation threshold.")
        raise ApplicationError(message, code="vendors.thresholds_not_increasing", fields={"committee_above": [message]})
    Agency.objects.select_for_update().filter(pk=agency.pk).first()  # one setter per agency at a time
    values = {"micro_purchase_max": micro, "rfq_max": rfq, "committee_above": committee}
    existing = MethodThresholds.objects.filter(agency=agency, effective_from=effective_from).first()
    if existing is not None:
        if effective_from <= today:
            message = _("Values are already in force from today; set new ones from tomorrow.")
            raise ApplicationError(
                message,
                code="vendors.thresholds_in_force",
                status_code=CONFLICT,
                fields={"effective_from": [message]},
            )
        for name, value in values.items():
            setattr(existing, name, value)
        existing.set_by, existing.set_at = set_by, timezone.now()
        existing.save(update_fields=[*values, "set_by", "set_at"])
        return existing
    return MethodThresholds.objects.create(
        agency=agency, effective_from=effective_from, set_by=set_by, set_at=timezone.now(), **values
    )
