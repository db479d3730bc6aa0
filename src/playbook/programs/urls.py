from django.urls import path

from . import views

app_name = "programs"
urlpatterns = [
    path("", views.home, name="home"),
    path("manage/", views.program_index, name="program_index"),
    path("manage/new/", views.program_new, name="program_new"),
    path("manage/<slug:slug>/", views.program_detail, name="program_detail"),
    path("manage/<slug:slug>/cycles/new/", views.cycle_new, name="cycle_new"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/edit/", views.cycle_edit, name="cycle_edit"),
    path("cycles/<int:pk>/rules/", views.cycle_rules, name="cycle_rules"),
    path("cycles/<int:pk>/apply/", views.application_new, name="application_new"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/export.csv", views.application_export, name="application_export"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/budget/", views.application_budget, name="application_budget"),
    path("applications/<int:pk>/attachments/", views.application_attachments,
         name="application_attachments"),
    path("applications/<int:pk>/attachments/<int:attachment_pk>/",
         views.attachment_download, name="attachment_download"),
    path("applications/<int:pk>/attachments/<int:attachment_pk>/delete/",
         views.attachment_delete, name="attachment_delete"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw,
         name="application_withdraw"),
    path("applications/<int:pk>/screen/", views.application_screen, name="application_screen"),
    path("applications/<int:pk>/manage/", views.application_manage, name="application_manage"),
    path("screening/", views.screening, name="screening"),
    path("rounds/", views.round_index, name="round_index"),
    path("rounds/<int:pk>/", views.round_page, name="round_page"),
    path("rounds/<int:pk>/data.csv", views.round_csv, name="round_csv"),
    path("rounds/<int:pk>/data.json", views.round_json, name="round_json"),
]
