"""Screens of the tui-migrate app (modal dialogs over the main view)."""
