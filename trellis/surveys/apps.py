from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "trellis.surveys"
    label = "surveys"
    verbose_name = "Surveys"
