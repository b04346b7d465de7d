import pytest
from django.test import TestCase

from tests.client import DispatchingClient


class OnCommitClient(DispatchingClient):
    """A test client that runs on-commit callbacks (job enqueues) as a real commit would."""

    def generic(self, *args, **kwargs):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().generic(*args, **kwargs)


@pytest.fixture
def client():
    return OnCommitClient()
