from django.urls import path

from trellis.skills import views

app_name = "skills"

urlpatterns = [
    path("roles/", views.role_list, name="roles"),
]
