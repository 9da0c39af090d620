"""The board: one seat per member agency, motions, ballots and the decision register.

Every table lives in the public schema (PRODUCT.md, "Governance: one agency,
one vote"): the board decides for all agencies at once, and the register is
read by every agency.

What the database itself guarantees, whatever the Python code does:

- one current ballot per agency per motion (unique constraint on Ballot);
- every ballot ever cast is kept (BallotRecord, append-only by trigger);
- the decision register is append-only (trigger refusing UPDATE and DELETE),
  numbered without gaps or forks (unique number, unique previous hash), and
  one entry per motion (unique motion).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shared_platform import limits

GENESIS_HASH = "0" * 64


class Board(models.Model):
    """The facility's board. There is one; its quorum is editable by an administrator."""

    name = models.CharField(max_length=200, default="Board of the Joint Operations Facility")
    quorum_percent = models.PositiveSmallIntegerField(
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(99)],
        help_text=_(
            "Quorum: more than this percentage of the voting seats must have cast a ballot. "
            "50 (the default) means a majority of the member agencies."
        ),
    )

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    """A board meeting with its agenda. Motions may belong to one, or be decided in writing."""

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    agenda = models.TextField(max_length=limits.LONG_TEXT, help_text=_("One item per line."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def agenda_items(self) -> list[str]:
        return [line.strip() for line in self.agenda.splitlines() if line.strip()]


class DecisionRule(models.TextChoices):
    SIMPLE_MAJORITY = "simple_majority", _("Simple majority of votes cast")
    TWO_THIRDS = "two_thirds", _("Two-thirds of votes cast")
    CONSENSUS = "consensus", _("Consensus (no agency against)")
    SILENCE = "silence", _("Silence procedure (adopted unless an agency objects)")


class MotionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for votes")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Outcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    REJECTED = "rejected", _("Rejected")
    NO_QUORUM = "no_quorum", _("Failed for lack of quorum")


class Motion(models.Model):
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="motions")
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="motions",
        help_text=_("Empty for a motion decided in writing between meetings."),
    )
    title = models.CharField(max_length=200)
    text = models.TextField(max_length=limits.LONG_TEXT)
    concerns_agency = models.ForeignKey(
        "tenants.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The agency this motion is about, if any."),
    )
    concerned_agency_recused = models.BooleanField(
        default=False, help_text=_("The agency it concerns does not vote and does not count towards quorum.")
    )
    rule = models.CharField(max_length=20, choices=DecisionRule.choices)
    closes_at = models.DateTimeField()
    results_hidden = models.BooleanField(
        default=False, help_text=_("Nobody sees the tally or other agencies' ballots until the motion closes.")
    )
    is_secret = models.BooleanField(
        _("secret ballot"), default=False, help_text=_("Agencies' ballots are never published; only the totals.")
    )
    # The board's quorum when the motion was created: changing the board's
    # setting later never changes a motion already under way.
    quorum_percent = models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(99)])
    status = models.CharField(max_length=10, choices=MotionStatus.choices, default=MotionStatus.DRAFT)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the motion closed by itself at its closing time."),
    )

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "closes_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status="closed", closed_at__isnull=False) & ~models.Q(outcome="")
                    | ~models.Q(status="closed") & models.Q(outcome="")
                ),
                name="governance_motion_outcome_only_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MotionDocument(models.Model):
    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to="governance/motions/%Y/")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return self.title


class MotionSeat(models.Model):
    """The electorate of a motion, fixed when it opens: each member agency, and whether it is recused."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="seats")
    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+")
    is_recused = models.BooleanField(default=False)

    class Meta:
        ordering = ["agency__code"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "agency"], name="governance_motionseat_one_per_agency")
        ]

    def __str__(self) -> str:
        return gettext("%(agency)s on %(motion)s") % {"agency": self.agency, "motion": self.motion}


class BallotChoice(models.TextChoices):
    FOR = "for", _("In favour")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstain")
    OBJECT = "object", _("Object")


class Ballot(models.Model):
    """An agency's current ballot on a motion. A later ballot from the same agency replaces it."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="ballots")
    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=10, choices=BallotChoice.choices)
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cast_at = models.DateTimeField()
    changes = models.PositiveIntegerField(default=0, help_text=_("How many times the agency changed its ballot."))

    class Meta:
        ordering = ["agency__code"]
        constraints = [
            # One agency, one vote: enforced by the database, not only in Python.
            models.UniqueConstraint(fields=["motion", "agency"], name="governance_ballot_one_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.get_choice_display()}"


class BallotRecord(models.Model):
    """Every ballot ever cast, with who and when. Append-only (a trigger refuses UPDATE and DELETE)."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="ballot_records")
    agency = models.ForeignKey("tenants.Agency", on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=10, choices=BallotChoice.choices)
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cast_at = models.DateTimeField()

    class Meta:
        ordering = ["cast_at", "id"]
        indexes = [models.Index(fields=["motion", "agency"])]

    def __str__(self) -> str:
        return f"{self.agency}: {self.get_choice_display()} at {self.cast_at:%Y-%m-%d %H:%M}"


class MotionEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Changed")
    DOCUMENT_ADDED = "document_added", _("Document added")
    OPENED = "opened", _("Opened for votes")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MotionEvent(models.Model):
    """One row per change of a motion: who did what, when."""

    motion = models.ForeignKey(Motion, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=MotionEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.motion}: {self.get_kind_display()}"


class RegisterEntry(models.Model):
    """One decision in the register. Append-only and chained by SHA-256 (governance/register.py).

    `entry_hash` is the SHA-256 of the canonical JSON of (number, recorded_at,
    content, previous_hash); `previous_hash` is the entry_hash of the entry
    before (64 zeros for the first). Billing's price-list versions and
    cost-sharing keys cite the decision that approved them with a foreign key
    to this model.
    """

    number = models.PositiveIntegerField(unique=True)
    motion = models.OneToOneField(Motion, on_delete=models.PROTECT, related_name="register_entry")
    recorded_at = models.DateTimeField()
    content = models.JSONField()
    previous_hash = models.CharField(max_length=64, unique=True)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-number"]
        verbose_name_plural = _("register entries")

    def __str__(self) -> str:
        return gettext("Decision %(number)s: %(title)s") % {
            "number": self.number,
            "title": self.content.get("motion", {}).get("title", ""),
        }
