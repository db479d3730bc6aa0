from django.urls import path

from . import views

app_name = "funding"
urlpatterns = [
    path("cycles/<int:pk>/decisions/", views.decision_page, name="decision_page"),
    path("applications/<int:pk>/decide/", views.decide, name="decide"),
    path("appropriations/", views.appropriation_index, name="appropriation_list"),
    path("appropriations/new/", views.appropriation_new, name="appropriation_new"),
    path("appropriations/<int:pk>/", views.appropriation_detail, name="appropriation_detail"),
    path("awards/", views.award_list, name="award_list"),
    path("awards/<int:pk>/", views.award_detail, name="award_detail"),
    path("awards/<int:pk>/terms/", views.award_terms, name="award_terms"),
    path("awards/<int:pk>/lines/", views.award_line_add, name="award_line_add"),
    path("awards/<int:pk>/lines/<int:line_pk>/delete/", views.award_line_delete,
         name="award_line_delete"),
    path("awards/<int:pk>/commitments/", views.award_commitment_add,
         name="award_commitment_add"),
    path("awards/<int:pk>/commitments/<int:commitment_pk>/delete/",
         views.award_commitment_delete, name="award_commitment_delete"),
    path("awards/<int:pk>/execute/", views.award_execute_view, name="award_execute"),
    path("awards/<int:pk>/disburse/", views.award_disburse_view, name="award_disburse"),
    path("awards/<int:pk>/close/", views.award_close_view, name="award_close"),
    path("awards/<int:pk>/match/", views.award_match, name="award_match"),
    path("awards/<int:pk>/reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
]
