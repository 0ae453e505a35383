from django.urls import path

from jobs import views as job_views

from . import views

app_name = "corpus"

urlpatterns = [
    path("", views.article_list, name="article_list"),
    # The page queues a background job (jobs app); manage.py import_articles stays synchronous.
    path("import/", job_views.import_page, name="import"),
    path("shared/", views.shared_content, name="shared"),
]
