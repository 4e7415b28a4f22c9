from django.urls import path

from trellis.discovery import views_recommend

urlpatterns = [
    path("", views_recommend.foryou, name="foryou"),
    path("why/<int:item_id>/", views_recommend.why, name="why"),
    path("feedback/<int:item_id>/", views_recommend.feedback, name="feedback"),
    path("control/", views_recommend.control, name="control"),
    path("fairness/", views_recommend.fairness_report, name="fairness"),
]
