"""One form per draft action: build one, edit it, log it as sent."""

from django import forms

from escalations.models import Communication, Draft

# Who a draft usually goes to: the customer for e-mails, people inside otherwise.
TO_CUSTOMER = {Draft.Kind.FIRST_RESPONSE, Draft.Kind.RECOVERY}


class NewDraftForm(forms.Form):
    kind = forms.ChoiceField(choices=Draft.Kind.choices)


class EditDraftForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 24, "class": "draft-body"}), label="Text"
    )


class SentForm(forms.Form):
    type = forms.ChoiceField(choices=Communication.Type.choices, label="Sent as")
    recipient = forms.CharField(max_length=200)
    to_customer = forms.BooleanField(required=False, label="Customer update")

    @classmethod
    def for_draft(cls, draft: Draft) -> "SentForm":
        contact = draft.snapshot.get("contact") or {}
        customer = draft.kind in TO_CUSTOMER
        return cls(
            initial={
                "type": Communication.Type.EMAIL if customer else Communication.Type.INTERNAL,
                "recipient": contact.get("name", "") if customer else "",
                "to_customer": customer,
            }
        )
