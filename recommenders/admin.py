from django.contrib import admin

from .models import AcceptedPrediction, PredictionBatch, Recommender


@admin.register(PredictionBatch)
class PredictionBatchAdmin(admin.ModelAdmin):
    list_display = ("model_name", "project", "format", "filename", "count", "status", "imported_by", "imported_at")
    list_filter = ("status", "project")
    readonly_fields = ("project", "model_name", "format", "filename", "count", "status", "problems", "imported_by")


@admin.register(Recommender)
class RecommenderAdmin(admin.ModelAdmin):
    list_display = ("project", "enabled", "status", "trained_at", "spans_since_training")
    readonly_fields = ("status", "trained_at", "spans_since_training", "trained_on", "error")


@admin.register(AcceptedPrediction)
class AcceptedPredictionAdmin(admin.ModelAdmin):
    list_display = ("span", "model_name", "score", "accepted_at")
    readonly_fields = ("span", "prediction", "model_name", "score")
