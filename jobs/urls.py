from django.urls import path

from . import views, views_rebuild

app_name = "jobs"

urlpatterns = [
    path("jobs/", views.job_list, name="list"),
    path("jobs/imports/", views.import_history, name="imports"),
    path("jobs/rebuild/", views_rebuild.rebuild_page, name="rebuild"),
    path("jobs/<id:job_id>/", views.job_detail, name="detail"),
    path("jobs/<id:job_id>/status/", views.job_status, name="status"),
    path("jobs/<id:job_id>/cancel/", views.job_cancel, name="cancel"),
    path("jobs/<id:job_id>/retry/", views.job_retry, name="retry"),
    path("jobs/<id:job_id>/download/", views.export_download, name="download"),
    path("export/job/", views.export_start, name="export_start"),
]
