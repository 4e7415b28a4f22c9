"""Discovery: search, ask, skill tagging, recommendations and learning paths (issue 5)."""
