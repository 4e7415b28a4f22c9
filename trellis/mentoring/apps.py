from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "trellis.mentoring"
    label = "mentoring"
    verbose_name = "Mentoring and feedback"
