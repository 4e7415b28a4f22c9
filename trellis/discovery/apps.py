from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "trellis.discovery"
    label = "discovery"
    verbose_name = "Discovery"

    def ready(self) -> None:
        # Explicit hooks (no signals): catalog changes re-index the items for search and ask.
        from trellis.discovery import search

        search.register_hooks()

        # Learning paths move on when the learning records show a planned step done.
        from trellis.discovery import paths
        from trellis.lrs.projection import progress_listener_add

        progress_listener_add(paths.paths_progress_changed)
