from django.urls import path

from trellis.discovery import views_search

urlpatterns = [
    path("search/", views_search.search, name="search"),
    path("ask/", views_search.ask, name="ask"),
    path("ask/passage/<int:passage_id>/", views_search.passage, name="passage"),
    path("tags/", views_search.tag_queue, name="tag_queue"),
    path("tags/coverage/", views_search.tag_coverage, name="tag_coverage"),
    path("tags/refresh/", views_search.tag_refresh, name="tag_refresh"),
    path(
        "tags/<int:suggestion_id>/<str:decision>/",
        views_search.tag_decide,
        name="tag_decide",
    ),
]
