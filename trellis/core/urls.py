from django.contrib.auth import views as auth_views
from django.urls import path

from trellis.core import views

app_name = "core"

#: Pages at the top level (their names are global: Django's auth views reverse "login", "password_reset_done", ...)
root_patterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]

urlpatterns = [
    path("admin/", views.admin_home, name="admin_home"),
    path("admin/imports/", views.import_upload, name="import_upload"),
    path("admin/imports/<int:run_id>/", views.import_detail, name="import_detail"),
    path("admin/tokens/", views.token_list, name="token_list"),
    path("admin/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("admin/audit/", views.audit_list, name="audit_list"),
]
