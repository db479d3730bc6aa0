from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("growth/", views.growth_runs, name="growth_runs"),
    path("growth/<int:pk>/", views.growth_run, name="growth_run"),
    path("growth/<int:pk>/students/", views.growth_run_students, name="growth_students"),
    path("growth/<int:pk>/publish/", views.growth_run_publish, name="growth_publish"),
    path("growth/publications/<int:pk>/withdraw/", views.growth_publication_withdraw_view,
         name="growth_withdraw"),
    path("public/growth/", views.public_growth, name="public_growth"),
    path("public/growth/growth.csv", views.public_growth_csv, name="public_growth_csv"),
    path("public/growth/growth.json", views.public_growth_json, name="public_growth_json"),
]

# Report cards (Play 5): staff pages first, then the public pages.
from . import reportcard_views as rc  # noqa: E402

urlpatterns += [
    path("report-cards/staff/", rc.rc_staff_home, name="rc_staff"),
    path("report-cards/staff/frameworks/<int:pk>/", rc.rc_framework, name="rc_framework"),
    path("report-cards/staff/runs/<int:pk>/", rc.rc_run, name="rc_run"),
    path("report-cards/staff/runs/<int:pk>/publish/", rc.rc_publish, name="rc_publish"),
    path("report-cards/staff/publications/<int:pk>/withdraw/", rc.rc_withdraw,
         name="rc_withdraw"),
    path("report-cards/staff/runs/<int:pk>/preview/<str:entity_type>/<str:entity_id>/",
         rc.rc_preview_card, name="rc_preview"),
    path("report-cards/", rc.rc_public_index, name="rc_public_index"),
    path("report-cards/<slug:framework>/ratings/", rc.rc_ratings_list, name="rc_ratings"),
    path("report-cards/<slug:framework>/how-it-is-calculated/", rc.rc_how, name="rc_how"),
    path("report-cards/<slug:framework>/<int:year>/<str:name>.csv", rc.rc_published_file,
         name="rc_published_file"),
    path("report-cards/<slug:framework>/<str:entity_type>/<str:entity_id>/", rc.rc_card,
         name="rc_card"),
    path("report-cards/<slug:framework>/<str:entity_type>/<str:entity_id>/card.csv",
         rc.rc_card_csv, name="rc_card_csv"),
    path("report-cards/<slug:framework>/<str:entity_type>/<str:entity_id>/card.json",
         rc.rc_card_json, name="rc_card_json"),
    path("report-cards/<slug:framework>/<str:entity_type>/<str:entity_id>/card.pdf",
         rc.rc_card_pdf, name="rc_card_pdf"),
]
