"""One small form per user action."""

from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Account
from accounts.resolve import AmbiguousAccount, resolve_account
from tickets.models import Agent, PtoPeriod, Ticket
from tickets.staffing.forms import AgentChoiceField, agents_queryset


class AssignForm(forms.Form):
    agent = AgentChoiceField(queryset=agents_queryset(), label="Assign to")
    note = forms.CharField(
        required=False,
        max_length=4000,
        label="Warm handoff note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when moving a VIP ticket from one agent to another: "
        "what the customer needs, what was tried, who they are talking to next.",
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
        if agent and needs_handoff_note(self.ticket, agent) and not data.get("note", "").strip():
            self.add_error(
                "note", "A warm handoff note is required when moving a VIP ticket between agents."
            )
        return data


def needs_handoff_note(ticket: Ticket, new_agent: Agent | None) -> bool:
    return bool(
        ticket.is_vip
        and ticket.assigned_agent_id
        and new_agent is not None
        and new_agent.pk != ticket.assigned_agent_id
    )


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
