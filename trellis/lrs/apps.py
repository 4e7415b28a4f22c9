from django.apps import AppConfig


class LrsConfig(AppConfig):
    name = "trellis.lrs"
    label = "lrs"
    verbose_name = "Learning record store (xAPI)"
