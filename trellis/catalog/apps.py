from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "trellis.catalog"
    label = "catalog"
    verbose_name = "Catalog"
