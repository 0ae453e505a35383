from django.contrib import admin
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext_lazy as _

from .models import Article, Paragraph, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "article_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(ordering="article_count", description=_("articles"))
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
    fields = [
        "title",
        "source",
        "url",
        "published_on",
        "language",
        "original_filename",
        "content_hash",
        "imported_by",
        "imported_at",
    ]
    readonly_fields = ["original_filename", "content_hash", "imported_by", "imported_at"]
    inlines = [ParagraphInline]
    change_list_template = "admin/corpus/article/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(paragraph_count=Count("paragraphs"))

    @admin.display(ordering="paragraph_count", description=_("paragraphs"))
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
        # Imports run as background jobs from the import page (a progress bar, the report as it comes, the
        # history); the admin's link goes there rather than running a large upload inside one request.
        return redirect("corpus:import")
