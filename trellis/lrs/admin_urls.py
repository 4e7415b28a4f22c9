"""L&D admin pages of the LRS, mounted at /admin/lrs/."""

from django.urls import path

from trellis.lrs.views import clients_admin

app_name = "lrs_admin"

urlpatterns = [
    path("clients/", clients_admin.client_list, name="client_list"),
    path("clients/<int:client_id>/revoke/", clients_admin.client_revoke, name="client_revoke"),
]
