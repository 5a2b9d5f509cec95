from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BranchesConfig(AppConfig):
    name = "branches"
    verbose_name = _("Organisation tree")

    def ready(self):
        from django.db.models.signals import pre_save

        from branches.bounds import guard_pre_save

        # Every row of the portal's apps fits its columns and the date window, on SQLite too.
        pre_save.connect(guard_pre_save, dispatch_uid="branches.bounds.guard_pre_save")
        # The admin's forms check the same bounds, so an administrator sees a field message where the guard
        # would otherwise refuse the save with a server error. (A form an admin class names itself keeps it.)
        from django.contrib import admin

        from branches.bounds import BoundedModelForm

        admin.ModelAdmin.form = BoundedModelForm
        admin.options.InlineModelAdmin.form = BoundedModelForm

        # An attachment deleted any way (its record's cascade, the admin, a queryset) takes its file on commit.
        from branches.attachments import connect_file_deletes

        connect_file_deletes()
