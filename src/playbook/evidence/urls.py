from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("growth/", views.growth_runs, name="growth_runs"),
    path("growth/<int:pk>/", views.growth_run, name="growth_run"),
    path("growth/<int:pk>/students/", views.growth_run_students, name="growth_students"),
    path("public/growth/", views.public_growth, name="public_growth"),
]
