"""Screens of the annotator app."""
