"""``{% once_key %}``: a one-time key for a form written by hand in a template (STYLE §15).

Forms rendered from a Django form class carry ``branches.once.OnceField``; a template that repeats one small
form per row (a visit per care occasion) needs a fresh key for each row, which this tag prints."""

import uuid

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def once_key(name: str = "request_key") -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', name, uuid.uuid4())
