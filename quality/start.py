"""The quality system's part of the start page and of the facility's approvals inbox.

- Everyone on the facility portal: what the quality system expects of them
  (their corrective actions, checks to judge, documents to review, accepted
  improvements to implement, audits to carry out; `selectors.agenda`) and the
  documents in effect they must still read and acknowledge.
- The review committee: the backlog of suggestions to score and decide.
- The quality focal point and the facility manager: the system's open figures.
- Approvers of documents: versions in review written by someone else, in the
  approvals inbox (clause 7.5.2: never their own).
- An agency's people: their own suggestions' latest outcomes, and a button to
  suggest an improvement.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AGENCY_ROLES
from shared_platform.start import Approval, Count, Item, Link, Panel, Viewer

from .access import APPROVER_ROLES, COMMITTEE_ROLES, KEEPER_ROLES, READER_ROLES
from .models import (
    CheckResult,
    CorrectiveAction,
    DocumentVersion,
    Nonconformity,
    NonconformityStatus,
    Suggestion,
    SuggestionStatus,
    VersionStatus,
)
from .selectors.agenda import acknowledgements_awaited, agenda_of
from .selectors.audits import audits_due


def start_panels(*, viewer: Viewer) -> list[Panel]:
    if not viewer.on_facility:
        return _agency_panels(viewer) if viewer.roles & AGENCY_ROLES else []
    if not viewer.roles & READER_ROLES:
        return []
    panels = [_agenda_panel(viewer)]
    if viewer.roles & COMMITTEE_ROLES:
        panels.append(_committee_panel())
    if viewer.roles & KEEPER_ROLES:
        panels.append(_system_panel())
    return [panel for panel in panels if panel is not None]


def _agenda_panel(viewer: Viewer) -> Panel | None:
    today = timezone.localdate()
    items = [
        Item(label=item.label, url=item.url, detail=item.detail, due_at=item.due_at, overdue=item.overdue)
        for item in agenda_of(user=viewer.user, today=today)
    ]
    items += [
        Item(
            label=str(document),
            url=reverse("quality:document", args=[document.code]),
            detail=_("In effect: read it and acknowledge"),
        )
        for document in acknowledgements_awaited(user=viewer.user, roles=viewer.roles)
    ]
    if not items:
        return None  # nothing asked of this person: no empty box on every officer's page
    return Panel(
        key="quality-agenda",
        title=_("Quality: waiting for you"),
        items=items[:10],
        more=Link(_("Quality system"), reverse("quality:dashboard")) if len(items) > 10 else None,
        order=35,
    )


def _committee_panel() -> Panel:
    undecided = Suggestion.objects.filter(status__in=[SuggestionStatus.SUBMITTED, SuggestionStatus.DEFERRED])
    to_score = undecided.filter(score=None).count()
    to_decide = undecided.exclude(score=None).count()
    board = reverse("quality:suggestions")
    top = undecided.exclude(score=None).order_by("-score", "submitted_at")[:5]
    return Panel(
        key="quality-committee",
        title=_("Improvement suggestions for the committee"),
        counts=[
            Count(to_score, _("to score"), f"{board}?status=submitted", alarming=False),
            Count(to_decide, _("scored, to decide"), board),
        ],
        items=[
            Item(
                label=f"{suggestion.reference} · {suggestion.title}",
                url=reverse("quality:suggestion", args=[suggestion.reference]),
                detail=_("Score %(score)s") % {"score": suggestion.score},
            )
            for suggestion in top
        ],
        empty=_("No suggestion waits for the committee."),
        more=Link(_("The committee's board"), board),
        order=36,
    )


def _system_panel() -> Panel:
    today = timezone.localdate()
    open_ncs = Nonconformity.objects.exclude(status=NonconformityStatus.CLOSED)
    overdue_actions = CorrectiveAction.objects.filter(done_at=None, due_on__lt=today).exclude(
        nonconformity__status=NonconformityStatus.CLOSED
    )
    reviews_overdue = DocumentVersion.objects.filter(
        status=VersionStatus.EFFECTIVE, review_due__lt=today, document__withdrawn_at=None
    )
    in_review = DocumentVersion.objects.filter(status=VersionStatus.IN_REVIEW)
    ncs = reverse("quality:nonconformities")
    documents = reverse("quality:documents")
    return Panel(
        key="quality-system",
        title=_("Quality system"),
        counts=[
            Count(open_ncs.count(), _("open nonconformities"), ncs),
            Count(
                open_ncs.filter(checks__result=CheckResult.NOT_EFFECTIVE).distinct().count(),
                _("reopened after a check"),
                ncs,
                alarming=True,
            ),
            Count(overdue_actions.count(), _("corrective actions overdue"), ncs, alarming=True),
            Count(reviews_overdue.count(), _("document reviews overdue"), documents, alarming=True),
            Count(in_review.count(), _("document versions in review"), documents),
            Count(
                len(audits_due(today=today, within_days=0)),
                _("processes due for an internal audit, none planned"),
                reverse("quality:audit-programme"),
                alarming=True,
            ),
        ],
        more=Link(_("Quality dashboard"), reverse("quality:dashboard")),
        order=37,
    )


def _agency_panels(viewer: Viewer) -> list[Panel]:
    mine = Suggestion.objects.filter(suggested_by=viewer.user, agency=viewer.address).order_by("-submitted_at")
    recent = list(mine[:5])
    if not recent:
        return []
    return [
        Panel(
            key="quality-my-suggestions",
            title=_("Your improvement suggestions"),
            items=[
                Item(
                    label=f"{suggestion.reference} · {suggestion.title}",
                    url=reverse("quality:my-suggestion", args=[suggestion.reference]),
                    detail=suggestion.get_status_display(),
                )
                for suggestion in recent
            ],
            more=Link(_("All your suggestions"), reverse("quality:my-suggestions")),
            order=70,
        )
    ]


def approvals(*, viewer: Viewer) -> list[Approval]:
    """Document versions in review, for those who may approve them and did not write them (clause 7.5.2)."""
    if not viewer.on_facility or not viewer.roles & APPROVER_ROLES:
        return []
    versions = (
        DocumentVersion.objects.filter(status=VersionStatus.IN_REVIEW)
        .exclude(author=viewer.user)
        .select_related("document", "author")
        .order_by("submitted_at", "pk")
    )
    return [
        Approval(
            module=_("Quality"),
            reference=f"{version.document.code} v{version.number}",
            title=version.document.title,
            url=reverse("quality:version", args=[version.document.code, version.number]),
            agency_code="",  # the facility's own document: no agency
            requested_by=str(version.author),
            waiting_since=version.submitted_at or version.created_at,
        )
        for version in versions
    ]


def new_request_links(*, viewer: Viewer) -> list[Link]:
    """ "Suggest an improvement" on an agency's address, for every member of the agency."""
    if viewer.on_facility or not viewer.roles & AGENCY_ROLES:
        return []
    # After the buttons that ask for a service: an improvement is not a request.
    return [Link(_("Suggest an improvement"), reverse("quality:suggest"), order=90)]
