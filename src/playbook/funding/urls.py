from django.urls import path

from . import views

app_name = "funding"
urlpatterns = [
    path("applications/<int:pk>/budget/", views.application_budget, name="application_budget"),
    path("cycles/<int:pk>/decisions/", views.decision_page, name="decision_page"),
    path("appropriations/", views.appropriation_index, name="appropriation_list"),
    path("appropriations/new/", views.appropriation_new, name="appropriation_new"),
    path("appropriations/<int:pk>/", views.appropriation_detail, name="appropriation_detail"),
    path("awards/", views.award_list, name="award_list"),
    path("awards/<int:pk>/", views.award_detail, name="award_detail"),
    path("awards/<int:pk>/lines/", views.award_line_add, name="award_line_add"),
    path("awards/<int:pk>/lines/<int:line_pk>/delete/", views.award_line_delete,
         name="award_line_delete"),
    path("awards/<int:pk>/disburse/", views.award_disburse_view, name="award_disburse"),
    path("awards/<int:pk>/match/", views.award_match, name="award_match"),
    path("awards/<int:pk>/match/<int:contribution_pk>/check/", views.match_check,
         name="match_check"),
    path("awards/<int:pk>/match/<int:contribution_pk>/evidence/", views.match_evidence,
         name="match_evidence"),
    path("match/", views.match_queue_page, name="match_queue"),
    path("agreements/<int:pk>/reports/new/", views.report_new, name="report_new"),
]
