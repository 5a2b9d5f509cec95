"""``{% member_home_panels member %}``: the panels higher apps add to the member's own page (members.panels)."""

from django import template
from django.utils.html import format_html_join

from members.panels import render_member_panels

register = template.Library()


@register.simple_tag(takes_context=True)
def member_home_panels(context, member) -> str:
    request = context.get("request")
    if request is None or member is None:
        return ""
    return format_html_join("\n", "{}", ((html,) for html in render_member_panels(request, member)))
