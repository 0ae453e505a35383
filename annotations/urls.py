from django.urls import path

from .views import audit, boilerplate, entities, entity_edits, interchange, reader, search, spans, stances, suggestions

app_name = "annotations"

urlpatterns = [
    path("articles/<id:pk>/", reader.article, name="article"),
    path("articles/<id:pk>/clean/", reader.clean_text, name="clean_text"),
    path("paragraphs/<id:paragraph_id>/spans/", spans.create, name="span_create"),
    path("spans/<id:span_id>/", spans.card, name="span_card"),
    path("spans/<id:span_id>/update/", spans.update, name="span_update"),
    path("spans/<id:span_id>/delete/", spans.delete, name="span_delete"),
    path("undo/", spans.undo, name="undo"),
    path("undo/preview/", spans.undo_preview, name="undo_preview"),
    path("paragraphs/<id:paragraph_id>/stances/new/", stances.new, name="stance_new"),
    path("paragraphs/<id:paragraph_id>/stances/", stances.create, name="stance_create"),
    path("stances/<id:stance_id>/card/", stances.card, name="stance_card"),
    path("stances/<id:stance_id>/update/", stances.update, name="stance_update"),
    path("stances/<id:stance_id>/delete/", stances.delete, name="stance_delete"),
    path("stances/<id:stance_id>/evidence/", stances.evidence_add, name="evidence_add"),
    path("evidence/<id:evidence_id>/delete/", stances.evidence_remove, name="evidence_remove"),
    path("stances/", stances.target_index, name="target_index"),
    path("stances/topics/<id:pk>/", stances.topic_detail, name="topic_detail"),
    path("stances/entities/<id:pk>/", stances.entity_target_detail, name="entity_target_detail"),
    path("paragraphs/<id:paragraph_id>/boilerplate/", boilerplate.card, name="boilerplate_card"),
    path("paragraphs/<id:paragraph_id>/boilerplate/change/", boilerplate.change, name="boilerplate_change"),
    path("paragraphs/<id:paragraph_id>/suggestions/", suggestions.decide, name="suggestion_decide"),
    path("articles/<id:pk>/suggestions/accept-all/", suggestions.decide_all, name="suggestion_accept_all"),
    path("paragraphs/<id:paragraph_id>/versions/", reader.versions, name="paragraph_versions"),
    path("entities/search/", entities.search, name="entity_search"),
    path("entities/<id:pk>/", entities.detail, name="entity_detail"),
    path("entities/<id:pk>/merge/", entity_edits.merge, name="entity_merge"),
    path("entities/<id:pk>/merge/undo/", entity_edits.merge_undo, name="entity_merge_undo"),
    path("entities/<id:pk>/aliases/", entity_edits.alias_add, name="entity_alias_add"),
    path("entities/<id:pk>/aliases/<id:alias_id>/delete/", entity_edits.alias_remove, name="entity_alias_remove"),
    path("labels.css", entities.label_styles, name="label_styles"),
    path("search/", search.search_page, name="search"),
    path("audit/", audit.audit_log, name="audit_log"),
    path("export/", interchange.export_page, name="export"),
    path("export/download/", interchange.export_download, name="export_download"),
    path("export/schema/hamish-annotations-1.0.schema.json", interchange.schema, name="export_schema"),
]
