"""Which cache the app servers share: memcached, Redis or PostgreSQL (Django's DatabaseCache),
with each process's own memory (LocMemCache, the local tier in front) for reference.

    scripts/with-postgres.sh .venv/bin/python bench/bench_shared_cache.py [--rounds 7]

Starts memcached and redis-server (Debian's) on free loopback ports, loads the seed into the
throwaway PostgreSQL, renders the real dashboard and the initiative browser, and times what a
page-cache request costs in each: a hit (the fingerprint and the page: two reads), a miss (two
reads and a write), the write alone. Each figure is the median over a few hundred operations
per round, rounds alternated between the caches (median of the rounds), so a busy machine
slows all alike. Prints the load average.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ["CACHE_URL"] = "db://bench_page_cache"
sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup  # noqa: F401  (django.setup(), migrate)
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.memcached import PyMemcacheCache
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.test import Client

from reformtracker.env import cache_settings

OPERATIONS = 300


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port}")


def start_servers() -> tuple[list[subprocess.Popen], int, int]:
    memcached = shutil.which("memcached") or "/usr/bin/memcached"
    redis = shutil.which("redis-server") or "/usr/bin/redis-server"
    mc_port, redis_port = _free_port(), _free_port()
    root = ["-u", "root"] if os.geteuid() == 0 else []
    processes = [
        subprocess.Popen(
            [
                *(memcached, "-l", "127.0.0.1", "-p", str(mc_port), "-U", "0"),
                *("-m", "64", "-I", "8m", *root),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [
                redis,
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory",
                "64mb",
                "--maxmemory-policy",
                "allkeys-lru",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    _wait_for(mc_port)
    _wait_for(redis_port)
    return processes, mc_port, redis_port


def caches(mc_port: int, redis_port: int) -> dict:
    memcached = cache_settings(f"memcached://127.0.0.1:{mc_port}")
    redis = cache_settings(f"redis://127.0.0.1:{redis_port}/0")
    return {
        "local memory (each process)": LocMemCache("bench", {"OPTIONS": {"MAX_ENTRIES": 10000}}),
        "memcached (pymemcache)": PyMemcacheCache(memcached["LOCATION"], memcached),
        "Redis (redis-py)": RedisCache(redis["LOCATION"], redis),
        "PostgreSQL (DatabaseCache)": DatabaseCache(
            "bench_page_cache", {"OPTIONS": {"MAX_ENTRIES": 10000}}
        ),
    }


def one_round(cache, pages: dict[str, bytes], serial: int) -> dict[str, float]:
    """Median microseconds per operation for each page: set, hit (2 gets), miss (2 gets + set)."""
    figures = {}
    cache.clear()
    for name, content in pages.items():
        value = (content, {"Content-Type": "text/html; charset=utf-8"}, '"etag"', time.time())
        keys = [f"bench:{serial}:{name}:{i}" for i in range(OPERATIONS)]
        cache.set("publication-fingerprint", "12.34", 60)
        sets, hits, misses = [], [], []
        for key in keys:
            start = time.perf_counter()
            cache.set(key, value, 300)
            sets.append(time.perf_counter() - start)
        for key in keys:
            start = time.perf_counter()
            cache.get("publication-fingerprint")
            assert cache.get(key) is not None
            hits.append(time.perf_counter() - start)
        for key in keys:
            start = time.perf_counter()
            cache.get("publication-fingerprint")
            assert cache.get(key + ":absent") is None
            cache.set(key + ":new", value, 300)
            misses.append(time.perf_counter() - start)
        for label, times in (("set", sets), ("hit", hits), ("miss", misses)):
            figures[f"{name} {label}"] = statistics.median(times) * 1e6
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("run under scripts/with-postgres.sh (the DatabaseCache is PostgreSQL's)")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    call_command("createcachetable", verbosity=0)
    call_command("load_seed", verbosity=0)
    client = Client()
    pages = {
        "dashboard": client.get("/").content,
        "browser": client.get("/initiatives/?plan=osaka-shin-shisei-kaikaku").content,
    }
    print("pages: " + ", ".join(f"{n} {len(c) / 1024:.0f} KiB" for n, c in pages.items()))
    processes, mc_port, redis_port = start_servers()
    try:
        backends = caches(mc_port, redis_port)
        rounds: dict[str, list[dict]] = {name: [] for name in backends}
        for serial in range(args.rounds):
            for name, cache in backends.items():
                rounds[name].append(one_round(cache, pages, serial))
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)
    labels = list(next(iter(rounds.values()))[0])
    print(f"median of {args.rounds} rounds × {OPERATIONS} operations, microseconds per request:")
    print(f"{'':30}" + "".join(f"{label:>17}" for label in labels))
    for name, results in rounds.items():
        medians = [statistics.median(r[label] for r in results) for label in labels]
        print(f"{name:30}" + "".join(f"{m:17.0f}" for m in medians))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
