from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "trellis.surveys"
    label = "surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        # the periodic job (waves open, remind, close) joins the scheduler
        from trellis.surveys import tasks  # noqa: F401
