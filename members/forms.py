from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from branches.models import Organization


class MemberImportForm(forms.Form):
    scope = forms.ModelChoiceField(label=_("Import into"), queryset=Organization.objects.none())
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args, scopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = scopes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Only Excel .xlsx files can be imported."))
        if upload.size > settings.MEMBER_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": settings.MEMBER_IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload
