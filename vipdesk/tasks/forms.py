from django import forms


class SkipTaskForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        label="Reason for skipping",
        help_text="E.g. “Customer asked not to be called; summary sent instead”.",
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why the task is skipped.")
        return reason
