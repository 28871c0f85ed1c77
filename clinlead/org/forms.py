from datetime import date

from django import forms
from django.conf import settings

ALLOWED_SUFFIXES = (".csv", ".xlsx")


class HrUploadForm(forms.Form):
    file = forms.FileField(label="HR extract (.csv or .xlsx)", help_text="Columns as in the example file.")
    full_extract = forms.BooleanField(
        label="This is a full extract: mark people who are not in it as having left",
        help_text="Leave this unticked for a partial update: then nobody is marked as having left.",
        required=False, initial=False,
    )
    effective = forms.DateField(
        label="Changes take effect on", initial=date.today, help_text="For example, 2026-11-30",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"class": "nhsuk-input nhsuk-input--width-10", "type": "date"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError("The file must be a .csv or .xlsx file")
        if upload.size > settings.CLINLEAD_HR_UPLOAD_MAX_BYTES:
            limit = settings.CLINLEAD_HR_UPLOAD_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"The file must be smaller than {limit} MB")
        if upload.size == 0:
            raise forms.ValidationError("The file is empty")
        return upload
