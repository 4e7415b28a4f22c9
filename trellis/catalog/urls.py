from django.urls import path

from trellis.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.item_list, name="list"),
]
