import pytest

from directory.models import Technique


@pytest.fixture
def nucca(db) -> Technique:
    return Technique.objects.get(slug="nucca")


@pytest.fixture
def blair(db) -> Technique:
    return Technique.objects.get(slug="blair")
