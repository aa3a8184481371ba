import pytest

from eligibility.models import EligibilityPolicy
from eligibility.reference_data import ensure_default_policies


@pytest.fixture
def default_policies(db):
    """The three seeded policies (a migration loads them; transactional tests flush them)."""
    ensure_default_policies(EligibilityPolicy)
    return {policy.name: policy for policy in EligibilityPolicy.objects.all()}
