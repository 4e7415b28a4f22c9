from django.urls import path

from trellis.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("<int:notification_id>/", views.open_notification, name="open"),
    path("<int:notification_id>/read/", views.mark_read, name="read"),
    path("settings/", views.preferences, name="settings"),
    path("log/", views.delivery_log, name="log"),
    path("log/<str:employee_id>/", views.delivery_log, name="log_for"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("admin/settings/", views.org_settings, name="org_settings"),
    path("admin/failed/", views.failed_deliveries, name="failed"),
    path("admin/failed/<int:delivery_id>/retry/", views.retry_delivery, name="retry"),
]
