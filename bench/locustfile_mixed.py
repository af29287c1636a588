"""The Locust users of bench/load_test.py (not a benchmark on its own: load_test.py runs Locust on it).

Each user is one tenant's editor and the public at once, picking per task: 95 % resolve (GET
resolve/?host= on a random published host), 4 % editing (PATCH versions/{draft}/ merging one spacing
into the draft's tokens, with If-Match), 1 % publish (GET themes/{id}/ for the theme's version,
POST versions/{draft}/publish/, then POST themes/{id}/versions/ copying the draft for the next
edits). Users take the tenants of the plan (LOAD_TEST_PLAN, a JSON file load_test.py writes) in
turn, so no two users edit one draft; their drafts are written back to the plan when Locust quits. No waiting between tasks: the users keep the server busy.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import threading

from locust import FastHttpUser, constant, events, task

PLAN_PATH = os.environ["LOAD_TEST_PLAN"]
with open(PLAN_PATH) as plan_file:
    PLAN = json.load(plan_file)
_slots = itertools.count()
_slots_lock = threading.Lock()


class MixedTrafficUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        with _slots_lock:
            self.editor = PLAN["editors"][next(_slots) % len(PLAN["editors"])]
        self.auth = {"Authorization": f"Bearer {self.editor['secret']}"}
        self.rng = random.Random()
        self.hosts = PLAN["hosts"]

    @task(95)
    def resolve(self) -> None:
        host = self.rng.choice(self.hosts)
        self.client.get(f"/api/v1/resolve/?host={host}", name="resolve")

    @task(4)
    def edit(self) -> None:
        editor = self.editor
        spacing = f"{self.rng.randint(9, 23)}px"  # between sm (8px) and lg (24px); no contrast rule checks it
        with self.client.patch(f"/api/v1/versions/{editor['draft_id']}/", name="edit",
                               data=json.dumps({"tokens": {"spacing": {"md": spacing}}}),
                               headers={**self.auth, "Content-Type": "application/merge-patch+json",
                                        "If-Match": f'"{editor["draft_version"]}"'},
                               catch_response=True) as response:
            if response.status_code == 200:
                editor["draft_version"] = response.json()["version"]
                response.success()
            else:
                response.failure(f"{response.status_code} {_code(response)}")

    @task(1)
    def publish(self) -> None:
        editor = self.editor
        theme = self.client.get(f"/api/v1/themes/{editor['theme_id']}/", name="publish: read theme",
                                headers=self.auth)
        if theme.status_code != 200:
            return
        with self.client.post(f"/api/v1/versions/{editor['draft_id']}/publish/", name="publish",
                              data=json.dumps({"version": theme.json()["version"]}),
                              headers={**self.auth, "Content-Type": "application/json"},
                              catch_response=True) as response:
            if response.status_code == 202:
                response.success()
            else:
                response.failure(f"{response.status_code} {_code(response)}")
                return
        # The published version is history now: the next edits go to a copy of it.
        copy = self.client.post(f"/api/v1/themes/{editor['theme_id']}/versions/", name="publish: new draft",
                                data=json.dumps({"from_version_id": editor["draft_id"]}),
                                headers={**self.auth, "Content-Type": "application/json"})
        if copy.status_code == 201:
            editor["draft_id"], editor["draft_version"] = copy.json()["id"], copy.json()["version"]


@events.quitting.add_listener
def _keep_drafts(**_kwargs) -> None:
    """The editors' drafts moved on (published ones are history): the next run starts from these."""
    with open(PLAN_PATH, "w") as plan_file:
        json.dump(PLAN, plan_file)


def _code(response) -> str:
    """The problem's code and its first error's path and code, for the error summary."""
    try:
        problem = response.json()
    except (ValueError, AttributeError):
        return ""
    first = (problem.get("errors") or [{}])[0]
    return " ".join(str(part) for part in (problem.get("code", ""), first.get("path", ""), first.get("code", "")) if part)
