"""Forms of 双述双评: validation only; the services save."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from branches import bounds
from branches.models import Organization
from branches.once import OnceField

from assessments import sealing
from assessments.models import BallotBox, RatingCampaign, RatingTarget
from assessments.models.ratings import code_normalize


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class CampaignForm(forms.Form):
    request_key = OnceField()
    name = forms.CharField(label=_("Name"), max_length=120)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    scope = forms.ModelChoiceField(label=_("Scope"), queryset=Organization.objects.none())
    opens_at = bounds.DateTimeField(label=_("Opens at"), widget=DateTimeInput())
    closes_at = bounds.DateTimeField(label=_("Closes at"), widget=DateTimeInput())
    min_raters = forms.IntegerField(label=_("Minimum raters"), min_value=1, max_value=1000)
    scale = forms.ChoiceField(label=_("Scale"), choices=RatingCampaign.Scale.choices)
    custody = forms.ChoiceField(
        label=_("Who can open the results"),
        choices=BallotBox.Custody.choices,
        initial=BallotBox.Custody.TRUSTEES,
        help_text=_(
            "Trustees: the key is split among the trustees (监票人) when the campaign is published; only "
            "enough of them together can open the results. Server key: weaker — whoever runs the "
            "servers can open them."
        ),
    )
    trustees = forms.IntegerField(label=_("Trustees"), min_value=2, max_value=sealing.MAX_TRUSTEES, initial=3)
    threshold = forms.IntegerField(
        label=_("Trustees needed to open the results"), min_value=2, max_value=sealing.MAX_TRUSTEES, initial=2
    )

    def __init__(self, *args, scopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = scopes
        self.fields["scope"].label_from_instance = lambda org: org.name

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The closing time must be after the opening time."))
        if data.get("threshold") and data.get("trustees") and data["threshold"] > data["trustees"]:
            self.add_error("threshold", _("No more than the number of trustees."))
        return data


class UnitChoiceForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Organization.objects.none())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda org: org.name


class RosterForm(UnitChoiceForm):
    file = forms.FileField(label=_("Roster (.xlsx)"))


class CodesForm(UnitChoiceForm):
    count = forms.IntegerField(label=_("Number of codes"), min_value=1, initial=50)

    def __init__(self, *args, maximum: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["count"].max_value = maximum
        self.fields["count"].validators.append(forms.IntegerField(max_value=maximum).validators[-1])
        self.fields["count"].widget.attrs["max"] = maximum


class ReportForm(forms.Form):
    report_text = forms.CharField(
        label=_("Report"), widget=forms.Textarea(attrs={"rows": 12}), required=False, max_length=20000
    )
    report_file = forms.FileField(label=_("Report file (PDF or Office, optional)"), required=False)


class CodeEntryForm(forms.Form):
    code = forms.CharField(
        label=_("Rating code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
            }
        ),
    )

    def clean_code(self) -> str:
        """The code as stored (upper case, look-alike characters mapped, separators dropped); a value with
        nothing of a code in it (``'``, ``--``) is a form message, not a URL that cannot be built."""
        code = code_normalize(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("This rating code is not valid. Check it and type it again."))
        return code


class LinesTextarea(forms.Textarea):
    """Django's textarea, rendered to the same markup (``django/forms/widgets/textarea.html`` and its
    ``attrs.html``, attributes in their order) without a template: the offline scores form has one per
    secretary of the campaign — 314 on the demo university — and the two templates a widget renders were two
    thirds of the page's time (issue 17)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        rendered = "".join(
            format_html(" {}", key) if value is True else format_html(' {}="{}"', key, value)
            for key, value in widget["attrs"].items()
            if value is not False
        )
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>',
            widget["name"],
            mark_safe(rendered),
            widget["value"] or "",
        )


class OfflineForm(forms.Form):
    """One textarea per secretary: ``name score`` per line, parsed by the service's parser."""

    def __init__(self, *args, targets: list[RatingTarget], initial_lines: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = targets
        for target in targets:
            self.fields[f"target_{target.pk}"] = forms.CharField(
                label=str(target),
                required=False,
                initial=initial_lines.get(target.pk, ""),
                widget=LinesTextarea(attrs={"rows": 4}),
                max_length=5000,
            )

    def pairs(self):
        return [(t, self[f"target_{t.pk}"]) for t in self.targets]


class SharesForm(forms.Form):
    """One field per trustee; at least the threshold of them filled in (the service checks the key)."""

    def __init__(self, *args, trustees: int, **kwargs):
        super().__init__(*args, **kwargs)
        for number in range(1, trustees + 1):
            self.fields[f"share_{number}"] = forms.CharField(
                label=_("Share of trustee %(n)d") % {"n": number},
                required=False,
                max_length=120,
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            )

    def shares(self) -> list[str]:
        return [value for name, value in self.cleaned_data.items() if name.startswith("share_") and value]


def default_window() -> tuple[datetime.datetime, datetime.datetime]:
    now = timezone.localtime().replace(second=0, microsecond=0)
    return now, now + datetime.timedelta(days=7)
