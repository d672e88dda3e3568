"""Settings for every test."""

from collections.abc import Iterator

import pytest
from hypothesis import settings

# Hypothesis's per-example deadline is a timed assertion: on a loaded machine it fails tests
# whose code is right. Speed is measured in benchmarks/, never asserted in tests.
settings.register_profile("annotator", deadline=None)
settings.load_profile("annotator")


@pytest.fixture(autouse=True, scope="session")
def _schema_cache_of_the_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Schemas the tests read are kept in a folder of the run's (and what they run inherits it), not the user's cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield
