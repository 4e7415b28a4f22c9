from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "trellis.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        # The periodic refresh of the aggregates joins the scheduler (``tasks.py``).
        from trellis.insights import tasks  # noqa: F401
