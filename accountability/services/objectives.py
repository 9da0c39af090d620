"""Keeping the quality objectives (ISO 9001 clause 6.2): the quality focal point or the facility manager sets them.

Clause 6.2.1 asks that objectives be measurable, consistent with the quality
policy, monitored and updated: each names a figure the scorecards compute, a
target with an explicit comparison, a period and to whom it applies, so its
evaluation is automatic (`selectors.objectives.objective_evaluate`). An
objective is changed in place (its evaluations are always recomputed from
the cells, never stored) and retired by marking it inactive or giving it an
end date, never deleted while a management review may cite it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from service_levels.models import Module, Service
from shared_platform import limits
from shared_platform.errors import ApplicationError

from ..access import REVIEW_KEEPER_ROLES, holds_facility_role
from ..models import Comparison, ObjectiveMetric, ObjectiveScope, PeriodKind, QualityObjective

# The most a target can be: the column holds 10 digits before the decimal point.
TARGET_MAX = Decimal("9999999999.99")
# The dates an objective may name: its periods are evaluated one by one, so a date in year 1 is refused.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
EDITABLE = (
    "title",
    "metric",
    "comparison",
    "target",
    "period_kind",
    "scope",
    "module",
    "service",
    "process",
    "owner",
    "valid_from",
    "valid_to",
    "active",
)


def may_keep_objectives(user: User | Any) -> bool:
    """The quality focal point and the facility manager keep the objectives; the read-only auditor never does."""
    return holds_facility_role(user, REVIEW_KEEPER_ROLES)


def _keeper_check(user: User) -> None:
    if not may_keep_objectives(user):
        raise ApplicationError(
            gettext("Only the quality focal point or the facility manager sets quality objectives."),
            code="accountability.objective_not_keeper",
            status_code=403,
        )


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(
        gettext("Please correct the highlighted fields."),
        code="accountability.objective_invalid",
        fields={field: [message]},
    )


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    """The objective's fields checked together: a figure it can measure and a target that figure can reach."""
    title = str(values.get("title") or "").strip()
    if not title:
        raise _invalid("title", gettext("Say what the objective is."))
    if len(title) > limits.NAME:
        raise _invalid("title", gettext("At most %(count)s characters.") % {"count": limits.NAME})
    values["title"] = title
    for field, choices in (
        ("metric", ObjectiveMetric.values),
        ("comparison", Comparison.values),
        ("period_kind", PeriodKind.values),
        ("scope", ObjectiveScope.values),
    ):
        if values.get(field) not in choices:
            raise _invalid(field, gettext("Choose one of the options offered."))
    module = values.get("module") or ""
    if module and module not in Module.values:
        raise _invalid("module", gettext("Choose one of the options offered."))
    values["module"] = module
    service: Service | None = values.get("service")
    if service is not None and module and service.module != module:
        raise _invalid("service", gettext("The service belongs to another module than the one chosen."))
    if service is not None and values.get("process") is not None:
        raise _invalid("process", gettext("Choose a service or a process, not both."))
    try:
        target = Decimal(str(values.get("target")))
    except (InvalidOperation, ValueError):
        raise _invalid("target", gettext("Enter a number.")) from None
    if not target.is_finite() or target < 0 or target > TARGET_MAX:
        raise _invalid("target", gettext("Enter a number from 0 to %(max)s.") % {"max": TARGET_MAX})
    if values["metric"] == ObjectiveMetric.SLA_COMPLIANCE and target > 100:
        raise _invalid("target", gettext("A compliance target is a percentage, at most 100."))
    if values["metric"] == ObjectiveMetric.SATISFACTION and not Decimal(1) <= target <= Decimal(5):
        raise _invalid("target", gettext("A satisfaction target is between 1 and 5."))
    values["target"] = target.quantize(Decimal("0.01"))
    valid_from: date | None = values.get("valid_from")
    if valid_from is None:
        raise _invalid("valid_from", gettext("Say from when the objective applies."))
    if not EARLIEST <= valid_from <= LATEST:
        raise _invalid("valid_from", gettext("Enter a date from 2000 to 2100."))
    valid_to: date | None = values.get("valid_to")
    if valid_to is not None and not EARLIEST <= valid_to <= LATEST:
        raise _invalid("valid_to", gettext("Enter a date from 2000 to 2100."))
    if valid_to is not None and valid_to < valid_from:
        raise _invalid("valid_to", gettext("The end comes before the start."))
    if values.get("owner") is None:
        raise _invalid("owner", gettext("Name who is answerable for the objective."))
    return values


def _reference_next() -> str:
    highest = QualityObjective.objects.aggregate(highest=Max("pk"))["highest"] or 0
    return f"QO-{highest + 1:03d}"


@transaction.atomic
def objective_create(*, created_by: User, now: datetime | None = None, **fields: Any) -> QualityObjective:
    """A new quality objective (clause 6.2.1: measurable, with a target, a period and an owner)."""
    _keeper_check(created_by)
    values = _checked({name: fields.get(name) for name in EDITABLE})
    values["active"] = True if fields.get("active") is None else bool(fields.get("active"))
    objective = QualityObjective(
        reference=_reference_next(), created_by=created_by, created_at=now or timezone.now(), **values
    )
    try:
        with transaction.atomic():
            objective.save()
    except IntegrityError:
        raise ApplicationError(
            gettext("Another objective was saved at the same moment; please save again."),
            code="accountability.objective_conflict",
            status_code=409,
        ) from None
    return objective


@transaction.atomic
def objective_update(*, objective: QualityObjective, updated_by: User, **fields: Any) -> QualityObjective:
    """Change an objective (clause 6.2.1 e: objectives are updated as appropriate); its past periods are re-read."""
    _keeper_check(updated_by)
    objective = QualityObjective.objects.select_for_update().get(pk=objective.pk)
    values = {name: getattr(objective, name) for name in EDITABLE}
    values.update({name: value for name, value in fields.items() if name in EDITABLE})
    values = _checked(values)
    changed = [name for name in EDITABLE if getattr(objective, name) != values[name]]
    for name in changed:
        setattr(objective, name, values[name])
    if changed:
        objective.save(update_fields=changed)
    return objective
