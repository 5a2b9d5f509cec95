from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = _("Disclosure")

    def ready(self) -> None:
        from disclosure import figures  # the dashboard's blocks (branches.figures)

        figures.watch_writes()
        from django.db.models.signals import post_migrate

        from disclosure.defaults import ensure_default_post_categories, ensure_default_rules

        post_migrate.connect(ensure_default_rules, sender=self)
        post_migrate.connect(ensure_default_post_categories, sender=self)
        from disclosure.public_cache import public_pages_reset

        post_migrate.connect(public_pages_reset, sender=self)
        # The unit page belongs to members, which may not import disclosure (DESIGN §3): register instead.
        from disclosure import panels
        from members.panels import register_unit_panel

        register_unit_panel(panels.todos_panel, position="top")
        register_unit_panel(panels.branch_compliance_panel, position="bottom")
        register_unit_panel(panels.committee_compliance_panel, position="bottom")
        # The to-do list as the notifications' sources (issue 20), and their demo outbox.
        from disclosure import notify

        notify.register()
