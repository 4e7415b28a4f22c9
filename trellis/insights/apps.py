from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "trellis.insights"
    label = "insights"
    verbose_name = "Insights"
