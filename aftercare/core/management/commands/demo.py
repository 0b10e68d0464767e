"""`aftercare demo` (what `make demo` runs): a working Aftercare on one port in one command.

Migrates, seeds the demo merchant the first time (later runs reuse it), makes sure the demo
team can log in, prints their logins, then serves the web app and API with uvicorn in the
foreground and the task worker in a child process until Ctrl-C or SIGTERM.

The demo passwords below are fixed and public on purpose: they are for a local trial only.
Never expose a demo database to a network you do not control.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from aftercare.commerce.management.commands.seed_demo import describe
from aftercare.commerce.models import Order
from aftercare.commerce.seeding import SeedRefused, seed_demo_store
from aftercare.core.management.commands.serve import run_server
from aftercare.merchants.actions import add_member
from aftercare.merchants.models import Member, Merchant, Role

DEMO_SLUG = "demo"
DEMO_NAME = "Demo"
DEMO_PASSWORD = "aftercare-demo"  # demo-only, printed on every start
WORKER_STOP_SECONDS = 15


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    display_name: str
    password: str = DEMO_PASSWORD


DEMO_TEAM = (
    DemoLogin("admin", Role.ADMIN, "Ada Admin 管理员"),
    DemoLogin("supervisor", Role.SUPERVISOR, "王主管"),
    DemoLogin("agent1", Role.AGENT, "李客服"),
    DemoLogin("agent2", Role.AGENT, "Chris Agent"),
    DemoLogin("warehouse", Role.WAREHOUSE, "张仓管"),
    DemoLogin("finance", Role.FINANCE, "陈财务"),
)


class Command(BaseCommand):
    help = (
        "Run the demo: migrate, seed the demo store once, print the demo logins and serve "
        "web, API and worker on one port until Ctrl-C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--orders", type=int, default=2000, help="Orders to seed the first time."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed of the demo data.")
        parser.add_argument("--host", default="127.0.0.1", help="Address to bind.")
        parser.add_argument("--port", type=int, default=None, help="Port (default: PORT, 8000).")

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"] or settings.PORT
        self._say("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        merchant = self._demo_merchant(options["orders"], options["seed"])
        self._ensure_team(merchant)
        self._ensure_configuration(merchant)
        self._print_logins(options["host"], port)
        worker = self._start_worker()
        try:
            run_server(host=options["host"], port=port)
        finally:
            self._stop_worker(worker)

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()  # a pipe would otherwise hold the logins back until exit

    def _demo_merchant(self, orders: int, seed: int) -> Merchant:
        merchant = Merchant.objects.filter(slug=DEMO_SLUG).first()
        existing = Order.objects.filter(merchant=merchant).count() if merchant else 0
        if merchant is not None and existing:
            self._say(f"Reusing the demo merchant {merchant.name!r} ({existing:,} orders).")
            return merchant
        self._say(f"Seeding the demo store ({orders:,} orders)…")
        try:
            summary = seed_demo_store(
                orders=orders, seed=seed, merchant_slug=DEMO_SLUG, merchant_name=DEMO_NAME
            )
        except SeedRefused as error:  # customers but no orders: not a store we made
            raise CommandError(str(error)) from None
        self._say(describe(summary))
        return summary.merchant

    def _ensure_configuration(self, merchant: Merchant) -> None:
        """A return policy and the FAQ, so cases and the assistant work out of the box.

        Only installs what is missing: a policy or FAQ wording the user edited is kept.
        """
        from aftercare.assistant.actions import install_default_faq
        from aftercare.core.actors import Actor
        from aftercare.policies.actions import install_preset
        from aftercare.policies.models import ReturnPolicy

        actor = Actor.system(merchant, label="demo")
        if not ReturnPolicy.objects.filter(merchant=merchant).exists():
            install_preset(actor=actor, name="china_7day")
            self._say("Installed the China 7-day no-reason return policy.")
        install_default_faq(actor=actor)
        self._ensure_desk(merchant)

    def _ensure_desk(self, merchant: Merchant) -> None:
        """Skill groups, routing rules, SLA targets, business hours and canned replies, and
        the demo team online in their groups, so new tickets are routed at once (all only add
        what is missing)."""
        from aftercare.conversations.canned_defaults import install_default_canned
        from aftercare.tickets.defaults import enrol_agents, install_defaults

        install_defaults(merchant)
        install_default_canned(merchant)
        enrol_agents(merchant)

    def _ensure_team(self, merchant: Merchant) -> None:
        """Create missing demo users; put back the demo password if someone changed it."""
        users = get_user_model().objects
        for login in DEMO_TEAM:
            user = users.filter(username=login.username).first()
            if user is None:
                add_member(
                    merchant=merchant,
                    username=login.username,
                    password=login.password,
                    role=login.role,
                    display_name=login.display_name,
                )
                continue
            if not Member.objects.filter(user=user, merchant=merchant).exists():
                self.stderr.write(
                    f"User {login.username!r} exists but is not on the demo team; skipped."
                )
                continue
            if not user.check_password(login.password):
                user.set_password(login.password)
                user.save(update_fields=["password"])

    def _print_logins(self, host: str, port: int) -> None:
        shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
        base = f"http://{shown}:{port}"
        width = max(len(login.username) for login in DEMO_TEAM)
        lines = [
            "",
            "=" * 64,
            f"Aftercare demo: open {base}/",
            f"API docs: {base}/api/v1/docs   Django admin: {base}/admin/",
            f"Customer portal: {base}/portal/{DEMO_SLUG}/ (an order number and its phone)",
            "Demo logins (demo-only passwords; do not expose this server):",
            *(
                f"  {login.username:<{width}}  password: {login.password}  role: {login.role}"
                for login in DEMO_TEAM
            ),
            "Press Ctrl-C to stop.",
            "=" * 64,
            "",
        ]
        self._say("\n".join(lines))

    def _start_worker(self) -> subprocess.Popen[bytes]:
        # A child process rather than a thread: the workers install their own signal
        # handlers, which Python only allows in a main thread.
        worker = subprocess.Popen(
            [sys.executable, "-m", "aftercare", "worker"], env=os.environ.copy()
        )
        self._say(f"Task worker started (pid {worker.pid}).")
        return worker

    def _stop_worker(self, worker: subprocess.Popen[bytes]) -> None:
        if worker.poll() is None:
            worker.terminate()  # both workers finish the task in hand on SIGTERM
            try:
                worker.wait(timeout=WORKER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        self._say(f"Task worker stopped (pid {worker.pid}).")
