from django.urls import path

from trellis.programs import views

app_name = "programs"

urlpatterns = [
    path("", views.program_list, name="list"),
    path("new/", views.program_create, name="create"),
    path("budget/", views.budget, name="budget"),
    path("assigned/", views.assigned, name="assigned"),
    path("policy/<uuid:uid>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("team/", views.team, name="team"),
    path("enrollments/<int:enrollment_id>/nudge/", views.nudge, name="nudge"),
    path("enrollments/<int:enrollment_id>/extend/", views.extend, name="extend"),
    path("enrollments/<int:enrollment_id>/exempt/", views.exempt, name="exempt"),
    path("<int:program_id>/", views.program_detail, name="detail"),
    path("<int:program_id>/edit/", views.program_edit, name="edit"),
    path("<int:program_id>/preview/", views.program_preview, name="preview"),
    path("<int:program_id>/activate/", views.program_activate, name="activate"),
    path("<int:program_id>/close/", views.program_close, name="close"),
    path("<int:program_id>/requirements/", views.requirement_add, name="requirement_add"),
    path("<int:program_id>/groups/", views.group_add, name="group_add"),
    path("<int:program_id>/enrollments.csv", views.program_export, name="export"),
]
