"""Settings for every test."""

from hypothesis import settings

# Hypothesis's per-example deadline is a timed assertion: on a loaded machine it fails tests
# whose code is right. Speed is measured in benchmarks/, never asserted in tests.
settings.register_profile("annotator", deadline=None)
settings.load_profile("annotator")
