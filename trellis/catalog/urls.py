from django.urls import path

from trellis.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("item/new/", views.item_new, name="item_new"),
    path("item/<uuid:uid>/", views.item_detail, name="item"),
    path("item/<uuid:uid>/edit/", views.item_edit, name="item_edit"),
    path("item/<uuid:uid>/skills/", views.item_skills, name="item_skills"),
    path("providers/", views.provider_list, name="providers"),
    path("providers/<slug:slug>/", views.provider_edit, name="provider_edit"),
]
