from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("attest/<int:year>/", views.attest, name="attest"),
    path("conflicts/declare/", views.declare_conflict, name="declare_conflict"),
    path("assignments/<int:pk>/", views.review, name="review"),
    path("assignments/<int:pk>/recuse/", views.recuse, name="recuse"),
    path("pool/", views.pool, name="pool"),
    path("pool/<int:pk>/", views.reviewer_detail, name="reviewer"),
    path("pool/<int:pk>/affiliations/", views.affiliation_add, name="affiliation_add"),
    path("pool/<int:pk>/affiliations/<int:affiliation_pk>/remove/", views.affiliation_remove,
         name="affiliation_remove"),
    path("cycles/", views.cycles, name="cycles"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle"),
    path("cycles/<int:pk>/assign/", views.assign, name="assign"),
    path("cycles/<int:pk>/assignments/add/", views.assignment_add, name="assignment_add"),
    path("cycles/<int:pk>/assignments/<int:assignment_pk>/remove/", views.assignment_remove,
         name="assignment_remove"),
    path("cycles/<int:pk>/applications/<int:app_pk>/another-read/", views.another_read,
         name="another_read"),
    path("cycles/<int:pk>/normalization/", views.normalization, name="normalization"),
    path("cycles/<int:pk>/normalize/", views.normalize, name="normalize"),
    path("cycles/<int:pk>/results/", views.results, name="results"),
    path("cycles/<int:pk>/results.csv", views.results_csv, name="results_csv"),
    path("applications/<int:pk>/", views.application_reviews, name="application"),
]
