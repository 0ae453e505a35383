from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import path

from .forms import ImportForm
from .models import Article, Paragraph, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "article_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(ordering="article_count", description="articles")
    def article_count(self, source):
        return source.article_count


class ParagraphInline(admin.TabularInline):
    """Read-only: annotation offsets point into paragraph text, so it is never edited."""

    model = Paragraph
    fields = ["position", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "paragraph_count", "published_on", "language", "imported_at"]
    list_filter = ["source", "language"]
    search_fields = ["title", "original_filename"]
    list_select_related = ["source"]
    fields = ["title", "source", "url", "published_on", "language", "original_filename", "content_hash", "imported_by", "imported_at"]
    readonly_fields = ["original_filename", "content_hash", "imported_by", "imported_at"]
    inlines = [ParagraphInline]
    change_list_template = "admin/corpus/article/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(paragraph_count=Count("paragraphs"))

    @admin.display(ordering="paragraph_count", description="paragraphs")
    def paragraph_count(self, article):
        return article.paragraph_count

    def has_add_permission(self, request):
        # Articles come in through the import (which checks, cleans and de-duplicates them), never by hand.
        return False

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="corpus_article_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not request.user.has_perm("corpus.add_article"):
            raise PermissionDenied
        form, report = ImportForm.handle(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import articles",
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/corpus/article/import.html", context)
