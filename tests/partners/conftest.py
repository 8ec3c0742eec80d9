from tests.followups.conftest import consenting, event  # noqa: F401 - shared fixtures
