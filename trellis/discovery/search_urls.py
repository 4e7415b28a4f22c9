from django.urls import path

from trellis.discovery import views_search

urlpatterns = [
    path("search/", views_search.search, name="search"),
    path("ask/", views_search.ask, name="ask"),
    path("ask/passage/<int:passage_id>/", views_search.passage, name="passage"),
]
