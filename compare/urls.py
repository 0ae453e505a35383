from django.urls import path

from . import views

app_name = "compare"

urlpatterns = [
    path("projects/<id:pk>/compare/", views.event, name="event"),
    path("projects/<id:pk>/compare/statements.svg", views.statements_svg, name="statements_svg"),
    path("projects/<id:pk>/compare/statements.csv", views.statements_csv, name="statements_csv"),
    path("projects/<id:pk>/compare/spellings.csv", views.spellings_csv, name="spellings_csv"),
    path("projects/<id:pk>/compare/attention.svg", views.attention_svg, name="attention_svg"),
    path("projects/<id:pk>/compare/attention.csv", views.attention_csv, name="attention_csv"),
    path("projects/<id:pk>/compare/stances.csv", views.stances_csv, name="stances_csv"),
    path("projects/<id:pk>/compare/timeline.svg", views.timeline_svg, name="timeline_svg"),
]
