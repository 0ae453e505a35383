from django.urls import path

from . import views

app_name = "recommenders"

urlpatterns = [
    path("projects/<id:project_id>/predictions/", views.predictions_page, name="predictions"),
    path("projects/<id:project_id>/recommender/train/", views.train, name="train"),
    path("predictions/filter/", views.set_filter, name="filter"),
]
