from django.contrib import admin

from .models import Assignment, Membership, Project


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "is_open", "created_at"]
    search_fields = ["name"]
    filter_horizontal = ["labels", "polarities", "categories"]
    # Articles are many: added from the project's pages or the import, not from a 10,000-row widget.
    exclude = ["articles"]
    inlines = [MembershipInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["project", "article", "annotator", "status", "status_changed_at"]
    list_filter = ["project", "status"]
    raw_id_fields = ["article", "annotator", "assigned_by"]
