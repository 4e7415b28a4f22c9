from django.urls import path

from trellis.discovery import views_search

urlpatterns = [
    path("", views_search.discover_home, name="home"),
    path("search/", views_search.search, name="search"),
]
