from django.urls import path

from trellis.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.home, name="home"),
    path("planned/", views.planned, name="planned"),
    path("planned/<int:program_id>.pdf", views.program_pdf, name="program_pdf"),
    path("learning-time/", views.learning, name="learning"),
    path("skills/", views.skills, name="skills"),
    path("readiness/", views.readiness, name="readiness"),
    path("readiness.pdf", views.readiness_pdf, name="readiness_pdf"),
    path("content/", views.content, name="content"),
    path("personalization/", views.personalization, name="personalization"),
]
