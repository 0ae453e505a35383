from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .forms import AnnotationImportForm
from .models import (
    AnnotationEvent,
    BoilerplateCategory,
    BoilerplateMark,
    Entity,
    EntityAlias,
    Label,
    Polarity,
    Span,
    Stance,
    StanceEvidence,
    Topic,
)


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["name", "display_name", "colour", "shortcut", "is_active", "position", "span_count"]
    list_editable = ["is_active", "position"]
    search_fields = ["name", "display_name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(span_count=Count("spans"))

    @admin.display(ordering="span_count", description=gettext_lazy("spans"))
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
    change_list_template = "admin/annotations/span/change_list.html"

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="annotations_span_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Restore a Hamish JSON export (or bring in CoNLL / doccano files): all or nothing, problems listed."""
        if not (request.user.has_perm("annotations.add_span") and request.user.has_perm("corpus.add_article")):
            raise PermissionDenied
        report = problems = None
        form = AnnotationImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            report, problems = form.run(request.user)
            if report is not None:
                form = AnnotationImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import annotations"),
            "form": form,
            "report": report,
            "problems": problems,
        }
        return TemplateResponse(request, "admin/annotations/span/import.html", context)


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


@admin.register(Polarity)
class PolarityAdmin(admin.ModelAdmin):
    list_display = ["name", "display_name", "colour", "is_active", "position"]
    list_editable = ["is_active", "position"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.stances.exists()  # retire it instead


@admin.register(BoilerplateCategory)
class BoilerplateCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "display_name", "is_active", "position"]
    list_editable = ["is_active", "position"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.marks.exists()  # retire it instead


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "created_by", "created_at"]
    search_fields = ["name", "description"]


class StanceEvidenceInline(admin.TabularInline):
    model = StanceEvidence
    fields = ["paragraph", "start", "end", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Stance)
class StanceAdmin(admin.ModelAdmin):
    list_display = ["holder_entity", "polarity", "target_entity", "target_topic", "article", "author", "created_at"]
    list_filter = ["polarity", "author"]
    list_select_related = ["holder_entity", "polarity", "target_entity", "target_topic", "article", "author"]
    raw_id_fields = ["holder_entity", "holder_span", "target_entity", "target_topic", "article"]
    readonly_fields = ["article", "author", "created_at", "updated_at"]
    inlines = [StanceEvidenceInline]


@admin.register(BoilerplateMark)
class BoilerplateMarkAdmin(admin.ModelAdmin):
    list_display = ["paragraph", "category", "author", "created_at"]
    list_filter = ["category", "author"]
    list_select_related = ["paragraph", "category", "author"]
    readonly_fields = ["paragraph", "author", "created_at", "updated_at"]
