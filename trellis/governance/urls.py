from django.urls import path

from trellis.governance import views

app_name = "governance"

urlpatterns = [
    path("", views.home, name="home"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_new, name="policy_new"),
    path("policies/<int:policy_id>/", views.policy_detail, name="policy"),
    path("policies/<int:policy_id>/edit/", views.policy_edit, name="policy_edit"),
    path("policies/<int:policy_id>/publish/", views.policy_publish, name="policy_publish"),
    path("policies/<int:policy_id>/retire/", views.policy_retire, name="policy_retire"),
    path(
        "policies/<int:policy_id>/acknowledge/",
        views.policy_acknowledge,
        name="policy_acknowledge",
    ),
    path("ownership/", views.ownership, name="ownership"),
    path("ownership/edit/", views.ownership_edit, name="ownership_edit"),
    path("ai-systems/", views.ai_systems, name="ai_systems"),
    path("ai-systems/<slug:slug>/", views.ai_system, name="ai_system"),
    path("ai-systems/<slug:slug>/edit/", views.ai_system_edit, name="ai_system_edit"),
    path("audit/", views.audit, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("privacy/", views.my_data, name="privacy"),
    path("privacy/export.json", views.my_data_export, name="my_data_export"),
    path(
        "privacy/people/<str:employee_id>/export.json",
        views.person_export,
        name="person_export",
    ),
    path("privacy/people/<str:employee_id>/erase/", views.person_erase, name="person_erase"),
]
