"""Forms for the admin's policy editing: score weights, the tier bands and a tier's row."""

from collections import Counter

from django import forms
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.forms import BaseModelFormSet, modelformset_factory

from accounts.history import USAGE_WINDOWS_MAX_WEEKS
from accounts.models import ScoreWeights, Tier, TierPolicy
from accounts.tiering import Band, band_errors

RISK_POINTS = [
    "churn_language_points",
    "ticket_frequency_points",
    "severity_escalating_points",
    "shorter_messages_points",
    "sentiment_falling_points",
    "usage_drop_points",
    "nps_drop_points",
    "renewal_proximity_points",
    "silent_champion_points",
]
HEALTH_WEIGHTS = [
    "health_nps_weight",
    "health_usage_weight",
    "health_support_weight",
    "health_escalation_weight",
]
RISK_THRESHOLDS = [
    "csm_attention_threshold",
    "leadership_threshold",
    "executive_outreach_threshold",
]
RISK_LEVELS = ["medium_level_from", "high_level_from", "critical_level_from"]
RISK_BANDS = ["checkin_band_from", "stakeholder_band_from", "executive_band_from"]
# How each risk factor is defined: its windows, thresholds and days.
FACTOR_SETTINGS = [
    "usage_recent_weeks",
    "usage_baseline_weeks",
    "usage_drop_from_pct",
    "usage_drop_full_pct",
    "ticket_spike_ratio",
    "ticket_spike_min_tickets",
    "silent_champion_days",
    "renewal_window_days",
]
# Fields bounded by their own validators rather than by the 0–100 score scale.
NOT_ON_SCORE_SCALE = {*FACTOR_SETTINGS, "rescore_interval_minutes", "alerts_per_person_per_run"}


class TierPolicyForm(forms.ModelForm):
    """A tier's own row (its band is edited with all the others, TierBandForm)."""

    class Meta:
        model = TierPolicy
        fields = ["escalate_to", "escalate_within_minutes", "description"]

    def clean_escalate_to(self) -> str:
        name = self.cleaned_data["escalate_to"].strip()
        if name and not Group.objects.filter(name=name).exists():
            raise ValidationError(
                f"No group is named {name!r}: create it under Authentication › Groups and "
                "add the people to alert."
            )
        return name


class ScoreWeightsForm(forms.ModelForm):
    class Meta:
        model = ScoreWeights
        fields = [
            *RISK_POINTS,
            *RISK_THRESHOLDS,
            *RISK_LEVELS,
            *RISK_BANDS,
            "alerts_per_person_per_run",
            *HEALTH_WEIGHTS,
            *FACTOR_SETTINGS,
            "rescore_interval_minutes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Scores run 0–100, so no weight, threshold or boundary may exceed 100.
        for name, field in self.fields.items():
            if name not in NOT_ON_SCORE_SCALE:
                field.validators.append(MaxValueValidator(100))
                field.widget.attrs["max"] = 100

    def clean(self):
        data = super().clean()
        self._check_rising(data, RISK_THRESHOLDS, "Risk thresholds")
        self._check_rising(data, RISK_LEVELS, "Churn-risk level boundaries")
        self._check_rising(data, RISK_BANDS, "Risk-band workflow starts")
        recent, baseline = data.get("usage_recent_weeks"), data.get("usage_baseline_weeks")
        if recent and baseline and recent + baseline > USAGE_WINDOWS_MAX_WEEKS:
            raise ValidationError(
                f"The usage windows span {recent + baseline} weeks ({recent} recent + "
                f"{baseline} baseline); at most {USAGE_WINDOWS_MAX_WEEKS} are kept for scoring."
            )
        weights = [data.get(name) for name in HEALTH_WEIGHTS]
        if None not in weights and sum(weights) != 100:
            raise ValidationError(
                f"The health score weights must add up to 100; they add up to {sum(weights)}."
            )
        return data

    def _check_rising(self, data: dict, names: list[str], what: str) -> None:
        values = [data.get(name) for name in names]
        if None in values:
            return  # a field error is already shown
        if not all(low < high for low, high in zip(values, values[1:], strict=False)):
            shown = " < ".join(
                f"{str(self.fields[name].label).lower()} ({value})"
                for name, value in zip(names, values, strict=True)
            )
            raise ValidationError(f"{what} must rise strictly: {shown}.")


class TierBandForm(forms.ModelForm):
    class Meta:
        model = TierPolicy
        fields = ["min_arr", "max_arr", "strategic_qualifies", "executive_review_qualifies"]


class BaseTierBandFormSet(BaseModelFormSet):
    """All tier bands edited together: one band alone cannot move without opening
    a gap or an overlap with its neighbour."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if Counter(form.instance.tier for form in self.forms) != Counter(Tier.values):
            raise ValidationError("Submit every tier's band together, each once.")
        errors = band_errors(self.bands())
        if errors:
            raise ValidationError(errors)

    def bands(self) -> list[Band]:
        return [
            Band(
                tier=form.instance.tier,
                min_arr=form.cleaned_data["min_arr"],
                max_arr=form.cleaned_data["max_arr"],
                strategic_qualifies=form.cleaned_data["strategic_qualifies"],
                executive_review_qualifies=form.cleaned_data["executive_review_qualifies"],
            )
            for form in self.forms
        ]


TierBandFormSet = modelformset_factory(
    TierPolicy,
    form=TierBandForm,
    formset=BaseTierBandFormSet,
    extra=0,
    edit_only=True,
    # The tiers are fixed: never build (or accept) a form for a fifth one.
    max_num=len(Tier),
    absolute_max=len(Tier),
    validate_max=True,
)
