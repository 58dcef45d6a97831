"""Widgets of the tui-migrate app."""
