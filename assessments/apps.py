from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from assessments import figures  # the dashboard's blocks (branches.figures)

        figures.watch_writes()
        from assessments.member_record import evaluation_section  # the member record's grades (issue 19)
        from members.record import register_record_section

        register_record_section(evaluation_section, order=80)
        from assessments.evaluation_flags import unqualified_flags  # 不合格 in the lifecycle pages (issue 19)
        from members.flags import register_member_flags

        register_member_flags(unqualified_flags)
        from assessments.commendation_record import honours_section, unit_honours_panel  # 七一表彰 (issue 19)
        from members.panels import register_unit_panel

        register_record_section(honours_section, order=85)
        register_unit_panel(unit_honours_panel, position="bottom")
        from assessments import notify_commendation  # 七一表彰 nominations due, 公示 ending (issue 19)

        notify_commendation.register()
        from django.db.models.signals import post_delete, post_save

        # The member's home: the 测评 open for them (issue 22).
        from assessments import member_home
        from members.panels import register_member_panel

        register_member_panel(member_home.ratings_panel, order=10)

        from assessments.models import RatingCampaign, RatingDimension, RatingTarget
        from assessments.services.ratings import code_form_forget

        for model in (RatingCampaign, RatingDimension, RatingTarget):
            post_save.connect(code_form_forget, sender=model, dispatch_uid=f"code-form-{model.__name__}")
            post_delete.connect(
                code_form_forget, sender=model, dispatch_uid=f"code-form-del-{model.__name__}"
            )

        import assessments.demo_cycle  # noqa: F401  (registers the July-1 cycle's demo step, issue 5)
        from django.db.models.signals import post_migrate

        from assessments.defaults import ensure_default_eight_ones

        post_migrate.connect(ensure_default_eight_ones, sender=self)  # issue 18
        from assessments import statistics  # 民主评议 and 七一表彰 tables of 党内统计 (issue 21)

        statistics.register()
        from assessments import notify  # rating campaigns as a notifications source (issue 20)

        notify.register()
        from assessments import evaluation_roster  # a member who leaves drops out of running evaluations

        evaluation_roster.connect()
        from assessments import documents  # noqa: F401  (the assessment's Word documents, issue 21)

        # The unit page's units behind and figures that moved, from the snapshots (issue 22).
        from assessments.first_screen import behind_and_moved_panel

        register_unit_panel(behind_and_moved_panel, position="top")
