"""``{% menu_may_review as may_review %}`` for base.html's menu (disclosure.menu)."""

from django import template

from disclosure.menu import menu_may_review as _menu_may_review

register = template.Library()


@register.simple_tag(takes_context=True)
def menu_may_review(context) -> bool:
    request = context.get("request")
    return request is not None and _menu_may_review(request)
