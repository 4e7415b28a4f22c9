from django.urls import path

from trellis.people import views

app_name = "people"

urlpatterns = [
    path("", views.people_list, name="list"),
    path("me/", views.profile, name="profile"),
    path("team/", views.team, name="team"),
    path("departments/", views.departments, name="departments"),
    path("departments/<slug:code>/edit/", views.department_edit, name="department_edit"),
    path("locations/", views.locations, name="locations"),
    path("groups/", views.groups, name="groups"),
    path("groups/<int:group_id>/", views.group_detail, name="group"),
    path("import/", views.import_help, name="import_help"),
    path("import/example.csv", views.import_example, name="import_example"),
    path("<str:employee_id>/", views.person, name="person"),
    path("<str:employee_id>/edit/", views.person_edit, name="edit"),
    path("<str:employee_id>/leave/", views.person_leave, name="leave"),
    path("<str:employee_id>/reactivate/", views.person_reactivate, name="reactivate"),
]
