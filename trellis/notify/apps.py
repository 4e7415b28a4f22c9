from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "trellis.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Registers the periodic jobs (dispatch, rules, digests) with trellis.core.scheduler.
        from trellis.notify import tasks  # noqa: F401
