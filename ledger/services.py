"""Writes for the ledger: requests and their SLA clocks. Modules call these; nothing else changes them.

A module (helpdesk, procurement, travel) opens a ledger entry when a request
is raised and calls the step functions as the request moves on. The rules
(PRODUCT.md, "Service catalogue and service-level agreements"):

- A request uses the agreement in force the day it was raised; a service the
  agreement does not list is refused.
- One clock per target. Waiting on the requester pauses every running clock;
  waiting on a supplier does too unless the agreement says otherwise, in which
  case the clock runs on, held by the supplier.
- Resolving stops every clock; reopening resumes the resolution (completion)
  clock where it stopped; first response is never reset.
- Warnings at the agreement's percentages, a breach at 100%, each recorded
  once, with who held the clock.

All business-time arithmetic is `service_levels.business_time`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from accounts.models import User
from billing.services import usage_record
from service_levels.business_time import BusinessCalendar
from service_levels.models import METRICS_STARTED_ON_OPEN, Category, Metric, Priority, Service
from service_levels.selectors import agreement_covering, business_calendar, targets_for
from shared_platform.errors import ApplicationError
from shared_platform.queue import enqueue_after_commit
from tenants.models import Agency

from .models import (
    OPEN_STATUSES,
    ClockState,
    ComplianceMonth,
    EntryStatus,
    EventKind,
    Holder,
    LedgerEntry,
    LedgerEvent,
    NamedPerson,
    NamedRole,
    SlaBreach,
    SlaClock,
)
from .selectors import clock_used, clocks_crossing, compliance_from_ledger

# Allowed moves of a ledger entry (one table for every module).
TRANSITIONS: dict[str, frozenset[str]] = {
    EntryStatus.NEW: frozenset({EntryStatus.OPEN, EntryStatus.PENDING, EntryStatus.RESOLVED, EntryStatus.CANCELLED}),
    EntryStatus.OPEN: frozenset({EntryStatus.PENDING, EntryStatus.RESOLVED, EntryStatus.CANCELLED}),
    EntryStatus.PENDING: frozenset({EntryStatus.OPEN, EntryStatus.RESOLVED, EntryStatus.CANCELLED}),
    EntryStatus.RESOLVED: frozenset({EntryStatus.OPEN, EntryStatus.CLOSED}),
    EntryStatus.CLOSED: frozenset(),
    EntryStatus.CANCELLED: frozenset(),
}

# Importing history (the demo's past months) must not e-mail people about the past.
_alerts_muted: ContextVar[bool] = ContextVar("sla_alerts_muted", default=False)


@contextmanager
def alerts_muted() -> Iterator[None]:
    """Record warnings and breaches without e-mailing anyone, e.g. while loading past requests."""
    token = _alerts_muted.set(True)
    try:
        yield
    finally:
        _alerts_muted.reset(token)


def alerts_are_muted() -> bool:
    """True inside `alerts_muted()`: modules skip their step e-mails too (the demo's history)."""
    return _alerts_muted.get()


def _alert(clock: SlaClock, kind: str) -> None:
    if not _alerts_muted.get():
        from .tasks import sla_alert_send

        enqueue_after_commit(sla_alert_send, clock.pk, kind)


# Clocks that measure delivery: they resume when a resolved request is reopened.
METRICS_RESUMED_ON_REOPEN = frozenset({Metric.RESOLUTION, Metric.COMPLETION})


def _now(at: datetime | None) -> datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValueError("Ledger times must be aware datetimes.")
    return at


def _event(entry: LedgerEntry, kind: str, at: datetime, actor: User | None, detail: str | Promise = "") -> None:
    # A label from code (a metric's name, now translatable) is stored as the platform's language writes it,
    # as it always was, whoever acted and in whatever language.
    with translation.override(settings.LANGUAGE_CODE):
        text = str(detail)
    LedgerEvent.objects.create(entry=entry, kind=kind, at=at, actor=actor, detail=text[:300])


def _calendar(entry: LedgerEntry) -> BusinessCalendar:
    return business_calendar(calendar=entry.agreement.calendar)


def _locked(entry: LedgerEntry) -> LedgerEntry:
    # Lock the request's own row only: without `of`, PostgreSQL would also lock the joined agency,
    # service and calendar rows and make every request of an agency wait for each other.
    return (
        LedgerEntry.objects.select_for_update(of=("self",))
        .select_related("agreement__calendar", "agency", "service")
        .get(pk=entry.pk)
    )


# Why each move TRANSITIONS refuses is refused, as the person working the request would say it.
_NOT_RESOLVED_YET = gettext_lazy("%(request)s has not been resolved yet, so it cannot be closed.")
_REFUSED_MOVES: dict[tuple[str, str], Promise] = {
    (EntryStatus.NEW, EntryStatus.CLOSED): _NOT_RESOLVED_YET,
    (EntryStatus.OPEN, EntryStatus.CLOSED): _NOT_RESOLVED_YET,
    (EntryStatus.PENDING, EntryStatus.CLOSED): _NOT_RESOLVED_YET,
    (EntryStatus.OPEN, EntryStatus.OPEN): gettext_lazy("%(request)s is already open and being worked on."),
    (EntryStatus.PENDING, EntryStatus.PENDING): gettext_lazy(
        "%(request)s is already waiting for an answer; its clock is paused."
    ),
    (EntryStatus.RESOLVED, EntryStatus.PENDING): gettext_lazy(
        "%(request)s is resolved; reopen it before waiting for an answer."
    ),
    (EntryStatus.RESOLVED, EntryStatus.RESOLVED): gettext_lazy("%(request)s has already been resolved."),
    (EntryStatus.RESOLVED, EntryStatus.CANCELLED): gettext_lazy(
        "%(request)s has already been resolved, so it can no longer be cancelled."
    ),
}


def _guard(entry: LedgerEntry, to: str) -> None:
    """Refuse a move the transition table does not allow, before anything changes, saying why."""
    if to not in TRANSITIONS[entry.status]:
        if entry.status == EntryStatus.CLOSED:
            template: Promise = gettext_lazy(
                "%(request)s is closed and no longer changes; raise a new request if needed."
            )
        elif entry.status == EntryStatus.CANCELLED:
            template = gettext_lazy("%(request)s was cancelled and no longer changes.")
        else:
            template = _REFUSED_MOVES.get((entry.status, to), gettext_lazy("%(request)s cannot change that way."))
        raise ApplicationError(
            str(template) % {"request": entry.reference},
            code="ledger.illegal_transition",
            status_code=409,
        )


def _move(entry: LedgerEntry, to: str, at: datetime, actor: User | None, reason: str = "") -> None:
    _guard(entry, to)
    before = entry.status
    entry.status = to
    entry.save(update_fields=["status", "held_by", "completed_at", "closed_at", "breached", "updated_at"])
    _event(entry, EventKind.STATUS, at, actor, f"{before} → {to}" + (f": {reason}" if reason else ""))


# -- clocks -------------------------------------------------------------------


def _share(minutes: int, percent: int) -> timedelta:
    return timedelta(microseconds=minutes * 60_000_000 * percent // 100)


def clock_schedule(clock: SlaClock, calendar: BusinessCalendar, *, warn_first: int, warn_second: int) -> None:
    """Set a running clock's warning and due instants from what is left of its target."""
    running_since = clock.running_since
    assert running_since is not None

    def when(share: timedelta) -> datetime:
        left = share - clock.used_before
        return calendar.add(running_since, left) if left > timedelta(0) else running_since

    clock.warn_first_at = when(_share(clock.target_minutes, warn_first))
    clock.warn_second_at = when(_share(clock.target_minutes, warn_second))
    clock.due_at = when(_share(clock.target_minutes, 100))


def _schedule(clock: SlaClock, entry: LedgerEntry) -> None:
    agreement = entry.agreement
    clock_schedule(
        clock, _calendar(entry), warn_first=agreement.warn_first_percent, warn_second=agreement.warn_second_percent
    )


def _bank(clock: SlaClock, entry: LedgerEntry, at: datetime) -> None:
    """Add the business time since the clock last started running to what it has used."""
    clock.used_before = clock_used(clock=clock, calendar=_calendar(entry), at=at)
    clock.running_since = None
    clock.warn_first_at = clock.warn_second_at = clock.due_at = None


def _breach_if_due(clock: SlaClock, entry: LedgerEntry, at: datetime) -> None:
    """Before a clock pauses or stops at `at`: record the breach the beat task has not caught yet."""
    if (
        clock.state == ClockState.RUNNING
        and clock.breached_at is None
        and clock.due_at is not None
        and clock.due_at < at
    ):
        breach_record(clock=clock, recorded_at=at)
        clock.refresh_from_db(fields=["breached_at", "first_warning_sent_at", "second_warning_sent_at"])


def _clock_save(clock: SlaClock, *also: str) -> None:
    clock.save(
        update_fields=[
            *also,
            "state",
            "held_by",
            "running_since",
            "used_before",
            "warn_first_at",
            "warn_second_at",
            "due_at",
            "stopped_at",
        ]
    )


def _clock_start(entry: LedgerEntry, metric: str, minutes: int, at: datetime) -> SlaClock:
    clock = SlaClock(
        entry=entry,
        metric=metric,
        target_minutes=minutes,
        started_at=at,
        running_since=at,
        used_before=timedelta(0),
        held_by=Holder.FACILITY,
    )
    _schedule(clock, entry)
    clock.save()
    return clock


@transaction.atomic
def clock_start(*, entry: LedgerEntry, metric: str, at: datetime | None = None, actor: User | None = None) -> SlaClock:
    """Start the clock of a later step (travel: ticketing after approval, the claim after the journey)."""
    at = _now(at)
    entry = _locked(entry)
    minutes = targets_for(agreement=entry.agreement, service=entry.service, priority=entry.priority).get(metric)
    if minutes is None:
        raise ApplicationError(
            gettext("%(service)s has no %(metric)s target.")
            % {"service": entry.service.code, "metric": str(Metric(metric).label).lower()},
            code="ledger.no_target",
        )
    if entry.clocks.filter(metric=metric).exists():
        raise ApplicationError(
            gettext("The %(metric)s clock already started.") % {"metric": str(Metric(metric).label).lower()},
            code="ledger.clock_exists",
        )
    clock = _clock_start(entry, metric, minutes, at)
    _event(entry, EventKind.CLOCK_STARTED, at, actor, str(Metric(metric).label))
    return clock


@transaction.atomic
def clock_stop(
    *, entry: LedgerEntry, metric: str, at: datetime | None = None, actor: User | None = None
) -> SlaClock | None:
    """Stop one clock (the first public reply stops first response; a travel step done stops its clock).

    Stopping a clock that is already stopped changes nothing.
    """
    at = _now(at)
    entry = _locked(entry)
    clock = entry.clocks.select_for_update().filter(metric=metric).first()
    if clock is None or clock.state == ClockState.STOPPED:
        return clock
    _stop(clock, entry, at)
    _event(entry, EventKind.CLOCK_STOPPED, at, actor, str(Metric(metric).label))
    return clock


def _stop(clock: SlaClock, entry: LedgerEntry, at: datetime, *, record_breach: bool = True) -> None:
    if record_breach:
        _breach_if_due(clock, entry, at)
    _bank(clock, entry, at)
    clock.state, clock.stopped_at, clock.held_by = ClockState.STOPPED, at, Holder.FACILITY
    _clock_save(clock)


# -- the monthly compliance counts ------------------------------------------------


def _delivery_month(entry: LedgerEntry) -> date:
    assert entry.completed_at is not None
    return timezone.localtime(entry.completed_at).date().replace(day=1)


def _tally_add(entry: LedgerEntry) -> None:
    """Count a delivered request in its month (met, or breached if any clock ran out)."""
    column = "breached" if entry.breached else "met"
    table = ComplianceMonth._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (month, agency_id, service_id, module, met, breached) "
            f"VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (month, agency_id, service_id) "
            f"DO UPDATE SET {column} = {table}.{column} + 1",
            [
                _delivery_month(entry),
                entry.agency_id,
                entry.service_id,
                entry.module,
                0 if entry.breached else 1,
                1 if entry.breached else 0,
            ],
        )


def _tally_remove(entry: LedgerEntry) -> None:
    """Take a reopened request back out of the month it was counted in."""
    column = "breached" if entry.breached else "met"
    ComplianceMonth.objects.filter(
        month=_delivery_month(entry), agency_id=entry.agency_id, service_id=entry.service_id
    ).update(**{column: F(column) - 1})


@transaction.atomic
def compliance_rebuild() -> int:
    """Recount every month from the ledger (after importing history by SQL, or to check the counts).

    Returns the number of month x agency x service rows.
    """
    ComplianceMonth.objects.all().delete()
    rows = compliance_from_ledger()
    ComplianceMonth.objects.bulk_create(
        ComplianceMonth(
            month=row.month,
            agency_id=row.agency_id,
            service_id=row.service_id,
            module=row.module,
            met=row.met,
            breached=row.breached,
        )
        for row in rows
    )
    return len(rows)


# -- the request's steps -------------------------------------------------------


@transaction.atomic
def entry_open(
    *,
    agency: Agency,
    service: Service,
    reference: str,
    title: str,
    priority: str = "",
    category: Category | None = None,
    requester: User | None = None,
    opened_at: datetime | None = None,
    detail_id: int | None = None,
    actor: User | None = None,
) -> LedgerEntry:
    """Put a new request on the ledger under the agreement in force today, and start its clocks.

    Refused when the agency has no agreement in force or the agreement does
    not include the service (`sla.no_agreement`, `sla.service_not_in_agreement`).
    """
    at = _now(opened_at)
    if priority not in ("", *Priority.values):
        raise ApplicationError(
            gettext("Unknown priority %(priority)s.") % {"priority": repr(priority)}, code="ledger.unknown_priority"
        )
    if not service.is_active:
        raise ApplicationError(
            gettext("%(service)s is no longer offered.") % {"service": service.code}, code="sla.service_inactive"
        )
    agreement = agreement_covering(agency=agency, service=service, on=timezone.localtime(at).date())
    if LedgerEntry.objects.filter(agency=agency, reference=reference).exists():
        raise ApplicationError(
            gettext("%(request)s is already on the ledger.") % {"request": reference},
            code="ledger.reference_taken",
            status_code=409,
        )
    entry = LedgerEntry.objects.create(
        agency=agency,
        service=service,
        module=service.module,
        agreement=agreement,
        reference=reference,
        title=title[:200],
        priority=priority,
        category=category,
        requester=requester,
        opened_at=at,
        detail_id=detail_id,
    )
    _event(entry, EventKind.OPENED, at, actor or requester, f"under {agreement.reference}")
    for metric, minutes in targets_for(agreement=agreement, service=service, priority=priority).items():
        if metric in METRICS_STARTED_ON_OPEN:
            _clock_start(entry, metric, minutes, at)
    return entry


@transaction.atomic
@transaction.atomic
def entry_name_person(*, entry: LedgerEntry, user: User, role: str) -> NamedPerson:
    """Name someone other than the requester on a request (the traveller, the receiver of goods).

    Inside the agency they then see the request as its requester does (the
    visibility rule, accounts.selectors.sees_whole_agency). Naming twice names once.
    """
    if role not in NamedRole.values:
        raise ApplicationError(
            gettext("Unknown role on a request: %(role)s.") % {"role": repr(role)}, code="ledger.unknown_named_role"
        )
    named, _created = NamedPerson.objects.get_or_create(entry=entry, user=user, role=role)
    return named


def entry_assign(
    *, entry: LedgerEntry, assignee: User | None, at: datetime | None = None, actor: User | None = None
) -> LedgerEntry:
    """Give the request to an agent (a new request becomes open)."""
    at = _now(at)
    entry = _locked(entry)
    entry.assignee = assignee
    entry.save(update_fields=["assignee", "updated_at"])
    _event(entry, EventKind.ASSIGNED, at, actor, assignee.email if assignee else "unassigned")
    if entry.status == EntryStatus.NEW and assignee is not None:
        _move(entry, EntryStatus.OPEN, at, actor)
    return entry


def _retarget(entry: LedgerEntry, targets: dict[str, int], at: datetime, *, stop_the_others: bool = False) -> None:
    """Give every clock still counting its new target; the business time it has used stays used.

    A running clock is banked and rescheduled from `at`; a clock already past its
    new target falls due at once (the beat task records the breach). A clock
    that already stopped keeps the target it was measured against. A clock with
    no new target keeps its old one, or stops when `stop_the_others`.
    """
    for clock in entry.clocks.select_for_update().exclude(state=ClockState.STOPPED):
        if clock.metric not in targets:
            if stop_the_others:
                _stop(clock, entry, at)
            continue
        _breach_if_due(clock, entry, at)
        clock.target_minutes = targets[clock.metric]
        if clock.state == ClockState.RUNNING:
            _bank(clock, entry, at)
            clock.running_since = at
            _schedule(clock, entry)
        _clock_save(clock, "target_minutes")


@transaction.atomic
def entry_reprioritise(
    *, entry: LedgerEntry, priority: str, reason: str, at: datetime | None = None, actor: User | None = None
) -> LedgerEntry:
    """A new priority brings the agreement's targets for it to every clock still counting.

    A clock that already stopped keeps the target it was measured against, and
    a breach already recorded stays recorded; a running clock whose new target
    is already used up falls due at once (the beat task records the breach).
    """
    at = _now(at)
    if priority not in Priority.values:
        raise ApplicationError(
            gettext("Unknown priority %(priority)s.") % {"priority": repr(priority)}, code="ledger.unknown_priority"
        )
    if not reason.strip():
        raise ApplicationError(gettext("Say why the priority changes."), code="ledger.reason_required")
    entry = _locked(entry)
    if entry.status not in OPEN_STATUSES:
        raise ApplicationError(
            gettext("%(request)s is %(status)s; only a request in progress changes priority.")
            % {"request": entry.reference, "status": entry.get_status_display().lower()},
            code="ledger.illegal_transition",
            status_code=409,
        )
    _retarget(entry, targets_for(agreement=entry.agreement, service=entry.service, priority=priority), at)
    before = entry.priority
    entry.priority = priority
    entry.save(update_fields=["priority", "updated_at"])
    _event(entry, EventKind.PRIORITY, at, actor, f"{before or 'none'} → {priority}: {reason.strip()}")
    return entry


@transaction.atomic
def entry_rate(*, entry: LedgerEntry, score: int, at: datetime | None = None, actor: User | None = None) -> LedgerEntry:
    """The requester's satisfaction (1-5) with a delivered request, once (ISO 9001 clause 9.1.2)."""
    at = _now(at)
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ApplicationError(gettext("A rating is a whole number from 1 to 5."), code="ledger.invalid_rating")
    entry = _locked(entry)
    if entry.status not in (EntryStatus.RESOLVED, EntryStatus.CLOSED):
        raise ApplicationError(
            gettext("%(request)s is %(status)s; it can be rated once it is resolved.")
            % {"request": entry.reference, "status": entry.get_status_display().lower()},
            code="ledger.not_delivered",
            status_code=409,
        )
    if entry.satisfaction is not None:
        raise ApplicationError(
            gettext("%(request)s has already been rated.") % {"request": entry.reference},
            code="ledger.already_rated",
            status_code=409,
        )
    entry.satisfaction, entry.rated_at = score, at
    entry.save(update_fields=["satisfaction", "rated_at", "updated_at"])
    _event(entry, EventKind.RATED, at, actor, f"{score} of 5")
    return entry


@transaction.atomic
def entry_step(*, entry: LedgerEntry, step: str, at: datetime | None = None, actor: User | None = None) -> LedgerEntry:
    """Record the module's own step (a procurement case at bid opening, with the committee…).

    The facility's queues filter on it across agencies with one indexed query;
    the status and the clocks do not change. A new request becomes open.
    """
    at = _now(at)
    entry = _locked(entry)
    if entry.status not in OPEN_STATUSES:
        raise ApplicationError(
            gettext("%(request)s is no longer open.") % {"request": entry.reference},
            code="ledger.illegal_transition",
            status_code=409,
        )
    if entry.step == step:
        return entry
    entry.step = step
    entry.save(update_fields=["step", "updated_at"])
    if entry.status == EntryStatus.NEW:
        _move(entry, EntryStatus.OPEN, at, actor)
    _event(entry, EventKind.STEP, at, actor, step)
    return entry


@transaction.atomic
def entry_service_change(
    *, entry: LedgerEntry, service: Service, reason: str, at: datetime | None = None, actor: User | None = None
) -> LedgerEntry:
    """Move an open request to another service of the same module (a procurement method changed).

    The request is then measured and billed as the new service: each running
    or paused clock keeps the business time it has used and takes the new
    service's target for its metric under the same agreement; a clock the
    new service has no target for stops. Refused when the agreement does not
    include the new service (`sla.service_not_in_agreement`). The reason is
    kept in the request's history.
    """
    at = _now(at)
    entry = _locked(entry)
    if entry.status not in OPEN_STATUSES:
        raise ApplicationError(
            gettext("%(request)s is no longer open.") % {"request": entry.reference},
            code="ledger.illegal_transition",
            status_code=409,
        )
    if service.module != entry.module:
        raise ApplicationError(
            gettext("%(service)s belongs to another module.") % {"service": service.code},
            code="ledger.other_module",
        )
    if service.pk == entry.service_id:
        return entry
    agreement_covering(agency=entry.agency, service=service, on=timezone.localtime(entry.opened_at).date())
    targets = targets_for(agreement=entry.agreement, service=service, priority=entry.priority)
    before = entry.service.code
    _retarget(entry, targets, at, stop_the_others=True)
    entry.service = service
    entry.save(update_fields=["service", "updated_at"])
    _event(entry, EventKind.SERVICE, at, actor, f"{before} → {service.code}: {reason}")
    return entry


@transaction.atomic
def entry_pause(
    *, entry: LedgerEntry, waiting_on: str, at: datetime | None = None, actor: User | None = None, reason: str = ""
) -> LedgerEntry:
    """Pending: the facility waits on the requester or a supplier; the clocks pause (PRODUCT.md)."""
    at = _now(at)
    if waiting_on not in (Holder.REQUESTER, Holder.SUPPLIER):
        raise ApplicationError(gettext("A request waits on the requester or a supplier."), code="ledger.invalid_holder")
    entry = _locked(entry)
    _guard(entry, EntryStatus.PENDING)
    pauses = waiting_on == Holder.REQUESTER or entry.agreement.supplier_wait_pauses_clock
    for clock in entry.clocks.select_for_update().filter(state=ClockState.RUNNING):
        _breach_if_due(clock, entry, at)
        clock.held_by = waiting_on
        if pauses:
            _bank(clock, entry, at)
            clock.state = ClockState.PAUSED
        _clock_save(clock)
    entry.held_by = waiting_on
    _move(entry, EntryStatus.PENDING, at, actor, reason)
    _event(entry, EventKind.PAUSED, at, actor, f"waiting on the {waiting_on}" + ("" if pauses else "; clock runs on"))
    return entry


@transaction.atomic
def entry_resume(*, entry: LedgerEntry, at: datetime | None = None, actor: User | None = None) -> LedgerEntry:
    """The requester or supplier answered: paused clocks run again, the due time moved by the pause."""
    at = _now(at)
    entry = _locked(entry)
    if entry.status != EntryStatus.PENDING:
        raise ApplicationError(
            gettext("%(request)s is not pending.") % {"request": entry.reference},
            code="ledger.not_pending",
            status_code=409,
        )
    for clock in entry.clocks.select_for_update().exclude(state=ClockState.STOPPED):
        _breach_if_due(clock, entry, at)  # ran out while a supplier held it, before the beat task saw it
        if clock.state == ClockState.PAUSED:
            clock.state, clock.running_since = ClockState.RUNNING, at
            _schedule(clock, entry)
        clock.held_by = Holder.FACILITY
        _clock_save(clock)
    entry.held_by = Holder.FACILITY
    _move(entry, EntryStatus.OPEN, at, actor)
    _event(entry, EventKind.RESUMED, at, actor)
    return entry


@transaction.atomic
def entry_resolve(
    *, entry: LedgerEntry, at: datetime | None = None, actor: User | None = None, note: str = ""
) -> LedgerEntry:
    """The service was delivered: every clock stops and the request counts for the month it was resolved in."""
    at = _now(at)
    entry = _locked(entry)
    _guard(entry, EntryStatus.RESOLVED)
    for clock in entry.clocks.select_for_update().exclude(state=ClockState.STOPPED):
        _stop(clock, entry, at)
    entry.completed_at, entry.held_by = at, Holder.FACILITY
    entry.breached = entry.clocks.filter(breached_at__isnull=False).exists()
    _move(entry, EntryStatus.RESOLVED, at, actor, note)
    _tally_add(entry)
    return entry


@transaction.atomic
def entry_reopen(
    *, entry: LedgerEntry, at: datetime | None = None, actor: User | None = None, reason: str = ""
) -> LedgerEntry:
    """Not fixed after all: the resolution clock resumes where it stopped; first response is not reset."""
    at = _now(at)
    entry = _locked(entry)
    if entry.status != EntryStatus.RESOLVED:
        raise ApplicationError(
            gettext("Only a resolved request can be reopened; %(request)s is %(status)s.")
            % {"request": entry.reference, "status": entry.get_status_display().lower()},
            code="ledger.illegal_transition",
            status_code=409,
        )
    _guard(entry, EntryStatus.OPEN)
    _tally_remove(entry)
    for clock in entry.clocks.select_for_update().filter(metric__in=METRICS_RESUMED_ON_REOPEN):
        clock.state, clock.running_since, clock.stopped_at = ClockState.RUNNING, at, None
        _schedule(clock, entry)
        _clock_save(clock)
    entry.completed_at = None
    _move(entry, EntryStatus.OPEN, at, actor, reason)
    return entry


@transaction.atomic
def entry_close(*, entry: LedgerEntry, at: datetime | None = None, actor: User | None = None) -> LedgerEntry:
    at = _now(at)
    entry = _locked(entry)
    entry.closed_at = at
    _move(entry, EntryStatus.CLOSED, at, actor)
    return entry


@transaction.atomic
def entry_cancel(
    *, entry: LedgerEntry, at: datetime | None = None, actor: User | None = None, reason: str
) -> LedgerEntry:
    """Withdrawn before delivery: clocks stop, nothing is billed, it does not count for compliance."""
    at = _now(at)
    entry = _locked(entry)
    _guard(entry, EntryStatus.CANCELLED)
    for clock in entry.clocks.select_for_update().exclude(state=ClockState.STOPPED):
        _stop(clock, entry, at, record_breach=False)
    entry.closed_at = at
    _move(entry, EntryStatus.CANCELLED, at, actor, reason)
    return entry


@transaction.atomic
def entry_billable_record(
    *, entry: LedgerEntry, units: Decimal, at: datetime | None = None, actor: User | None = None
) -> bool:
    """Record the billable units of a delivered request, once: a second call changes nothing (returns False)."""
    at = _now(at)
    if not isinstance(units, Decimal) or units <= 0:
        raise ApplicationError(gettext("Billable units are a positive decimal quantity."), code="ledger.invalid_units")
    recorded = LedgerEntry.objects.filter(pk=entry.pk, billable_recorded_at__isnull=True).update(
        billable_units=units, billable_recorded_at=at
    )
    if recorded:
        _event(entry, EventKind.BILLED, at, actor, f"{units} {entry.service.get_billing_unit_display().lower()}")
        # Billing meters the units as usage events now, whatever module delivered the request.
        usage_record(entry=entry)
    return bool(recorded)


# -- warnings and breaches (the beat task) ------------------------------------------


def breach_record(*, clock: SlaClock, recorded_at: datetime) -> SlaBreach | None:
    """Record that a clock ran out, exactly once, even when two workers find it at the same moment.

    The conditional update takes the clock's row lock: the second finds
    `breached_at` already set and records nothing. The one-to-one breach row
    is the database's guarantee on top.
    """
    with transaction.atomic():
        claimed = SlaClock.objects.filter(pk=clock.pk, breached_at__isnull=True, due_at__isnull=False).update(
            breached_at=recorded_at
        )
        if not claimed:
            return None
        clock = SlaClock.objects.select_related("entry__agency", "entry__service").get(pk=clock.pk)
        SlaClock.objects.filter(pk=clock.pk, first_warning_sent_at__isnull=True).update(
            first_warning_sent_at=recorded_at
        )
        SlaClock.objects.filter(pk=clock.pk, second_warning_sent_at__isnull=True).update(
            second_warning_sent_at=recorded_at
        )
        entry = clock.entry
        breach = SlaBreach.objects.create(
            clock=clock,
            entry=entry,
            agency=entry.agency,
            service=entry.service,
            metric=clock.metric,
            due_at=clock.due_at or recorded_at,
            recorded_at=recorded_at,
            held_by=clock.held_by,
        )
        if entry.completed_at is not None and not entry.breached:  # a later step ran out after delivery
            _tally_remove(entry)
            entry.breached = True
            _tally_add(entry)
        LedgerEntry.objects.filter(pk=entry.pk).update(breached=True)
        _event(
            entry, EventKind.BREACHED, recorded_at, None, f"{clock.get_metric_display()} held by the {clock.held_by}"
        )
        _alert(clock, "breach")
        return breach


def warning_record(*, clock: SlaClock, level: int, recorded_at: datetime) -> bool:
    """Record a warning (level 1: first threshold, 2: second) once; True if this call recorded it."""
    column = "first_warning_sent_at" if level == 1 else "second_warning_sent_at"
    with transaction.atomic():
        claimed = SlaClock.objects.filter(pk=clock.pk, **{f"{column}__isnull": True}).update(**{column: recorded_at})
        if not claimed:
            return False
        if level == 2:  # the first threshold is behind us too
            SlaClock.objects.filter(pk=clock.pk, first_warning_sent_at__isnull=True).update(
                first_warning_sent_at=recorded_at
            )
        _event(clock.entry, EventKind.WARNED, recorded_at, None, f"{clock.get_metric_display()} level {level}")
        _alert(clock, f"warning{level}")
        return True


def clocks_check(*, now: datetime | None = None) -> dict[str, int]:
    """Find every running clock that crossed a threshold (one indexed query) and record each crossing once."""
    now = _now(now)
    counts = {"breaches": 0, "warnings": 0}
    for clock in clocks_crossing(now=now):
        if clock.due_at is not None and clock.due_at < now and clock.breached_at is None:
            counts["breaches"] += breach_record(clock=clock, recorded_at=now) is not None
        elif clock.warn_second_at is not None and clock.warn_second_at <= now and clock.second_warning_sent_at is None:
            counts["warnings"] += warning_record(clock=clock, level=2, recorded_at=now)
        elif clock.warn_first_at is not None and clock.warn_first_at <= now and clock.first_warning_sent_at is None:
            counts["warnings"] += warning_record(clock=clock, level=1, recorded_at=now)
    return counts


def clocks_recompute(*, calendar_id: int) -> int:
    """A calendar changed: move the warning and due instants of running clocks under it. Returns how many."""
    count = 0
    running = SlaClock.objects.filter(state=ClockState.RUNNING, entry__agreement__calendar_id=calendar_id).values_list(
        "pk", flat=True
    )
    for clock_id in running.iterator():
        with transaction.atomic():
            clock = (
                SlaClock.objects.select_for_update(of=("self",))
                .select_related("entry__agreement__calendar")
                .get(pk=clock_id)
            )
            if clock.state != ClockState.RUNNING:
                continue
            _schedule(clock, clock.entry)
            _clock_save(clock)
            count += 1
    return count
