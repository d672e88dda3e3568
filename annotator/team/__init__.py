"""The team workflow: assignment, agreement, reading a team's stores, review (the model) and stats.

Built on the annotation model in `annotator.core`; imports no formats, commands or screens.
"""
