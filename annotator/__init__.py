"""annotator: keyboard-first span annotation of news text in the terminal."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("annotator")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
