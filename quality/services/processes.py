"""Processes and their risks and opportunities (ISO 9001:2015 clauses 4.4 and 6.1).

The register of processes is kept by the quality focal point and the facility
manager (`KEEPER_ROLES`); a process's own owner keeps its risks and
opportunities up to date with them. The read-only auditor changes nothing.
Every step leaves a line in the process's history.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shared_platform import limits
from shared_platform.errors import ApplicationError

from ..access import KEEPER_ROLES, READ_ONLY_ROLES, READER_ROLES, holds, role_check
from ..models import Document, Process, Risk, RiskKind
from ..records import event_append

if TYPE_CHECKING:
    from accounts.models import User
    from service_levels.models import Service

PROCESS_CODE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code="quality.invalid", fields={field: [message]})


def _text(value: str | None, *, field: str, limit: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise _invalid(field, gettext("This field is required."))
    if len(text) > limit:
        raise _invalid(field, gettext("At most %(limit)d characters.") % {"limit": limit})
    return text


def _not_read_only(user: User) -> None:
    if holds(user, READ_ONLY_ROLES) and not holds(user, KEEPER_ROLES):
        raise ApplicationError(
            gettext("The auditor reads the quality records and changes none of them."),
            code="quality.not_allowed",
            status_code=403,
        )


def _keeper_check(user: User) -> None:
    role_check(user, KEEPER_ROLES, gettext("Only the quality focal point or the facility manager keeps the processes."))


def _facility_person_check(person: User, *, field: str) -> None:
    """An owner answers for a facility process: they hold a facility role."""
    if not person.is_active or not holds(person, READER_ROLES):
        raise _invalid(field, gettext("The owner must be a member of the facility's staff."))


def _score_check(value: int, *, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise _invalid(field, gettext("Give a whole number from 1 to 5."))
    return value


@transaction.atomic
def process_create(
    *,
    created_by: User,
    code: str,
    name: str,
    owner: User,
    purpose: str = "",
    services: Iterable[Service] = (),
    procedure: Document | None = None,
    at: datetime | None = None,
) -> Process:
    """Add a core process to the register, with the person answerable for it (clause 4.4.1 c, e).

    Its code is short and unique (ICT-INC); the catalogue services named are
    what measures it (clause 4.4.1 c: performance indicators).
    """
    _keeper_check(created_by)
    code = (code or "").strip().upper()
    if not PROCESS_CODE.match(code) or len(code) > 20:
        raise _invalid("code", gettext("A code is up to 20 capital letters, digits and hyphens, e.g. ICT-INC."))
    name = _text(name, field="name", limit=limits.NAME, required=True)
    purpose = _text(purpose, field="purpose", limit=limits.SHORT_TEXT, required=False)
    _facility_person_check(owner, field="owner")
    if Process.objects.select_for_update().filter(code=code).exists():
        raise ApplicationError(
            gettext("A process with the code %(code)s is already in the register.") % {"code": code},
            code="quality.process_code_taken",
            status_code=409,
            fields={"code": [gettext("This code is taken.")]},
        )
    process = Process.objects.create(code=code, name=name, purpose=purpose, owner=owner, procedure=procedure)
    process.services.set(list(services))
    event_append(
        process,
        action="created",
        actor=created_by,
        at=at,
        detail=gettext("Owner: %(owner)s") % {"owner": owner.get_full_name() or owner.email},
    )
    return process


@transaction.atomic
def process_update(
    *,
    process: Process,
    updated_by: User,
    name: str,
    owner: User,
    purpose: str = "",
    services: Iterable[Service] = (),
    procedure: Document | None = None,
    active: bool = True,
    at: datetime | None = None,
) -> Process:
    """Change a process's name, purpose, owner, measures or procedure; a change of owner is named in its history."""
    _keeper_check(updated_by)
    process = Process.objects.select_for_update().get(pk=process.pk)
    name = _text(name, field="name", limit=limits.NAME, required=True)
    purpose = _text(purpose, field="purpose", limit=limits.SHORT_TEXT, required=False)
    _facility_person_check(owner, field="owner")
    changes = []
    if owner.pk != process.owner_id:
        changes.append(gettext("owner now %(owner)s") % {"owner": owner.get_full_name() or owner.email})
    if active != process.active:
        changes.append(gettext("active again") if active else gettext("no longer active"))
    process.name, process.purpose, process.owner, process.procedure, process.active = (
        name,
        purpose,
        owner,
        procedure,
        active,
    )
    process.save(update_fields=["name", "purpose", "owner", "procedure", "active"])
    process.services.set(list(services))
    event_append(process, action="updated", actor=updated_by, at=at, detail="; ".join(changes))
    return process


def _risk_keeper_check(user: User, process: Process) -> None:
    """Keepers of the register, or the process's own owner, keep its risks (clause 6.1)."""
    _not_read_only(user)
    if holds(user, KEEPER_ROLES) or user.pk == process.owner_id:
        return
    raise ApplicationError(
        gettext("Only the process owner, the quality focal point or the facility manager keeps its risks."),
        code="quality.not_allowed",
        status_code=403,
    )


def _risk_fields(
    *, kind: str, description: str, likelihood: int, impact: int, treatment: str, owner: User
) -> dict[str, object]:
    if kind not in RiskKind.values:
        raise _invalid("kind", gettext("Say whether it is a risk or an opportunity."))
    _facility_person_check(owner, field="owner")
    return {
        "kind": kind,
        "description": _text(description, field="description", limit=limits.SHORT_TEXT, required=True),
        "likelihood": _score_check(likelihood, field="likelihood"),
        "impact": _score_check(impact, field="impact"),
        "treatment": _text(treatment, field="treatment", limit=limits.SHORT_TEXT, required=False),
        "owner": owner,
    }


@transaction.atomic
def risk_record(
    *,
    process: Process,
    recorded_by: User,
    description: str,
    likelihood: int,
    impact: int,
    kind: str = RiskKind.RISK,
    treatment: str = "",
    owner: User | None = None,
    review_on: date | None = None,
    at: datetime | None = None,
) -> Risk:
    """Record a risk or an opportunity of a process: likelihood x impact (1-5 each), treatment, owner (clause 6.1)."""
    _risk_keeper_check(recorded_by, process)
    fields = _risk_fields(
        kind=kind,
        description=description,
        likelihood=likelihood,
        impact=impact,
        treatment=treatment,
        owner=owner or process.owner,
    )
    risk = Risk.objects.create(process=process, review_on=review_on, **fields)  # type: ignore[arg-type]
    event_append(
        process,
        action="risk_recorded",
        actor=recorded_by,
        at=at,
        detail=f"{risk.get_kind_display()} {risk.likelihood}x{risk.impact}={risk.score}: {risk.description[:200]}",
    )
    return risk


@transaction.atomic
def risk_update(
    *,
    risk: Risk,
    updated_by: User,
    description: str,
    likelihood: int,
    impact: int,
    kind: str,
    treatment: str,
    owner: User,
    review_on: date | None = None,
    at: datetime | None = None,
) -> Risk:
    """Re-assess a risk or an opportunity; the history keeps the score before and after (clause 6.1.2)."""
    risk = Risk.objects.select_for_update().select_related("process").get(pk=risk.pk)
    _risk_keeper_check(updated_by, risk.process)
    before = risk.score
    fields = _risk_fields(
        kind=kind, description=description, likelihood=likelihood, impact=impact, treatment=treatment, owner=owner
    )
    for name, value in fields.items():
        setattr(risk, name, value)
    risk.review_on = review_on
    risk.save(update_fields=[*fields, "review_on", "updated_at"])
    event_append(
        risk.process,
        action="risk_updated",
        actor=updated_by,
        at=at,
        detail=f"{before} -> {risk.likelihood}x{risk.impact}={risk.score}: {risk.description[:200]}",
    )
    return risk


@transaction.atomic
def risk_remove(*, risk: Risk, removed_by: User, at: datetime | None = None) -> None:
    """Take a risk or opportunity off a process's register (it no longer applies); its history line stays."""
    risk = Risk.objects.select_for_update().select_related("process").get(pk=risk.pk)
    _risk_keeper_check(removed_by, risk.process)
    event_append(
        risk.process,
        action="risk_removed",
        actor=removed_by,
        at=at or timezone.now(),
        detail=f"{risk.get_kind_display()} {risk.score}: {risk.description[:200]}",
    )
    risk.delete()
