"""Security keys are bound to PUBLIC_BASE_URL's host: these tests sign the software key's
answers for http://localhost:8000, as development serves the portal."""

import pytest


@pytest.fixture(autouse=True)
def _portal_at_localhost(settings):
    settings.PUBLIC_BASE_URL = "http://localhost:8000"
