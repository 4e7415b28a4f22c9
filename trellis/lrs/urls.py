"""The xAPI endpoints, mounted at /xapi/. Resource views live in ``views/``."""

from django.urls import path

from trellis.lrs.views import about

app_name = "lrs"

urlpatterns = [
    path("about", about.about, name="about"),
]
