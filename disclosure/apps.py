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

        register_unit_panel(panels.actions_panel, position="first")
        register_unit_panel(panels.todos_panel, position="top")
        register_unit_panel(panels.branch_compliance_panel, position="bottom")
        register_unit_panel(panels.committee_compliance_panel, position="bottom")
        # The member's home: the branch's tasks this month (issue 22).
        from disclosure import member_home
        from members.panels import register_member_panel

        register_member_panel(member_home.todos_panel, order=5)
        register_member_panel(member_home.branch_tasks_panel, order=30)
        # The menu's 审核 entry, decided once at sign-in (disclosure.menu).
        from django.contrib.auth.signals import user_logged_in

        from disclosure.menu import remember_review_rights

        user_logged_in.connect(remember_review_rights, dispatch_uid="disclosure_menu_review")
        # The to-do list as the notifications' sources (issue 20), and their demo outbox.
        from disclosure import notify

        notify.register()
