"""Demo organisation (placeholder until the people demo builder lands)."""

DEMO_PASSWORD = "trellis-demo"
DEMO_LOGINS: list[dict[str, str]] = []


def build_organisation(*, stdout=None):  # type: ignore[no-untyped-def]
    return {}
