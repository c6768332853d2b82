"""The users of the load bench (bench/bench_load.py): public readers, department staff saving
entries, and the dashboard alone (the reference the readers' throughput is compared with).

bench_load.py imports this module and drives it as a library. To run it with locust's own
command line instead, let bench_load.py write the targets first:

    .venv/bin/python bench/bench_load.py --url http://127.0.0.1:8080 --write-targets /tmp/t.json
    LOAD_TARGETS=/tmp/t.json locust -f bench/locustfile.py --headless -u 110 -r 20 -t 60s \
        --host http://127.0.0.1:8080 PublicReader DepartmentWriter

The targets file (JSON) names what exists in the database under load: plan slugs with their
pillar orders and ids, initiative codes, department ids and fiscal years, search words, and for
the writers the demo accounts and the entries of their department in the open round.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlencode

from locust import FastHttpUser, between, constant, events, task

VERSION = re.compile(r'name="version" value="(\d+)"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# services.Conflict's message, in the site's default language (Japanese).
CONFLICT_MESSAGE = "ほかの人がこの回答を先に更新しました"
DEMO_PASSWORD = "demo-pass-2025"

TARGETS: dict = {}
# What the writers saw, for bench_load.py to check against the history afterwards.
ACCEPTED: list[dict] = []  # {"entry": id, "version": the version the save made, "narrative": …}
REFUSED: list[dict] = []  # {"entry": id, "version": the stale version sent, "message": bool}
_serial = itertools.count(1)
# Set when the measured window ends: writers start no new save, so none is cut off mid-request.
STOPPING = threading.Event()
# Writers signed in so far: signing in (a deliberately slow password hash) is not measured.
SIGNED_IN: list[str] = []


class _AnyCookiePolicy(DefaultCookiePolicy):
    """Sends the production (Secure) cookies over the topology's plain-HTTP loopback, as a
    browser does over HTTPS to the balancer that terminates TLS."""

    def return_ok_secure(self, cookie, request):
        return True


COOKIE_POLICY = _AnyCookiePolicy()


def load_targets(targets: dict | None = None) -> None:
    """The targets from ``targets`` or from the JSON file named by LOAD_TARGETS."""
    if targets is None:
        with open(os.environ["LOAD_TARGETS"], encoding="utf-8") as f:
            targets = json.load(f)
    TARGETS.clear()
    TARGETS.update(targets)
    ACCEPTED.clear()
    REFUSED.clear()


@events.init.add_listener
def _on_locust_init(environment, **_kwargs):
    if not TARGETS and os.environ.get("LOAD_TARGETS"):
        load_targets()


def _plan() -> dict:
    return random.choice(TARGETS["plans"])


class PublicReader(FastHttpUser):
    """A visitor or a JSON client: public pages, the initiative browser with filters and
    searches, the open-data documents. Requests are named "read: …" so the bench can tell them
    from the writers'."""

    wait_time = constant(0)
    weight = 10

    @task(3)
    def home(self):
        self.client.get("/", name="read: home")

    @task(3)
    def plan_page(self):
        self.client.get(f"/plans/{_plan()['slug']}/", name="read: plan page")

    @task(2)
    def pillar_page(self):
        plan = _plan()
        order = random.choice(plan["pillar_orders"])
        self.client.get(f"/plans/{plan['slug']}/pillars/{order}/", name="read: pillar page")

    @task(3)
    def initiative_page(self):
        plan = _plan()
        code = random.choice(plan["codes"])
        self.client.get(f"/plans/{plan['slug']}/initiatives/{code}/", name="read: initiative")

    @task(5)
    def browser(self):
        """/initiatives/ with one to three of its filters (browse.BrowseFilters) and sometimes
        a search word, so most requests miss the page cache as real searches do."""
        plan = _plan()
        choices = {
            "plan": lambda: plan["slug"],
            "pillar": lambda: random.choice(plan["pillar_ids"]),
            "department": lambda: random.choice(plan["department_ids"]),
            "fy": lambda: random.choice(plan["fiscal_years"]),
            "result": lambda: random.choice(["achieved", "not_achieved", "excluded", "none"]),
            "level": lambda: random.choice(["A", "BC"]),
            "q": lambda: random.choice(TARGETS["search_words"]),
        }
        names = random.sample(sorted(choices), random.randint(0, 3))
        params = {name: choices[name]() for name in names}
        if random.random() < 0.2:
            params["page"] = 2
        query = f"?{urlencode(params)}" if params else ""
        self.client.get(f"/initiatives/{query}", name="read: initiative browser")

    @task(4)
    def open_data(self):
        plan = _plan()
        path = random.choice(
            [
                "/open-data/home.json",
                "/open-data/plans.json",
                f"/open-data/plans/{plan['slug']}.json",
                f"/open-data/plans/{plan['slug']}/pillars/{random.choice(plan['pillar_orders'])}.json",
                f"/open-data/plans/{plan['slug']}/initiatives/{random.choice(plan['codes'])}.json",
                f"/open-data/initiatives.json?{urlencode({'plan': plan['slug']})}",
            ]
        )
        self.client.get(path, name="read: open data")


class DepartmentWriter(FastHttpUser):
    """Department staff (a demo account) who opens one of a few entries of their department,
    thinks, and saves it by htmx with the version the page handed them. Several writers share
    each entry, so some saves carry a version somebody else has moved past: those must be
    refused with the conflict message (409) and never overwrite the other save."""

    wait_time = between(0.2, 1.0)
    weight = 1
    _accounts = itertools.count()

    def on_start(self):
        writers = TARGETS["writers"]
        self.account = writers[next(self._accounts) % len(writers)]
        self.client.cookiejar.set_policy(COOKIE_POLICY)
        response = self.client.get("/accounts/login/", name="write: sign in")
        token = CSRF_INPUT.search(response.text)[1]
        self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token,
                "username": self.account["username"],
                "password": DEMO_PASSWORD,
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="write: sign in",
        )
        SIGNED_IN.append(self.account["username"])

    def _csrf(self) -> str:
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value
        raise RuntimeError("no CSRF cookie after signing in")

    @task
    def save_entry(self):
        if STOPPING.is_set():
            time.sleep(0.5)
            return
        entry = random.choice(self.account["entries"])
        url = f"/staff/entries/{entry}/"
        with self.client.get(url, name="write: open entry", catch_response=True) as page:
            found = VERSION.search(page.text or "")
            if page.status_code != 200 or found is None:
                page.failure(f"status {page.status_code}, no version in the page")
                return
        version = int(found[1])
        # The time it takes to type: others may save the same entry meanwhile.
        time.sleep(random.uniform(0.1, 0.6))
        for _attempt in range(3):
            narrative = f"負荷試験の更新 {self.account['username']} #{next(_serial)}"
            with self.client.post(
                url,
                data={
                    "result": "achieved",
                    "reason": "",
                    "narrative": narrative,
                    "staff_comment": "",
                    "version": version,
                },
                headers={
                    "HX-Request": "true",
                    "HX-Target": "entry-panel",
                    "X-CSRFToken": self._csrf(),
                    "Referer": f"{self.host}{url}",
                },
                name="write: status update",
                catch_response=True,
            ) as response:
                found = VERSION.search(response.text or "")
                if response.status_code == 200 and found is not None:
                    saved = int(found[1])
                    ACCEPTED.append({"entry": entry, "version": saved, "narrative": narrative})
                    response.success()
                    return
                if response.status_code == 409:
                    # A refusal is the expected outcome of a collision, not a failure, if it
                    # says why; the form comes back with the current version to save again.
                    said_so = CONFLICT_MESSAGE in response.text and found is not None
                    REFUSED.append({"entry": entry, "version": version, "message": said_so})
                    if not said_so:
                        response.failure("409 without the conflict message and the version")
                        return
                    response.success()
                    version = int(found[1])
                    continue
                response.failure(f"status {response.status_code}")
                return


class DashboardReader(FastHttpUser):
    """The cached dashboard alone: the reference for the readers' throughput."""

    wait_time = constant(0)

    @task
    def dashboard(self):
        self.client.get("/", name="dashboard alone")
