"""E-mails about a purchase: to the people of the case at each step, and to the invited vendors.

Each e-mail is written in its reader's language: a person's (User.language,
blank: the platform's), a vendor's as stamped on its invitation or order. A
step's e-mails are sent by one task; the notifications app notes each address
written to under the task's id, so a retry or a second delivery of the task
never writes to anyone twice, and a step the worker gives up on becomes a
FailedNotification (procurement.tasks).

What a vendor reads never names another bidder, and a bid receipt never
repeats the prices: they are sealed until the opening.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Role, User
from notifications.mail import StepMail
from shared_platform.language import in_language_of
from shared_platform.plain_text import single_line
from shared_platform.tenancy import address_url, agency_url
from tenants.models import Agency

from . import pdf
from .models import (
    Amendment,
    Award,
    Bid,
    Invitation,
    OrderStatus,
    PurchaseOrder,
    Question,
    Requisition,
    Solicitation,
)
from .selectors import buyers

# Each step's subject, translated into each recipient's language when the e-mail is written.
CASE_SUBJECTS = {
    "raised": _("%(reference)s waits for your approval: %(title)s"),
    "approved": _("%(reference)s approved: %(title)s"),
    "rejected": _("%(reference)s rejected: %(title)s"),
    "cancelled": _("%(reference)s cancelled: %(title)s"),
    "deviation_requested": _("%(reference)s: a deviation waits for your decision"),
    "deviation_decided": _("%(reference)s: the deviation has been decided"),
    "question": _("%(reference)s: the buyer has a question for you"),
    "answered": _("%(reference)s: the requester answered"),
    "vendor_question": _("%(reference)s: a vendor asked a clarification question"),
    "committee": _("%(reference)s is before the contracts committee"),
    "committee_approve": _("%(reference)s: the contracts committee approved"),
    "committee_reject": _("%(reference)s: the contracts committee rejected"),
    "committee_return": _("%(reference)s: the contracts committee returned the case"),
    "ordered": _("%(reference)s ordered: purchase order %(number)s"),
    "order_revised": _("%(reference)s: purchase order %(number)s revised"),
    "order_cancelled": _("%(reference)s: purchase order %(number)s cancelled"),
}
VENDOR_SUBJECTS = {
    "invited": _("Invitation to submit a bid: %(reference)s, %(title)s"),
    "clarification": _("%(reference)s: clarification to all bidders"),
    "amendment": _("%(reference)s: amendment %(number)s"),
    "bid_received": _("%(reference)s: your bid has been received"),
    "outcome": _("%(reference)s: outcome of the solicitation"),
    "order": _("Purchase order %(number)s"),
    "order_cancelled": _("Purchase order %(number)s cancelled"),
}


def _agency() -> Agency:
    return Agency.objects.get(schema_name=connection.schema_name)  # type: ignore[attr-defined]


def _facility_link(name: str, *args: str) -> str:
    return address_url(settings.BASE_DOMAIN, reverse(name, args=args, urlconf=settings.PUBLIC_SCHEMA_URLCONF))


def _agency_link(agency: Agency, name: str, *args: str) -> str:
    return agency_url(agency, reverse(name, args=args, urlconf=settings.ROOT_URLCONF))


def tender_link(agency: Agency, token: str) -> str:
    """A vendor's personal link: its page on the facility portal, named by the agency and the token (no account)."""
    return _facility_link("tenders:bid", agency.code.lower(), token)


def _active(users: Iterable[User | None]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user is not None and user.is_active and user.email and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


def _role_holders(role: str, agency: Agency | None) -> list[User]:
    members = Membership.objects.filter(role=role, agency=agency).values("user_id")
    return list(User.objects.filter(pk__in=members, is_active=True).order_by("pk"))


def _user(pk: int | None) -> User | None:
    return User.objects.filter(pk=pk).first() if pk else None


def _case_recipients(requisition: Requisition, step: str, agency: Agency) -> list[tuple[User, bool]]:
    """Who hears of a step: (person, reads it on the agency's address rather than the facility portal)."""
    requester, approver, buyer = _user(requisition.requester_id), _user(requisition.approver_id), None
    if requisition.buyer_id:
        buyer = _user(requisition.buyer_id)
    agency_side: list[User | None] = []
    facility_side: list[User | None] = []
    if step == "raised":
        agency_side = [
            person for person in _role_holders(Role.APPROVER, agency) if person.pk != requisition.requester_id
        ]
    elif step == "approved":
        agency_side, facility_side = [requester], list(buyers())
    elif step in ("rejected", "question", "ordered", "order_revised", "order_cancelled"):
        agency_side = [requester]
    elif step == "cancelled":
        agency_side, facility_side = [requester, approver], [buyer]
    elif step == "deviation_requested":
        facility_side = list(_role_holders(Role.FACILITY_MANAGER, None))
    elif step == "committee":
        from .services import segregation_conflicts

        facility_side = [
            member
            for member in _role_holders(Role.CONTRACTS_COMMITTEE, None)
            if not segregation_conflicts(requisition=requisition, user=member, as_role="committee")
        ]
    elif step in (
        "deviation_decided",
        "answered",
        "vendor_question",
        "committee_approve",
        "committee_reject",
        "committee_return",
    ):
        facility_side = [buyer]
    agency_people = _active(agency_side)
    return [(person, True) for person in agency_people] + [
        (person, False) for person in _active(facility_side) if person.pk not in {p.pk for p in agency_people}
    ]


def case_mails(*, requisition_id: int, step: str, actor_id: int | None, detail: str) -> list[StepMail]:
    """The e-mails of one step of a purchase, one per recipient, each in their language (none if it is gone).

    The person who did the step is not told of it. The vendor hears of a
    cancelled order too, in its language, with the order marked cancelled.
    """
    requisition = Requisition.objects.filter(pk=requisition_id).first()
    if requisition is None or step not in CASE_SUBJECTS:
        return []
    agency = _agency()
    order = None
    if step in ("ordered", "order_revised", "order_cancelled"):
        wanted = OrderStatus.CANCELLED if step == "order_cancelled" else OrderStatus.ISSUED
        order = requisition.orders.filter(status=wanted).order_by("-issued_at", "-revision").first()
    actor = _user(actor_id)
    mails = []
    for person, on_agency_address in _case_recipients(requisition, step, agency):
        if person.pk == actor_id:
            continue
        if on_agency_address:
            link = _agency_link(agency, "procurement:requisition", requisition.reference)
        else:
            link = _facility_link("procurement:case", requisition.reference)
        with in_language_of(person):
            mails.append(
                _case_mail(requisition, step, to=person.email, actor=actor, detail=detail, order=order, link=link)
            )
    if step == "order_cancelled" and order is not None and order.vendor_email:
        with in_language_of(_VendorReader(order.vendor_language)):
            mails.append(_order_mail(order, step="order_cancelled"))
    return mails


def _case_mail(
    requisition: Requisition,
    step: str,
    *,
    to: str,
    actor: User | None,
    detail: str,
    order: PurchaseOrder | None,
    link: str,
) -> StepMail:
    subject = single_line(
        CASE_SUBJECTS[step]
        % {
            "reference": requisition.reference,
            "title": requisition.title,
            "number": order.display_number if order is not None else "",
        }
    )
    solicitation = Solicitation.objects.filter(requisition=requisition).first()
    body = render_to_string(
        "procurement/mail/case.txt",
        {
            "requisition": requisition,
            "step": step,
            "actor": actor,
            "detail": detail,
            "order": order,
            "solicitation": solicitation,
            "link": link,
        },
    )
    return StepMail(to=to, subject=subject, body=body)


class _VendorReader:
    def __init__(self, language: str) -> None:
        self.language = language


def vendor_mails(*, invitation_id: int, step: str, token: str, item_id: int | None) -> list[StepMail]:
    """The e-mail to one invited vendor about its solicitation, in the vendor's language.

    invited: the personal link; clarification (item: the question): the
    question without who asked, and the answer; amendment (item: the
    amendment): what changed and the new deadline if it moved; bid_received
    (item: the bid): when it arrived and whether it was late, never the
    prices; outcome (item: the award): whether this vendor was awarded.
    """
    invitation = Invitation.objects.select_related("solicitation__requisition").filter(pk=invitation_id).first()
    if invitation is None or step not in VENDOR_SUBJECTS or not invitation.email:
        return []
    if step != "invited" and item_id is None:
        return []
    item = item_id or 0
    solicitation = invitation.solicitation
    context: dict[str, object] = {"invitation": invitation, "solicitation": solicitation, "step": step}
    subject_values: dict[str, object] = {
        "reference": solicitation.reference,
        "title": solicitation.requisition.title,
        "number": "",
    }
    if step == "invited":
        agency = _agency()
        context["agency"] = agency
        context["link"] = tender_link(agency, token) if token else ""
        context["buyer"] = _user(solicitation.requisition.buyer_id)
    elif step == "clarification":
        question = Question.objects.filter(pk=item, solicitation=solicitation, answered_at__isnull=False).first()
        if question is None:
            return []
        context["question"] = question
    elif step == "amendment":
        amendment = Amendment.objects.filter(pk=item, solicitation=solicitation).first()
        if amendment is None:
            return []
        context["amendment"] = amendment
        subject_values["number"] = amendment.number
    elif step == "bid_received":
        bid = Bid.objects.filter(pk=item, invitation=invitation).first()
        if bid is None:
            return []
        context["bid"] = bid
    elif step == "outcome":
        award = Award.objects.filter(pk=item, solicitation=solicitation).select_related("bid").first()
        if award is None:
            return []
        context["awarded"] = award.bid.invitation_id == invitation.pk
        context["only_late"] = not invitation.bids.filter(late=False).exists()
    else:
        return []
    with in_language_of(_VendorReader(invitation.language)):
        subject = single_line(VENDOR_SUBJECTS[step] % subject_values)
        body = render_to_string("procurement/mail/vendor.txt", context)
    return [StepMail(to=invitation.email, subject=subject, body=body)]


def _order_mail(order: PurchaseOrder, *, step: str, content: bytes | None = None) -> StepMail:
    """The vendor's e-mail with its purchase order (issued, revised or cancelled) attached, in the language active."""
    if content is None:
        content = pdf.order_pdf(order)
    subject = single_line(VENDOR_SUBJECTS[step] % {"number": order.display_number})
    body = render_to_string("procurement/mail/order.txt", {"order": order, "step": step})
    filename = f"{order.display_number.replace(' ', '-')}.pdf"
    return StepMail(
        to=order.vendor_email, subject=subject, body=body, attachments=((filename, content, "application/pdf"),)
    )


def order_mails(*, order: PurchaseOrder, content: bytes) -> list[StepMail]:
    """The purchase order (or its revision) e-mailed to the vendor, in the vendor's language, PDF attached."""
    if not order.vendor_email:
        return []
    with in_language_of(_VendorReader(order.vendor_language)):
        return [_order_mail(order, step="order", content=content)]


def case_reference(requisition_id: int) -> str:
    return Requisition.objects.filter(pk=requisition_id).values_list("reference", flat=True).first() or ""


def invitation_reference(invitation_id: int) -> str:
    return Invitation.objects.filter(pk=invitation_id).values_list("solicitation__reference", flat=True).first() or ""
