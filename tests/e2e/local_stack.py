"""The ``stack`` fixture: pytest-terraform applying the local environment (registered once, imported by tests).

It is registered here rather than in conftest.py because pytest-terraform resolves its settings when pytest is
configured, after conftest modules load. The emulator is discarded after the session, so tearing the stack down
would only cost time.
"""

from typing import Any

import pytest
from pytest_terraform import terraform

terraform("stack", scope="session", replay=False, teardown=terraform.TEARDOWN_OFF)


@pytest.fixture(scope="session", name="outputs")
def deployed_outputs(stack: Any) -> dict[str, Any]:
    """The local environment's root outputs, as applied by pytest-terraform."""
    return {name: entry["value"] for name, entry in stack.outputs.items()}
