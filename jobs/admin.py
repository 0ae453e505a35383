from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only: jobs are written by their tasks; the admin is for looking (and deleting old ones)."""

    list_display = ["pk", "kind", "user", "description", "status", "created_at", "finished_at", "files_done", "files_total"]
    list_filter = ["kind", "status"]
    search_fields = ["description", "user__username"]
    readonly_fields = [field.name for field in Job._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
