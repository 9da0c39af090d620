"""Forms of the facility's procurement pages: each one feeds one service call on one purchase.

Several forms share the case page, so each has its own element ids
(`OnePageForm`). The services check everything again and say why they refuse;
these forms only turn what was typed into the values the services take.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import Currency
from procurement import services
from procurement.history import STEP_NAMES
from procurement.models import (
    Bid,
    CommitteeDecision,
    Criterion,
    Deviation,
    DeviationKind,
    DeviationStatus,
    Invitation,
    Method,
    PurchaseOrder,
    Question,
    Quotation,
    Requisition,
    RequisitionLine,
    Solicitation,
)
from service_levels.models import Module, Service
from shared_platform import limits
from shared_platform.forms import MultipleFileField, OnePageForm
from sourcing.selectors.spend import SplitFinding
from tenants.models import Agency
from vendors.models import Vendor, VendorStatus

STEP_CHOICES = list(STEP_NAMES.items())

CURRENCY_CHOICES = [(code, code) for code in Currency.values]
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class QueueFilterForm(forms.Form):
    """The queue's filters: a GET form, so they stay in the address."""

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.agencies().order_by("code"),
        label=_("Agency"),
        required=False,
        empty_label=_("All agencies"),
        to_field_name="code",
    )
    step = forms.ChoiceField(label=_("Step"), choices=[("", _("Any step")), *STEP_CHOICES], required=False)
    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(module=Module.PROCUREMENT).order_by("code"),
        label=_("Method"),
        required=False,
        empty_label=_("Any method"),
        to_field_name="code",
    )
    buyer = forms.ChoiceField(
        label=_("Buyer"),
        choices=[("", _("Anyone")), ("mine", _("Me")), ("none", _("Nobody yet"))],
        required=False,
    )
    state = forms.ChoiceField(
        label=_("Requests"),
        choices=[("active", _("In progress")), ("overdue", _("Overdue")), ("all", _("All, delivered included"))],
        required=False,
    )

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "agency": data.get("agency"),
            "step": data.get("step") or "",
            "service": data.get("service"),
            "buyer": data.get("buyer") or "",
            "state": data.get("state") or "active",
        }


class CaseForm(OnePageForm):
    """A form about one purchase; the case page builds every one of them with the requisition."""

    def __init__(self, *args: Any, requisition: Requisition, **kwargs: Any) -> None:
        self.requisition = requisition
        super().__init__(*args, **kwargs)

    @property
    def solicitation(self) -> Solicitation | None:
        return getattr(self.requisition, "solicitation", None)

    def lines(self) -> list[RequisitionLine]:
        return list(self.requisition.lines.order_by("position"))

    def price_fields(self) -> None:
        """One unit price field per requisition line, in the line's order."""
        for line in self.lines():
            self.fields[f"price_{line.position}"] = forms.DecimalField(
                label=_("Unit price, line %(position)d: %(description)s (%(quantity)s %(unit)s)")
                % {
                    "position": line.position,
                    "description": line.description,
                    "quantity": line.quantity.normalize(),
                    "unit": line.unit,
                },
                min_value=Decimal("0"),
                max_digits=16,
                decimal_places=4,
            )

    def unit_prices(self) -> list[Decimal]:
        return [self.cleaned_data[f"price_{line.position}"] for line in self.lines()]


class MethodForm(CaseForm):
    id_prefix = "method"

    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    reason = forms.CharField(
        label=_("Why this method"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class DeviationForm(CaseForm):
    id_prefix = "deviation"

    kind = forms.ChoiceField(label=_("Deviation"), choices=DeviationKind.choices)
    justification = forms.CharField(
        label=_("Justification"), max_length=limits.LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )


class DeviationDecideForm(CaseForm):
    id_prefix = "decide"

    deviation = forms.ModelChoiceField(label=_("Deviation"), queryset=Deviation.objects.none())
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("refuse", _("Refuse"))], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=limits.SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the deviation is refused."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deviation"].queryset = self.requisition.deviations.filter(  # type: ignore[attr-defined]
            status=DeviationStatus.REQUESTED
        )
        field: Any = self.fields["deviation"]
        field.label_from_instance = lambda deviation: f"{deviation.get_kind_display()}: {deviation.justification[:80]}"


class AskForm(CaseForm):
    id_prefix = "ask"

    question = forms.CharField(
        label=_("Question to the requester"),
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The SLA clock pauses until the requester answers."),
    )


def eligible_vendors(requisition: Requisition) -> Any:
    """Vendors on the roster who may be invited or quoted: active, supplying a category of the requisition."""
    categories = requisition.lines.values_list("category_id", flat=True)
    return (
        Vendor.objects.filter(status=VendorStatus.ACTIVE, categories__in=list(categories))
        .distinct()
        .order_by("legal_name")
    )


class QuotationForm(CaseForm):
    id_prefix = "quotation"

    vendor = forms.ModelChoiceField(label=_("Vendor"), queryset=Vendor.objects.none())
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="USD")
    reference = forms.CharField(label=_("Vendor's reference"), max_length=limits.REFERENCE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = eligible_vendors(self.requisition)  # type: ignore[attr-defined]
        self.price_fields()


class OrderForm(CaseForm):
    """The purchase order: the quotation it goes to (micro-purchase), its terms, and the buyer's explanation
    when the order to that vendor may split a purchase (`split_vendors`: vendor id -> what the check finds)."""

    id_prefix = "order"

    quotation = forms.ModelChoiceField(label=_("Quotation"), queryset=Quotation.objects.none(), required=False)
    terms = forms.CharField(
        label=_("Terms"),
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Payment, delivery, warranty."),
    )
    split_explanation = forms.CharField(
        label=_("Explanation"),
        max_length=limits.SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why this is not one purchase split under a threshold (see the warning above). It is recorded with "
            "the order and shown on the facility's split-purchase report."
        ),
    )

    def __init__(
        self, *args: Any, split_vendors: Mapping[int, list[SplitFinding]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.split_vendors = {vendor: found for vendor, found in (split_vendors or {}).items() if found}
        if self.requisition.method == Method.MICRO:
            self.fields["quotation"].queryset = self.requisition.quotations.all()  # type: ignore[attr-defined]
            self.fields["quotation"].required = True
            self.fields["quotation"].label_from_instance = lambda quotation: (  # type: ignore[attr-defined]
                f"{quotation.vendor_name}: {quotation.currency} {quotation.total}"
            )
        else:
            del self.fields["quotation"]
        if not self.split_vendors:
            del self.fields["split_explanation"]
        elif self.requisition.method != Method.MICRO:
            # One vendor only (the award's): the explanation is always needed.
            self.fields["split_explanation"].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.split_vendors or data.get("split_explanation"):
            return data
        quotation = data.get("quotation")
        if quotation is not None and quotation.vendor_id in self.split_vendors:
            self.add_error(
                "split_explanation",
                _("An order to %(vendor)s may split a purchase: explain why it is not, or choose another quotation.")
                % {"vendor": quotation.vendor_name},
            )
        return data


def _criteria(text: str) -> list[services.CriterionInput]:
    """ "Name: weight" per line."""
    criteria = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        name, _colon, weight = raw.rpartition(":")
        if not name.strip() or not weight.strip().isdigit():
            raise forms.ValidationError(
                _("Line %(number)d: write “criterion: weight”, e.g. “Methodology: 40”.") % {"number": number}
            )
        criteria.append(services.CriterionInput(name.strip(), int(weight.strip())))
    return criteria


class SolicitationForm(CaseForm):
    id_prefix = "solicitation"

    instructions = forms.CharField(
        label=_("Instructions to bidders"), max_length=limits.LONG_TEXT, widget=forms.Textarea(attrs={"rows": 5})
    )
    deadline = forms.DateTimeField(label=_("Submission deadline"), widget=DATETIME_WIDGET)
    vendors = forms.ModelMultipleChoiceField(
        label=_("Invited vendors"),
        queryset=Vendor.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only vendors active on the roster and supplying the requisition's categories are offered."),
    )
    documents = MultipleFileField(label=_("Documents"), help_text=_("Terms of reference, specifications, bid form."))
    criteria = forms.CharField(
        label=_("Technical criteria"),
        max_length=limits.SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, “criterion: weight”; the weights add up to 100."),
    )
    technical_weight = forms.IntegerField(
        label=_("Technical weight (%)"), min_value=1, max_value=99, initial=70, required=False
    )
    minimum_technical_score = forms.DecimalField(
        label=_("Minimum technical score (%)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        initial=Decimal("70"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendors"].queryset = eligible_vendors(self.requisition)  # type: ignore[attr-defined]
        if self.requisition.method != Method.RFP:
            for name in ("criteria", "technical_weight", "minimum_technical_score"):
                del self.fields[name]

    def clean_criteria(self) -> list[services.CriterionInput]:
        return _criteria(self.cleaned_data.get("criteria") or "")

    def issue_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        arguments: dict[str, Any] = {
            "instructions": data["instructions"],
            "deadline": data["deadline"],
            "vendors": list(data["vendors"]),
            "documents": data["documents"],
        }
        if self.requisition.method == Method.RFP:
            arguments["criteria"] = data["criteria"]
            if data.get("technical_weight") is not None:
                arguments["technical_weight"] = data["technical_weight"]
            if data.get("minimum_technical_score") is not None:
                arguments["minimum_technical_score"] = data["minimum_technical_score"]
        return arguments


class InvitationForm(CaseForm):
    id_prefix = "renew"

    invitation = forms.ModelChoiceField(label=_("Vendor"), queryset=Invitation.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        solicitation = self.solicitation
        if solicitation is not None:
            self.fields["invitation"].queryset = solicitation.invitations.all()  # type: ignore[attr-defined]


class AnswerForm(CaseForm):
    id_prefix = "answer"

    question = forms.ModelChoiceField(label=_("Question"), queryset=Question.objects.none())
    answer = forms.CharField(
        label=_("Answer (sent to every invited vendor)"),
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        solicitation = self.solicitation
        if solicitation is not None:
            self.fields["question"].queryset = solicitation.questions.filter(  # type: ignore[attr-defined]
                answered_at__isnull=True
            )
            self.fields["question"].label_from_instance = lambda question: question.text[:100]  # type: ignore[attr-defined]


class AmendmentForm(CaseForm):
    id_prefix = "amendment"

    text = forms.CharField(
        label=_("What changes"), max_length=limits.LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    new_deadline = forms.DateTimeField(
        label=_("New deadline"), widget=DATETIME_WIDGET, required=False, help_text=_("Leave empty to keep it.")
    )


class PaperBidForm(CaseForm):
    id_prefix = "paper"

    invitation = forms.ModelChoiceField(label=_("Vendor"), queryset=Invitation.objects.none())
    received_at = forms.DateTimeField(label=_("Received at"), widget=DATETIME_WIDGET)
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="USD")
    technical_proposal = forms.CharField(
        label=_("Technical proposal"), max_length=limits.LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        solicitation = self.solicitation
        if solicitation is not None:
            self.fields["invitation"].queryset = solicitation.invitations.all()  # type: ignore[attr-defined]
            if not solicitation.two_envelopes:
                del self.fields["technical_proposal"]
        self.price_fields()


class OpeningForm(CaseForm):
    """The second officer signs on the same form: their e-mail and password, checked like a sign-in."""

    id_prefix = "opening"

    email = forms.EmailField(label=_("Second officer's e-mail"), max_length=254)
    password = forms.CharField(
        label=_("Second officer's password"), max_length=limits.PASSWORD, widget=forms.PasswordInput
    )


class DeclarationForm(CaseForm):
    id_prefix = "declare"

    no_conflict = forms.ChoiceField(
        label=_("Declaration"),
        choices=[
            ("yes", _("I have no conflict of interest with any bidder")),
            ("no", _("I have a conflict of interest")),
        ],
        widget=forms.RadioSelect,
    )
    statement = forms.CharField(
        label=_("Statement"),
        max_length=limits.SHORT_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you declare a conflict."),
    )


def _bid_label(bid: Bid) -> str:
    return bid.invitation.vendor_name


class ComplianceForm(CaseForm):
    id_prefix = "compliance"

    bid = forms.ModelChoiceField(label=_("Bid"), queryset=Bid.objects.none())
    passed = forms.ChoiceField(
        label=_("Finding"), choices=[("pass", _("Compliant")), ("fail", _("Not compliant"))], widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        solicitation = self.solicitation
        if solicitation is not None:
            self.fields["bid"].queryset = services.bids_counting(solicitation=solicitation)  # type: ignore[attr-defined]
        self.fields["bid"].label_from_instance = _bid_label  # type: ignore[attr-defined]


class ScoreForm(CaseForm):
    """RFP: one evaluator's scores of one bid, a field per criterion (0 to 100)."""

    id_prefix = "score"

    bid = forms.ModelChoiceField(label=_("Bid"), queryset=Bid.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        solicitation = self.solicitation
        self.criteria: list[Criterion] = []
        if solicitation is not None:
            self.fields["bid"].queryset = services.bids_counting(solicitation=solicitation)  # type: ignore[attr-defined]
            self.criteria = list(solicitation.criteria.all())
        self.fields["bid"].label_from_instance = _bid_label  # type: ignore[attr-defined]
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.name} ({criterion.weight} %)",
                min_value=Decimal("0"),
                max_value=Decimal("100"),
                max_digits=5,
                decimal_places=2,
            )

    def scores(self) -> list[tuple[Criterion, Decimal]]:
        return [(criterion, self.cleaned_data[f"criterion_{criterion.pk}"]) for criterion in self.criteria]


class CommitteeForm(CaseForm):
    id_prefix = "committee"

    decision = forms.ChoiceField(label=_("Decision"), choices=CommitteeDecision.choices, widget=forms.RadioSelect)
    comments = forms.CharField(
        label=_("Comments"),
        max_length=limits.LONG_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject or return the case."),
    )


class AwardForm(CaseForm):
    id_prefix = "award"

    bid = forms.ModelChoiceField(label=_("Bid"), queryset=Bid.objects.none())
    justification = forms.CharField(
        label=_("Justification"),
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say why, above all when it is not the recommended bid."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        solicitation = self.solicitation
        if solicitation is not None:
            self.fields["bid"].queryset = services.bids_counting(solicitation=solicitation).filter(  # type: ignore[attr-defined]
                compliant=True
            )
            self.initial.setdefault("bid", solicitation.recommended_bid_id)
        self.fields["bid"].label_from_instance = _bid_label  # type: ignore[attr-defined]


class OrderReviseForm(OnePageForm):
    id_prefix = "revise"

    change_note = forms.CharField(
        label=_("What changes"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    terms = forms.CharField(
        label=_("Terms"), max_length=limits.LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    delivery_date = forms.DateField(
        label=_("Delivery by"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )

    def __init__(self, *args: Any, order: PurchaseOrder, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"terms": order.terms, "delivery_date": order.delivery_date})
        super().__init__(*args, **kwargs)


class OrderCancelForm(OnePageForm):
    id_prefix = "cancel"

    reason = forms.CharField(
        label=_("Why the order is cancelled"), max_length=limits.SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
