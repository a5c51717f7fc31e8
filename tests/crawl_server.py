"""Pytest fixtures for the crawler tests: a real threaded HTTP server on 127.0.0.1 (`pytest_plugins`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer


@pytest.fixture(scope="module")
def running_server() -> Iterator[HTTPServer]:
    """One threaded HTTP server on 127.0.0.1 per test module (stopping one takes half a second)."""
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def server(running_server: HTTPServer) -> HTTPServer:
    """The server with no handlers: paths nobody registered (robots.txt included) answer 404."""
    running_server.clear()
    running_server.no_handler_status_code = 404
    return running_server
