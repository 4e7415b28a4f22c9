from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "trellis.governance"
    label = "governance"
    verbose_name = "AI governance and privacy"

    def ready(self) -> None:
        # The hourly reminder job joins the scheduler run by ``trellis worker``.
        from trellis.governance import tasks  # noqa: F401
