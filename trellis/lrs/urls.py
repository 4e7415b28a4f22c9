"""The xAPI endpoints, mounted at /xapi/. Resource views live in ``views/``."""

from django.urls import path

from trellis.lrs.views import about
from trellis.lrs.views import activities_agents as activities_agents_views
from trellis.lrs.views import documents as document_views
from trellis.lrs.views import statements as statement_views

app_name = "lrs"

urlpatterns = [
    path("about", about.about, name="about"),
    # --- Statement resource ---
    path("statements", statement_views.statements, name="statements"),
    path("statements/", statement_views.statements),
    # --- end Statement resource ---
    # Documents, Activities, Agents
    path("activities/state", document_views.state, name="state"),
    path("activities/profile", document_views.activity_profile, name="activity_profile"),
    path("agents/profile", document_views.agent_profile, name="agent_profile"),
    path("activities", activities_agents_views.activities, name="activities"),
    path("agents", activities_agents_views.agents, name="agents"),
]
