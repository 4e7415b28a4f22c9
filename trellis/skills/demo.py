"""Demo taxonomy (placeholder until the skills demo builder lands)."""


def load_taxonomy(*, stdout=None):  # type: ignore[no-untyped-def]
    return {}


def load_ai_literacy(*, stdout=None):  # type: ignore[no-untyped-def]
    return {}


def build_role_profiles(*, stdout=None):  # type: ignore[no-untyped-def]
    return {}


def build_self_ratings(*, stdout=None):  # type: ignore[no-untyped-def]
    return {}
