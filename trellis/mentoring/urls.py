from django.urls import path

from trellis.mentoring import views

app_name = "mentoring"

urlpatterns = [
    path("", views.home, name="home"),
    path("find/", views.find, name="find"),
    path("request/<str:employee_id>/<int:skill_id>/", views.request_mentor, name="request"),
    path("m/<uuid:uid>/", views.mentorship_detail, name="mentorship"),
    path("m/<uuid:uid>/answer/", views.mentorship_answer, name="answer"),
    path("m/<uuid:uid>/withdraw/", views.mentorship_withdraw, name="withdraw"),
    path("m/<uuid:uid>/end/", views.mentorship_end, name="end"),
    path("m/<uuid:uid>/sessions/", views.session_log, name="session_log"),
    path("mentor/", views.mentor, name="mentor"),
    path("mentor/status/", views.mentor_status, name="mentor_status"),
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/<uuid:uid>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/<uuid:uid>/answer/", views.feedback_answer, name="feedback_answer"),
    path("feedback/<uuid:uid>/decline/", views.feedback_decline, name="feedback_decline"),
    path("feedback/<uuid:uid>/cancel/", views.feedback_cancel, name="feedback_cancel"),
    path("team/", views.team, name="team"),
    path("overview/", views.overview, name="overview"),
]
