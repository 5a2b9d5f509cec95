from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from members import figures  # the dashboard's blocks (branches.figures)

        figures.watch_writes()
        from django.db.models.signals import post_migrate

        from members import receivers  # noqa: F401  (connects to branches' signals)
        from members.defaults import ensure_lifecycle_defaults, ensure_stat_defaults
        from members.panels import register_unit_panel

        post_migrate.connect(ensure_lifecycle_defaults, sender=self)
        post_migrate.connect(ensure_stat_defaults, sender=self)
        from members import admin_statistics, documents  # noqa: F401  (admin and Word documents, issue 21)
        from members import lifecycle_panel

        register_unit_panel(lifecycle_panel.lifecycle_panel, position="top")
        # The member's own first screen (issue 22): their dues; higher apps add theirs.
        from members import member_home
        from members.panels import register_member_panel

        register_member_panel(member_home.dues_panel, order=20)
