"""One small form per user action on an escalation; the rules live in the rule modules
and the actions, these only parse what the person typed."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from escalations import lifecycle
from escalations.models import (
    Action,
    Communication,
    CommunicationPlanItem,
    Escalation,
    GoodwillKind,
    Risk,
    Severity,
    Stakeholder,
)
from vipdesk.lib.roles import Role


def staff():
    """People who can own an action: anyone with a role."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=Role.ALL)
        .distinct()
        .order_by("first_name", "username")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user.get_full_name() or user.get_username()


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kw):
        super().__init__(format="%Y-%m-%dT%H:%M", **kw)


class OpenForm(forms.ModelForm):
    class Meta:
        model = Escalation
        fields = ["type", "severity", "summary", "customer_statement", "business_impact",
                  "users_affected"]  # fmt: skip
        widgets = {
            "customer_statement": forms.Textarea(attrs={"rows": 3}),
            "business_impact": forms.Textarea(attrs={"rows": 2}),
        }


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=[(t, t) for t in lifecycle.TARGETS])
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirmed = forms.BooleanField(required=False, label="The customer confirmed the resolution")


class ReassignForm(forms.Form):
    owner = PersonChoiceField(queryset=staff(), required=False, empty_label="(unchanged)")
    severity = forms.ChoiceField(choices=[("", "(unchanged)"), *Severity.choices], required=False)
    reason = forms.CharField(max_length=300)


class LevelUpForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Why move it up?")


class ActionForm(forms.ModelForm):
    owner = PersonChoiceField(queryset=staff(), required=False)

    class Meta:
        model = Action
        fields = ["horizon", "description", "owner", "due_at"]
        widgets = {"due_at": LocalDateTimeInput()}


class PlanItemForm(forms.ModelForm):
    class Meta:
        model = CommunicationPlanItem
        fields = ["audience", "message", "channel", "timing"]


class CommunicationForm(forms.ModelForm):
    at = forms.DateTimeField(widget=LocalDateTimeInput(), initial=timezone.now, label="When")

    class Meta:
        model = Communication
        fields = ["at", "type", "to_customer", "recipient", "summary"]
        labels = {"to_customer": "Customer update"}
        widgets = {"summary": forms.Textarea(attrs={"rows": 2})}


class StakeholderForm(forms.ModelForm):
    class Meta:
        model = Stakeholder
        fields = ["name", "role", "ask"]


class RiskForm(forms.ModelForm):
    class Meta:
        model = Risk
        fields = ["kind", "probability", "impact", "mitigation"]


class AnalysisForm(forms.ModelForm):
    class Meta:
        model = Escalation
        fields = ["business_impact", "users_affected", "initial_assessment",
                  "root_cause_category", "contributing_factors", "root_cause"]  # fmt: skip
        widgets = {
            f: forms.Textarea(attrs={"rows": 2})
            for f in ("business_impact", "initial_assessment", "contributing_factors", "root_cause")
        }
        help_texts = {"contributing_factors": "One per line."}


class GoodwillForm(forms.Form):
    kind = forms.ChoiceField(choices=GoodwillKind.choices)
    amount = forms.DecimalField(
        required=False, min_value=0, max_digits=12, decimal_places=2, label="Credit ($)"
    )
    months = forms.IntegerField(required=False, min_value=1, max_value=60, label="Months")
    duration = forms.CharField(required=False, max_length=100, label="Duration")
    reason = forms.CharField(required=False, max_length=300)


class GoodwillDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    note = forms.CharField(required=False, max_length=300)
