from django.urls import path

from trellis.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("waves/<int:wave_id>/", views.answer, name="answer"),
    path("waves/<int:wave_id>/results/", views.results, name="results"),
    path("waves/<int:wave_id>/results.csv", views.results_csv, name="results_csv"),
    path("waves/<int:wave_id>/answers/", views.named_answers, name="named_answers"),
    path("team/", views.team, name="team"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.create, name="create"),
    path("manage/from-template/", views.from_template, name="from_template"),
    path("manage/<int:survey_id>/", views.edit, name="edit"),
    path("manage/<int:survey_id>/preview/", views.preview, name="preview"),
    path("manage/<int:survey_id>/archive/", views.archive, name="archive"),
    path("manage/<int:survey_id>/questions/", views.question_add, name="question_add"),
    path("manage/<int:survey_id>/sections/", views.section_add, name="section_add"),
    path("manage/<int:survey_id>/waves/", views.wave_add, name="wave_add"),
    path(
        "manage/<int:survey_id>/questions/<int:question_id>/remove/",
        views.question_remove,
        name="question_remove",
    ),
    path(
        "manage/<int:survey_id>/questions/<int:question_id>/move/",
        views.question_move,
        name="question_move",
    ),
]
