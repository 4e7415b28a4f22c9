"""/discover/: each area of discovery has its own URL module, included here."""

from django.urls import include, path

app_name = "discovery"

urlpatterns = [
    # "For you" is the /discover/ page itself, so it comes before search's "" route.
    path("", include("trellis.discovery.recommend_urls")),
    path("", include("trellis.discovery.search_urls")),
    path("", include("trellis.discovery.paths_urls")),
]
