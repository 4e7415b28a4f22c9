"""/discover/: each area of discovery has its own URL module, included here."""

from django.urls import include, path

app_name = "discovery"

urlpatterns = [
    path("", include("trellis.discovery.search_urls")),
]
