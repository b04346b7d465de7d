"""Forms of the account pages (one per user action). Admin forms live elsewhere."""

from django import forms
from django.contrib.auth import get_user_model

from accounts.models import Account, RiskFlagFeedback
from vipdesk.lib.roles import Role


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Note",
        max_length=5000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FlagFeedbackForm(forms.Form):
    verdict = forms.ChoiceField(choices=RiskFlagFeedback.Verdict.choices)
    note = forms.CharField(label="Note", max_length=1000, required=False, strip=True)


def owner_choices():
    return (
        get_user_model()
        .objects.filter(groups__name__in=(Role.CSM, Role.LEAD, Role.ADMIN), is_active=True)
        .distinct()
        .order_by("first_name", "username")
    )


class InterventionForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = ["intervention_status", "intervention_owner"]
        labels = {"intervention_status": "Intervention", "intervention_owner": "Owner"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owner = self.fields["intervention_owner"]
        owner.queryset = owner_choices()
        owner.label_from_instance = lambda u: u.get_full_name() or u.username
        owner.required = False

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("intervention_status")
        if status in (Account.Intervention.PLANNED, Account.Intervention.IN_PROGRESS) and not (
            cleaned.get("intervention_owner")
        ):
            self.add_error(
                "intervention_owner", "A planned or running intervention needs an owner."
            )
        return cleaned


class BacktestPeriodForm(forms.Form):
    period_from = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    period_to = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and end < start:
            raise forms.ValidationError("The period ends before it starts.")
        if start and end and (end - start).days > 731:
            raise forms.ValidationError("Replay at most two years at a time.")
        return data
