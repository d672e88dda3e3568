"""The annotation model: pure Python, no Textual. The TUI and the command line sit on top of it."""
