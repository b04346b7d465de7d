"""One small form per user action."""

from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Account
from accounts.resolve import AmbiguousAccount, resolve_account
from tickets.followups.rules import closing_refusal
from tickets.models import Agent, Confirmation, PtoPeriod, Ticket
from tickets.staffing.forms import AgentChoiceField, agents_queryset


class AssignForm(forms.Form):
    agent = AgentChoiceField(queryset=agents_queryset(), label="Assign to")
    note = forms.CharField(
        required=False,
        max_length=4000,
        label="Warm handoff note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when moving a VIP ticket from one agent to another: introduce "
        "the new agent by name, and say what the customer needs and what was tried.",
    )

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        today = timezone.localdate()
        self.fields["agent"].queryset = agents_queryset().annotate(
            on_pto=Exists(
                PtoPeriod.objects.filter(agent=OuterRef("pk"), starts__lte=today, ends__gte=today)
            )
        )
        if ticket.assigned_agent_id:
            self.fields["agent"].initial = ticket.assigned_agent_id

    def clean(self):
        data = super().clean()
        agent = data.get("agent")
        if agent and agent.pk == self.ticket.assigned_agent_id:
            raise forms.ValidationError("The ticket is already assigned to this agent.")
        if agent and needs_handoff_note(self.ticket, agent):
            note = data.get("note", "").strip()
            if not note:
                self.add_error(
                    "note",
                    "A warm handoff note is required when moving a VIP ticket between agents.",
                )
            elif not introduces(note, agent):
                self.add_error("note", f"Introduce the new agent by name ({agent}) in the note.")
        return data


def needs_handoff_note(ticket: Ticket, new_agent: Agent | None) -> bool:
    return bool(
        ticket.is_vip
        and ticket.assigned_agent_id
        and new_agent is not None
        and new_agent.pk != ticket.assigned_agent_id
    )


def introduces(note: str, agent: Agent) -> bool:
    """Whether a handoff note names the new agent (first name, full name or username)."""
    user = agent.user
    names = {user.first_name, user.get_full_name(), user.username} - {""}
    lowered = note.lower()
    return any(name.lower() in lowered for name in names)


class ResolveForm(forms.Form):
    confirmed_by = forms.CharField(
        required=False,
        max_length=200,
        label="Confirmed by",
        help_text="Who at the customer confirmed the issue is solved.",
    )
    confirmed_via = forms.ChoiceField(
        required=False, choices=[("", "—"), *Confirmation.choices], label="How"
    )
    reason = forms.CharField(
        required=False,
        max_length=2000,
        label="Or: reason for closing without confirmation",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket = ticket

    def clean(self):
        data = super().clean()
        refusal = closing_refusal(
            self.ticket.is_vip,
            data.get("confirmed_by", ""),
            data.get("confirmed_via", ""),
            data.get("reason", ""),
        )
        if refusal:
            raise forms.ValidationError(refusal)
        return data


class AbuseReportForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Quote or describe the abusive, threatening or harassing behaviour.",
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Describe what happened.")
        return reason


class AttachAccountForm(forms.Form):
    account = forms.CharField(
        max_length=253,
        label="Account",
        help_text="Account name, one of its domains, or its id.",
    )

    def clean_account(self) -> Account:
        try:
            account = resolve_account(self.cleaned_data["account"])
        except AmbiguousAccount as error:
            raise forms.ValidationError(str(error)) from None
        if account is None:
            raise forms.ValidationError("No account has this name, domain or id.")
        return account
