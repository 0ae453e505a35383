from django.urls import path

from . import views, views_agreement, views_curation, views_manage, views_scope

app_name = "projects"

urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/switch/", views_scope.switch_project, name="switch"),
    path("projects/new/", views_manage.project_new, name="project_new"),
    path("projects/<id:project_id>/manage/", views_manage.manage_page, name="manage"),
    path("projects/<id:project_id>/manage/settings/", views_manage.manage_settings, name="manage_settings"),
    path("projects/<id:project_id>/manage/members/", views_manage.member_add, name="member_add"),
    path("projects/<id:project_id>/manage/members/<id:membership_id>/role/", views_manage.member_role, name="member_role"),
    path(
        "projects/<id:project_id>/manage/members/<id:membership_id>/remove/",
        views_manage.member_remove,
        name="member_remove",
    ),
    path("projects/<id:project_id>/manage/articles/", views_manage.articles_change, name="articles_change"),
    path("projects/<id:project_id>/", views.project_detail, name="project_detail"),
    path("projects/<id:project_id>/assign/", views.assign, name="assign"),
    path("projects/<id:project_id>/progress/", views.progress_page, name="progress"),
    path("projects/<id:project_id>/agreement/", views_agreement.agreement_page, name="agreement"),
    path("projects/<id:project_id>/agreement/<id:article_id>/", views_agreement.disagreements_page, name="disagreements"),
    path("projects/<id:project_id>/curation/", views_curation.curation_queue, name="curation_queue"),
    path("projects/<id:project_id>/curation/<id:article_id>/", views_curation.curate, name="curate"),
    path("projects/<id:project_id>/curation/<id:article_id>/decide/", views_curation.decide, name="curation_decide"),
    path("projects/<id:project_id>/curation/<id:article_id>/curated/", views_curation.mark_curated, name="mark_curated"),
    path("projects/<id:project_id>/curation/<id:article_id>/reopen/", views_curation.reopen_curation, name="reopen_curation"),
    path("projects/<id:project_id>/next/", views.next_article, name="next_article"),
    path("articles/<id:article_id>/assignment/", views.article_status, name="article_status"),
    path("assignments/<id:assignment_id>/done/", views.mark_done, name="mark_done"),
    path("assignments/<id:assignment_id>/reopen/", views.reopen, name="reopen"),
]
