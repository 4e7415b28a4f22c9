"""Pure-Python discovery engine (no Django import anywhere in this package)."""
