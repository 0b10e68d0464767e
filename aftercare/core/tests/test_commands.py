"""The process commands: `worker` runs queued tasks, `serve` answers HTTP, `demo` does both
and keeps its data between runs."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import global_settings
from django.conf import settings as django_settings
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus

from aftercare.core.management.commands.demo import DEMO_PASSWORD, DEMO_TEAM
from aftercare.core.tests.worker_probe import write_marker

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
START_SECONDS = 90


def test_worker_runs_a_queued_task_from_the_database(
    transactional_db: None, settings: Any, tmp_path: Path
) -> None:
    settings.TASKS = DB_TASKS
    marker = tmp_path / "ran.txt"
    result = write_marker.enqueue(str(marker), "from the database queue")

    call_command("worker", "--batch", verbosity=0)

    assert marker.read_text(encoding="utf-8") == "from the database queue"
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="needs REDIS_URL (RQ backend)")
def test_worker_runs_queued_and_due_scheduled_tasks_with_rq(tmp_path: Path) -> None:
    import django_rq

    django_rq.get_queue("default").empty()
    now_marker, later_marker = tmp_path / "now.txt", tmp_path / "later.txt"
    write_marker.enqueue(str(now_marker), "queued")
    due = timezone.now() + timedelta(seconds=1)
    write_marker.using(run_after=due).enqueue(str(later_marker), "scheduled")
    time.sleep(1.5)  # the scheduled one is due now; only a worker with the scheduler runs it

    call_command("worker", "--batch", verbosity=0)

    assert now_marker.read_text(encoding="utf-8") == "queued"
    assert later_marker.read_text(encoding="utf-8") == "scheduled"


# --- Processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sqlite_env(data_dir: Path) -> dict[str, str]:
    """A child's environment on its own SQLite database, whatever this test run uses."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the real settings, as `aftercare` uses them
    env.update(AFTERCARE_DATA_DIR=str(data_dir), DEBUG="1", PYTHONUNBUFFERED="1")
    return env


class Child:
    """A running `aftercare ...` process whose output is collected as it arrives."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aftercare", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    @property
    def text(self) -> str:
        return "".join(self.output)

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"{what} did not happen; output:\n{self.text}")

    def stop(self, signum: int) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


@pytest.fixture
def children() -> Iterator[list[Child]]:
    started: list[Child] = []
    yield started
    for child in started:
        if child.process.poll() is None:
            child.process.kill()
            child.process.wait()


def answers(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    return check


def test_serve_answers_http_and_serves_static_files(tmp_path: Path, children: list[Child]) -> None:
    port = free_port()
    server = Child(["serve", "--port", str(port)], sqlite_env(tmp_path))
    children.append(server)

    server.wait_until(answers(f"http://127.0.0.1:{port}/static/admin/css/base.css"), "serving")

    assert server.stop(signal.SIGTERM) == 0


def demo_run(data_dir: Path, children: list[Child]) -> Child:
    port = free_port()
    demo = Child(["demo", "--orders", "120", "--port", str(port)], sqlite_env(data_dir))
    children.append(demo)
    demo.wait_until(lambda: "Press Ctrl-C to stop." in demo.text, "printing the logins")
    demo.wait_until(answers(f"http://127.0.0.1:{port}/static/admin/css/base.css"), "serving")
    demo.wait_until(lambda: "Task worker started" in demo.text, "starting the worker")
    return demo


def worker_pid(output: str) -> int:
    line = next(line for line in output.splitlines() if "Task worker started (pid" in line)
    return int(line.split("pid ")[1].rstrip(").\n"))


def rows(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "aftercare.sqlite3") as db:
        return db.execute(sql).fetchall()


def test_demo_seeds_prints_logins_serves_and_reuses_its_data(
    tmp_path: Path, children: list[Child], settings: Any
) -> None:
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the demo's real hashes
    first = demo_run(tmp_path, children)

    assert "120 orders" in first.text
    assert "/portal/demo/" in first.text
    for login in DEMO_TEAM:
        assert f"{login.username}" in first.text and f"role: {login.role}" in first.text
    assert first.stop(signal.SIGINT) == 0
    with pytest.raises(ProcessLookupError):
        os.kill(worker_pid(first.text), 0)  # the worker went down with the demo
    hashes = dict(rows(tmp_path, "SELECT username, password FROM auth_user"))
    assert all(check_password(DEMO_PASSWORD, hashes[login.username]) for login in DEMO_TEAM)
    orders = rows(tmp_path, "SELECT COUNT(*) FROM commerce_order")
    assert "Installed the China 7-day no-reason return policy." in first.text
    assert rows(tmp_path, "SELECT COUNT(*) FROM policies_policyversion") == [(1,)]
    faq = rows(tmp_path, "SELECT COUNT(*) FROM assistant_faqentry")
    groups = rows(tmp_path, "SELECT COUNT(*) FROM tickets_skillgroup")
    online = rows(tmp_path, "SELECT COUNT(*) FROM tickets_agentstate WHERE presence = 'online'")
    assert groups != [(0,)] and online != [(0,)]  # the desk routes tickets from the start

    second = demo_run(tmp_path, children)

    assert "Reusing the demo merchant 'Demo' (120 orders)" in second.text
    assert "Seeding" not in second.text
    assert rows(tmp_path, "SELECT COUNT(*) FROM commerce_order") == orders
    assert "Installed" not in second.text  # the policy is kept, not installed again
    assert rows(tmp_path, "SELECT COUNT(*) FROM policies_policyversion") == [(1,)]
    assert rows(tmp_path, "SELECT COUNT(*) FROM assistant_faqentry") == faq != [(0,)]
    assert rows(tmp_path, "SELECT COUNT(*) FROM tickets_skillgroup") == groups
    assert second.stop(signal.SIGTERM) == 0
