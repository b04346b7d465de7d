"""The post-mortem's forms: the review itself (with its timeline rows) and one form
per follow-up action step. They parse; the rules live in rules.py and actions.py."""

from django import forms

from escalations.forms import PersonChoiceField, staff
from escalations.models import FollowUp, PostMortem, RootCauseCategory
from escalations.postmortems.rules import Row


class SystemicSelect(forms.Select):
    def __init__(self, attrs=None):
        choices = [("", "Not answered yet"), ("true", "Yes"), ("false", "No")]
        super().__init__(attrs, choices)

    def format_value(self, value):
        return [{True: "true", False: "false"}.get(value, "")]

    def value_from_datadict(self, data, files, name):
        return {"true": True, "false": False}.get(data.get(name))


class PostMortemForm(forms.ModelForm):
    """Every field optional here: a draft saves half-filled; completing is checked by
    rules.completion_errors, whose messages land on the fields."""

    class Meta:
        model = PostMortem
        fields = [
            "executive_summary",
            "went_well",
            "do_differently",
            "recommendation",
            "root_cause_category",
            "contributing_factors",
            "root_cause",
            "customer_outcome",
            "arr_retained",
            "arr_lost",
            "systemic",
        ]
        widgets = {
            "executive_summary": forms.Textarea(attrs={"rows": 3}),
            "went_well": forms.Textarea(attrs={"rows": 3}),
            "do_differently": forms.Textarea(attrs={"rows": 3}),
            "recommendation": forms.Textarea(attrs={"rows": 3}),
            "root_cause": forms.Textarea(attrs={"rows": 2}),
            "customer_outcome": forms.Textarea(attrs={"rows": 2}),
            "contributing_factors": forms.CheckboxSelectMultiple,
            "systemic": SystemicSelect,
        }
        help_texts = {
            "executive_summary": "At most 3 sentences: what happened, the impact, how it ended.",
            "recommendation": "Specific: who changes what, in which system or step, and when "
            "— not “communicate better”.",
        }

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        chosen = [self.instance.root_cause_category_id] if self.instance.pk else []
        offered = RootCauseCategory.objects.filter(active=True) | RootCauseCategory.objects.filter(
            pk__in=[c for c in chosen if c]
        )
        self.fields["root_cause_category"].queryset = offered.distinct()
        self.fields["root_cause_category"].empty_label = "Not chosen yet"
        self.fields["contributing_factors"].queryset = RootCauseCategory.objects.all()
        for name in ("arr_retained", "arr_lost"):
            self.fields[name].min_value = 0
            self.fields[name].widget.attrs["min"] = 0


class TimelineRowForm(forms.Form):
    at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    text = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"size": 60}))
    pinned = forms.BooleanField(required=False, help_text="Keep when refreshed from events.")


TimelineFormSet = forms.formset_factory(TimelineRowForm, extra=1, can_delete=True)


def timeline_rows(formset) -> list[Row]:
    """The rows kept in a valid formset (deleted and untouched blank rows left out)."""
    return sorted(
        (
            Row(f.cleaned_data["at"], f.cleaned_data["text"], f.cleaned_data.get("pinned", False))
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ),
        key=lambda r: r.at,
    )


class FollowUpForm(forms.ModelForm):
    owner = PersonChoiceField(queryset=staff())

    class Meta:
        model = FollowUp
        fields = ["description", "owner", "due_on"]
        widgets = {"due_on": forms.DateInput(attrs={"type": "date"})}


class FollowUpCloseForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(FollowUp.Status.DONE, "Done"), (FollowUp.Status.WONT_DO, "Won't do")]
    )
    reason = forms.CharField(required=False, max_length=300, label="Why not")
