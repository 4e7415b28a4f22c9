from django.urls import path

from trellis.people import views

app_name = "people"

urlpatterns = [
    path("", views.people_list, name="list"),
    path("me/", views.profile, name="profile"),
    path("team/", views.team, name="team"),
]
