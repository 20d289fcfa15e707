import pytest

from tests.integration.pages.register import cheap_password_hashing


@pytest.fixture(autouse=True, scope="module")
def _cheap_hashing():
    with cheap_password_hashing():
        yield
