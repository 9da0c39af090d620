"""The board's part of the start page: motions waiting for the ballot of the agencies this person votes for."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import BOARD_ROLES
from shared_platform.start import Item, Link, Panel, Viewer

from .models import Ballot, MotionSeat, MotionStatus
from .selectors import motion_list, voting_seats_of


def start_panels(*, viewer: Viewer) -> list[Panel]:
    if not viewer.on_facility or not viewer.roles & BOARD_ROLES:
        return []
    seats = voting_seats_of(user=viewer.user)
    open_motions = motion_list(status=MotionStatus.OPEN).order_by("closes_at", "id")
    if not seats:  # an observer (a partner's board people): what is open, no ballot to cast
        return [
            Panel(
                key="board-open",
                title=_("Motions open for votes"),
                items=[_item(motion, "") for motion in open_motions[:8]],
                empty=_("No motion is open for votes."),
                more=Link(_("All motions"), reverse("governance:motions")),
                order=15,
            )
        ]
    items = []
    for agency in seats:
        awaiting = open_motions.filter(
            Exists(MotionSeat.objects.filter(motion=OuterRef("pk"), agency=agency, is_recused=False))
        ).exclude(Exists(Ballot.objects.filter(motion=OuterRef("pk"), agency=agency)))
        items += [_item(motion, _("%(agency)s has not voted") % {"agency": agency.code}) for motion in awaiting]
    return [
        Panel(
            key="board-ballots",
            title=_("Motions awaiting your agency's ballot"),
            items=sorted(items, key=lambda item: (item.due_at, item.label)),
            empty=_("Your agency has voted on every open motion."),
            more=Link(_("All motions"), reverse("governance:motions")),
            order=15,
        )
    ]


def _item(motion, detail: str) -> Item:  # type: ignore[no-untyped-def]
    return Item(
        label=motion.title,
        url=reverse("governance:motion", args=[motion.pk]),
        detail=" · ".join(part for part in (motion.get_rule_display(), detail) if part),
        due_at=motion.closes_at,
        overdue=motion.closes_at < timezone.now(),
    )
