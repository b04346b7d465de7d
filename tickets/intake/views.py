"""The admins' CSV upload page (/admin/import/): the same importer as the commands."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.template.response import TemplateResponse

from tickets.intake.csv_import import IMPORTERS, import_csv


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("accounts", "Accounts"), ("contacts", "Contacts"), ("tickets", "Tickets")]
    )
    file = forms.FileField(label="CSV file")

    skip_invalid = forms.BooleanField(
        required=False,
        label="Skip invalid rows",
        help_text="Write the valid rows and list the others. Unticked: all or nothing.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; uploads are limited to "
                f"{limit} MB (the import_* commands take bigger files)."
            )
        return upload


@staff_member_required
def import_csv_view(request):
    report = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            report = import_csv(
                form.cleaned_data["kind"],
                form.cleaned_data["file"].file,
                skip_invalid=form.cleaned_data["skip_invalid"],
            )
    else:
        form = ImportForm()
    context = {
        **admin.site.each_context(request),
        "title": "Import CSV",
        "form": form,
        "report": report,
        "columns": {k: v.required_columns for k, v in IMPORTERS.items()},
    }
    return TemplateResponse(request, "admin/import.html", context)
