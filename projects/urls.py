from django.urls import path

from . import views, views_agreement

app_name = "projects"

urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/<id:project_id>/", views.project_detail, name="project_detail"),
    path("projects/<id:project_id>/assign/", views.assign, name="assign"),
    path("projects/<id:project_id>/progress/", views.progress_page, name="progress"),
    path("projects/<id:project_id>/agreement/", views_agreement.agreement_page, name="agreement"),
    path("projects/<id:project_id>/agreement/<id:article_id>/", views_agreement.disagreements_page, name="disagreements"),
    path("projects/<id:project_id>/next/", views.next_article, name="next_article"),
    path("articles/<id:article_id>/assignment/", views.article_status, name="article_status"),
    path("assignments/<id:assignment_id>/done/", views.mark_done, name="mark_done"),
    path("assignments/<id:assignment_id>/reopen/", views.reopen, name="reopen"),
]
