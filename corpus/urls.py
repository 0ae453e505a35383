from django.urls import path

from . import views

app_name = "corpus"

urlpatterns = [
    path("", views.article_list, name="article_list"),
    path("import/", views.import_articles, name="import"),
    path("shared/", views.shared_content, name="shared"),
]
