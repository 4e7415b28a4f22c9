from django.contrib import admin
from django.urls import include, path

from config.api import api
from trellis.core.urls import root_patterns

urlpatterns = [
    *root_patterns,
    path("", include("trellis.core.urls")),
    path("people/", include("trellis.people.urls")),
    path("skills/", include("trellis.skills.urls")),
    path("catalog/", include("trellis.catalog.urls")),
    path("xapi/", include("trellis.lrs.urls")),
    path("admin/lrs/", include("trellis.lrs.admin_urls")),
    path("learning/", include("trellis.lrs.progress_urls")),
    path("programs/", include("trellis.programs.urls")),
    path("notifications/", include("trellis.notify.urls")),
    path("discover/", include("trellis.discovery.urls")),
    path("surveys/", include("trellis.surveys.urls")),
    path("governance/", include("trellis.governance.urls")),
    path("mentoring/", include("trellis.mentoring.urls")),
    path("insights/", include("trellis.insights.urls")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]

handler403 = "trellis.core.views.permission_denied"
handler404 = "trellis.core.views.page_not_found"
