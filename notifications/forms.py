"""Forms of the notifications app: validation only (services save)."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from branches.bounds import BoundedModelForm
from notifications import channels
from notifications.models import Delivery, Preference

PHONE = RegexValidator(r"^\+?\d{6,19}$", _("Enter a mobile number of digits only, e.g. 13800001111."))


class PreferenceForm(BoundedModelForm):
    class Meta:
        model = Preference
        fields = ["email", "wecom", "sms", "wecom_user_id", "phone", "quiet_from", "quiet_until"]
        widgets = {
            "quiet_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        }
        help_texts = {
            "wecom_user_id": _("Leave empty when your WeCom account is your portal user name."),
            "quiet_from": _("Nothing is sent between these times (Beijing time), e.g. 22:00 to 07:30."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].validators.append(PHONE)
        offered = channels.available()
        for channel in ("email", "wecom", "sms"):
            if channel not in offered:
                del self.fields[channel]

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("quiet_from") is None) != (cleaned.get("quiet_until") is None):
            self.add_error("quiet_until", _("Give both ends of the quiet hours, or neither."))
        if cleaned.get("sms") and not cleaned.get("phone"):
            self.add_error("phone", _("Give a mobile number to be reached by SMS."))
        return cleaned


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All"))] + list(Delivery.Status.choices)
    )
    channel = forms.ChoiceField(label=_("channel"), required=False, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from notifications.models import Channel

        self.fields["channel"].choices = [("", _("All"))] + list(Channel.choices)
