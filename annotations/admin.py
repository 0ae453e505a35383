from django.contrib import admin
from django.db.models import Count

from .models import AnnotationEvent, Entity, EntityAlias, Label, Span


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["name", "display_name", "colour", "shortcut", "is_active", "position", "span_count"]
    list_editable = ["is_active", "position"]
    search_fields = ["name", "display_name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(span_count=Count("spans"))

    @admin.display(ordering="span_count", description="spans")
    def span_count(self, label):
        return label.span_count

    def has_delete_permission(self, request, obj=None):
        # Retire a label (untick "active") instead: deleting would need its spans gone first.
        return obj is None or not obj.spans.exists()


class EntityAliasInline(admin.TabularInline):
    model = EntityAlias
    extra = 1


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "label", "created_by", "created_at"]
    list_filter = ["label"]
    search_fields = ["name", "aliases__name"]
    inlines = [EntityAliasInline]


@admin.register(Span)
class SpanAdmin(admin.ModelAdmin):
    list_display = ["text", "label", "entity", "author", "paragraph", "created_at"]
    list_filter = ["label", "author"]
    search_fields = ["text"]
    list_select_related = ["label", "entity", "author", "paragraph"]
    readonly_fields = ["paragraph", "start", "end", "text", "author", "created_at", "updated_at"]
    raw_id_fields = ["entity"]


@admin.register(AnnotationEvent)
class AnnotationEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "kind", "object_id", "paragraph"]
    list_filter = ["action", "kind", "actor"]
    readonly_fields = [field.name for field in AnnotationEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
