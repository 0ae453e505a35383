from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("language/", views.switch_language, name="switch_language"),
    path("preferences/", views.preference_page, name="preferences"),
]
