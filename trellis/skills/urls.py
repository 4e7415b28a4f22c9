from django.urls import path

from trellis.skills import views

app_name = "skills"

urlpatterns = [
    path("roles/", views.role_list, name="roles"),
    path("roles/<int:role_id>/", views.role_detail, name="role"),
    path("skill/<int:skill_id>/", views.skill_detail, name="skill"),
    path("search/", views.skill_search_page, name="search"),
    path("me/rate/", views.self_rate, name="self_rate"),
]
