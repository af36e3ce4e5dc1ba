import pytest

from plombiers.support.enums import default_categories_ensure
from plombiers.support.models import BarrierCategory


@pytest.fixture(autouse=True)
def _categories(db):
    # Transactional tests flush the tables, data migrations included: put the categories back.
    default_categories_ensure(BarrierCategory)
