"""Servers started by tests in parallel pytest processes never get the same port (tests/ports.py)."""

import socket

from tests import ports


def _ports_of(monkeypatch, worker: str, workers: int, count: int) -> list[int]:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", str(workers))
    return [ports.free_port() for _ in range(count)]


def test_each_worker_is_given_ports_of_its_own_share_only(monkeypatch):
    first = _ports_of(monkeypatch, "gw0", 3, 20)
    second = _ports_of(monkeypatch, "gw1", 3, 20)
    third = _ports_of(monkeypatch, "gw2", 3, 20)
    assert {(port // 2) % 3 for port in first} == {0}
    assert {(port // 2) % 3 for port in second} == {1}
    assert {(port // 2) % 3 for port in third} == {2}


def test_a_process_never_hands_out_the_same_port_twice(monkeypatch):
    handed = _ports_of(monkeypatch, "gw1", 2, 50)
    assert len(set(handed)) == len(handed)


def test_without_xdist_a_port_is_free_to_bind(monkeypatch):
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)
    port = ports.free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))  # raises if the port were taken
