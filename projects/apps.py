from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Showcase projects and research topics")

    def ready(self) -> None:
        from projects import figures  # the dashboard's blocks (branches.figures)

        figures.watch_writes()
        # Lower apps render these without importing projects (DESIGN §3).
        from disclosure.showcase import register_showcase_block
        from members.panels import register_unit_panel
        from projects import showcase

        register_showcase_block(showcase.showcase_block)
        register_unit_panel(showcase.unit_grants_panel, position="bottom")
