from django.urls import path

from . import views

app_name = "studentdata"
urlpatterns = [
    path("snapshots/", views.snapshots, name="snapshots"),
    path("snapshots/<int:pk>/", views.snapshot_detail, name="snapshot"),
    path("lookup/", views.student_lookup, name="lookup"),
]
