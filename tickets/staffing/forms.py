"""Forms of the pools page: agents, pool membership, PTO."""

from html import escape

from django import forms
from django.utils.safestring import SafeString, mark_safe

from tickets.models import Agent, PtoPeriod


class AgentSelect(forms.Select):
    """A <select> of every agent, the HTML Django's select.html and select_option.html
    templates give (options without groups), written in Python: rendering those
    templates once per option took most of the ticket page's time with 400 agents."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = set(self.format_value(value))
        options = []
        for option_value, label in self.choices:
            option_value = str(option_value)
            selected = option_value in chosen
            chosen.discard(option_value)  # only the first match, as Select.optgroups
            options.append(
                f'\n  <option value="{escape(option_value)}"{" selected" if selected else ""}>'
                f"{escape(str(label))}</option>\n"
            )
        select_attrs = "".join(
            f" {escape(key)}" if val is True else f' {escape(key)}="{escape(str(val))}"'
            for key, val in self.build_attrs(self.attrs, attrs).items()
            if val is not False
        )
        return mark_safe(  # noqa: S308  (every value escaped)
            f'<select name="{escape(name)}"{select_attrs}>{"".join(options)}\n</select>'
        )


class AgentChoiceField(forms.ModelChoiceField):
    widget = AgentSelect

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
