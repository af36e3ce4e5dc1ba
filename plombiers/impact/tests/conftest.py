import pytest

from . import world as world_module


@pytest.fixture
def world(cast):
    return world_module.build(cast)
