"""The vendor's forms on its personal link: a bid (a unit price per line, for an RFP the technical proposal and
the two envelopes' documents) and a clarification question. The service seals what is sent at once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import Currency
from shared_platform import limits
from shared_platform.forms import MultipleFileField

from ..models import Envelope, RequisitionLine, Solicitation

# The most files in one envelope.
MAX_DOCUMENTS = 10


def _files_at_most(files: list[Any]) -> list[Any]:
    if len(files) > MAX_DOCUMENTS:
        raise forms.ValidationError(_("At most %(count)d files at once.") % {"count": MAX_DOCUMENTS})
    return files


class BidForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency of the bid"), choices=Currency.choices)

    def __init__(self, *args: Any, solicitation: Solicitation, lines: list[RequisitionLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        self.two_envelopes = solicitation.two_envelopes
        for line in lines:
            self.fields[f"price_{line.position}"] = forms.DecimalField(
                label=_("Unit price, line %(line)d") % {"line": line.position},
                help_text=_("%(description)s: %(quantity)s %(unit)s")
                % {"description": line.description, "quantity": line.quantity.normalize(), "unit": line.unit},
                max_digits=16,
                decimal_places=4,
                min_value=Decimal("0"),
                widget=forms.NumberInput(attrs={"step": "any", "min": "0"}),
            )
        if self.two_envelopes:
            self.fields["technical_proposal"] = forms.CharField(
                label=_("Technical proposal"),
                max_length=limits.LONG_TEXT,
                widget=forms.Textarea(attrs={"rows": 8}),
                help_text=_("Read only after the deadline, before any price is opened."),
            )
            self.fields["technical_documents"] = MultipleFileField(
                label=_("Technical envelope: documents"),
                help_text=_("Methodology, work plan, CVs; opened with the technical envelope."),
            )
            self.fields["financial_documents"] = MultipleFileField(
                label=_("Financial envelope: documents"),
                help_text=_("The price schedule; opened only if the technical proposal reaches the minimum score."),
            )
        else:
            self.fields["documents"] = MultipleFileField(
                label=_("Documents of the bid"), help_text=_("The signed bid form, specifications, certificates.")
            )

    def clean_technical_documents(self) -> list[Any]:
        return _files_at_most(self.cleaned_data["technical_documents"])

    def clean_financial_documents(self) -> list[Any]:
        return _files_at_most(self.cleaned_data["financial_documents"])

    def clean_documents(self) -> list[Any]:
        return _files_at_most(self.cleaned_data["documents"])

    def price_fields(self) -> list[forms.BoundField]:
        return [self[f"price_{line.position}"] for line in self.lines]

    def unit_prices(self) -> list[Decimal]:
        return [self.cleaned_data[f"price_{line.position}"] for line in self.lines]

    def envelopes(self) -> list[tuple[str, Any]]:
        """Each document with the envelope it goes in."""
        data = self.cleaned_data
        if self.two_envelopes:
            return [(Envelope.TECHNICAL, upload) for upload in data["technical_documents"]] + [
                (Envelope.FINANCIAL, upload) for upload in data["financial_documents"]
            ]
        return [(Envelope.SINGLE, upload) for upload in data["documents"]]


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=limits.SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The answer goes to every invited vendor, without saying who asked."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "question_%s")
        super().__init__(*args, **kwargs)
