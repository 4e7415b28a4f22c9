"""The learner's learning record pages, mounted at /learning/."""

from django.urls import path

from trellis.lrs import progress_views

app_name = "learning"

urlpatterns = [
    path("", progress_views.my_learning, name="mine"),
    path("item/<uuid:uid>/launch", progress_views.item_launch, name="launch"),
    path("item/<uuid:uid>/done", progress_views.item_done, name="done"),
    path("item/<uuid:uid>/rate", progress_views.item_rate, name="rate"),
]
