from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "trellis.governance"
    label = "governance"
    verbose_name = "AI governance and privacy"
