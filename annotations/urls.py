from django.urls import path

from .views import entities, reader, spans

app_name = "annotations"

urlpatterns = [
    path("articles/<int:pk>/", reader.article, name="article"),
    path("paragraphs/<int:paragraph_id>/spans/", spans.create, name="span_create"),
    path("spans/<int:span_id>/", spans.card, name="span_card"),
    path("spans/<int:span_id>/update/", spans.update, name="span_update"),
    path("spans/<int:span_id>/delete/", spans.delete, name="span_delete"),
    path("undo/", spans.undo, name="undo"),
    path("entities/search/", entities.search, name="entity_search"),
    path("entities/<int:pk>/", entities.detail, name="entity_detail"),
    path("labels.css", entities.label_styles, name="label_styles"),
]
