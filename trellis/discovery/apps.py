from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "trellis.discovery"
    label = "discovery"
    verbose_name = "Discovery"

    def ready(self) -> None:
        # Explicit hooks (no signals): catalog changes re-index the items for search and ask.
        from trellis.discovery import search

        search.register_hooks()
