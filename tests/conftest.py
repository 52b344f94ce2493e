"""Fixtures: a temporary database and a real server on a free port, with the demo hall."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from callnext.config import Settings

from .helpers import Api, running_app


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'callnext.db'}"


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(db_url=db_url, demo=True, rate_limits=None)


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[Api]:
    async with running_app(settings) as client:
        yield client
