from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "trellis.mentoring"
    label = "mentoring"
    verbose_name = "Mentoring and feedback"

    def ready(self) -> None:
        # Explicit hook (no signals): when people leave, their open mentorships and requests close.
        from trellis.people import hooks

        hooks.register(_people_changed)


def _people_changed(employee_ids: list[int], reason: str) -> None:
    from trellis.mentoring.services import leavers_close

    leavers_close(employee_ids=employee_ids)
