from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import make_account


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def account(csm):
    """A Platinum account owned by `csm`."""
    return make_account("Globex", arr=Decimal(620000), csm=csm, risk_score=88, risk_level="high")


def ago(**kw):
    return timezone.now() - timedelta(**kw)
