"""Forms of the pools page: agents, pool membership, PTO."""

from django import forms

from tickets.models import Agent, PtoPeriod


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agent) -> str:
        name = obj.user.get_full_name() or obj.user.username
        label = f"{name} ({obj.get_level_display()})"
        if getattr(obj, "on_pto", False):
            label += " — on PTO"
        elif not obj.on_shift:
            label += " — off shift"
        return label


def agents_queryset():
    return Agent.objects.select_related("user").order_by("user__first_name", "user__username")


class PtoForm(forms.ModelForm):
    agent = AgentChoiceField(queryset=agents_queryset())

    class Meta:
        model = PtoPeriod
        fields = ["agent", "starts", "ends", "note"]
        widgets = {
            "starts": forms.DateInput(attrs={"type": "date"}),
            "ends": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", "The last day off can't be before the first.")
        return data


class PtoEditForm(PtoForm):
    class Meta(PtoForm.Meta):
        fields = ["starts", "ends", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["agent"]


class AddMemberForm(forms.Form):
    agent = AgentChoiceField(queryset=agents_queryset(), label="Agent")
