from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "trellis.discovery"
    label = "discovery"
    verbose_name = "Discovery"
