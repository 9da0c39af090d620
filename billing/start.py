"""Billing's part of the start page: facility finance's drafts to review; an agency's unpaid invoices."""

from __future__ import annotations

from django.db.models import Count as CountOf
from django.db.models import Sum
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Role
from shared_platform.start import Count, Item, Link, Panel, Viewer
from shared_platform.templatetags.platform import money

from .models import InvoiceStatus
from .selectors import invoice_list


def start_panels(*, viewer: Viewer) -> list[Panel]:
    url = reverse("billing:invoices")
    if viewer.on_facility and (viewer.user.is_staff or Role.FACILITY_FINANCE in viewer.roles):
        months = (
            invoice_list(scope=None, status=InvoiceStatus.DRAFT)
            .order_by()
            .values("month")
            .annotate(drafts=CountOf("pk"), total=Sum("total"))
            .order_by("month")
        )
        return [
            Panel(
                key="billing-drafts",
                title=_("Draft invoices to review"),
                items=[
                    Item(
                        label=date_format(row["month"], "YEAR_MONTH_FORMAT"),
                        url=f"{url}?month={row['month']:%Y-%m}&status=draft",
                        detail=ngettext(
                            "%(count)s draft, USD %(total)s", "%(count)s drafts, USD %(total)s", row["drafts"]
                        )
                        % {"count": row["drafts"], "total": money(row["total"])},
                    )
                    for row in months
                ],
                empty=_("No draft is waiting. Run a month from the billing page."),
                more=Link(_("Billing"), url),
                order=20,
            )
        ]
    if not viewer.on_facility and Role.AGENCY_FINANCE in viewer.roles:
        unpaid = invoice_list(scope=viewer.address, status=InvoiceStatus.ISSUED)
        return [
            Panel(
                key="billing-unpaid",
                title=_("Invoices to pay"),
                counts=[Count(unpaid.count(), _("issued, not yet paid"), f"{url}?status=issued")],
                items=[
                    Item(
                        label=f"{invoice.number} · {date_format(invoice.month, 'YEAR_MONTH_FORMAT')}",
                        url=reverse("billing:invoice", args=[invoice.pk]),
                        detail=_("%(currency)s %(total)s, due %(due)s")
                        % {
                            "currency": invoice.currency,
                            "total": money(invoice.total),
                            "due": date_format(invoice.due_on, "SHORT_DATE_FORMAT") if invoice.due_on else "—",
                        },
                        due_at=None,
                    )
                    for invoice in unpaid[:8]
                ],
                empty=_("Every issued invoice is paid."),
                more=Link(_("All invoices"), url),
                order=20,
            )
        ]
    return []
