from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "trellis.programs"
    label = "programs"
    verbose_name = "Programs (mandates)"

    def ready(self) -> None:
        # Explicit hooks (no signals): people changes re-evaluate audiences, new progress recomputes
        # completion, and the hourly job joins the scheduler (``tasks.py``).
        from trellis.programs import hooks

        hooks.register()
