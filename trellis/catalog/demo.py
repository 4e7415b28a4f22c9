"""Demo catalog (placeholder until the catalog demo builder lands)."""


def build_catalog(*, stdout=None):  # type: ignore[no-untyped-def]
    return {}
