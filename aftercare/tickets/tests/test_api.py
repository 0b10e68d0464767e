"""The tickets API end to end through the real router, with API keys and sessions."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftercare.core.testing import PASSWORD, ApiCaller, api_caller, make_member
from aftercare.merchants.models import Member, Merchant, Role
from aftercare.tickets.models import FollowUp, Ticket, TicketNote
from aftercare.tickets.tests.conftest import MakeAgent, make_case

URL = "/api/v1/tickets"


def _session(member: Member) -> Client:
    client = Client()
    assert client.login(username=member.user.username, password=PASSWORD)
    return client


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def test_create_then_read_with_clocks_beside_the_case_clock(
    desk: Merchant, make_agent: MakeAgent, api: ApiCaller
) -> None:
    case = make_case(desk)
    make_agent(("refunds",))

    created = api.post(URL, {"subject": "Refund late", "case_id": case.pk, "type": "refund"})

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["group"]["code"] == "refunds" and body["assignee"] is not None
    assert {c["kind"] for c in body["clocks"]} == {"first_response", "resolution"}
    assert body["case_clock"]["case_id"] == case.pk
    assert body["timeline"][0]["kind"] == "created"
    again = api.get(f"{URL}/{body['id']}").json()
    assert again["number"] == body["number"]


def test_bad_input_is_problem_json_and_changes_nothing(desk: Merchant, api: ApiCaller) -> None:
    before = Ticket.objects.count()

    missing = api.post(URL, {"subject": "x", "customer_id": 999999})
    blank = api.post(URL, {"subject": "   "})
    wrong_type = api.post(URL, {"subject": "x", "type": "nonsense"})

    assert missing.status_code == 404 and missing["Content-Type"] == "application/problem+json"
    assert blank.status_code == 422 and blank.json()["code"] == "validation_failed"
    assert wrong_type.status_code == 422
    assert Ticket.objects.count() == before


def test_filters_mine_unassigned_overdue(desk: Merchant, make_agent: MakeAgent) -> None:
    agent = make_agent(capacity=1)
    client = _session(agent)
    mine = _post(client, URL, {"subject": "Mine"}).json()
    waiting = _post(client, URL, {"subject": "Nobody's"}).json()

    def ids(query: str) -> list[int]:
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200, response.content
        return [t["id"] for t in response.json()["items"]]

    assert ids("mine=true") == [mine["id"]]
    assert ids("unassigned=true") == [waiting["id"]]
    assert ids("overdue=true") == []
    Ticket.objects.filter(pk=waiting["id"]).update(next_due_at=timezone.now() - timedelta(1))
    assert ids("overdue=true") == [waiting["id"]]
    assert ids("priority=1") == []


def test_list_runs_a_constant_number_of_queries(desk: Merchant, api: ApiCaller) -> None:
    for i in range(3):
        api.post(URL, {"subject": f"T{i}"})
    with CaptureQueriesContext(connection) as few:
        api.get(URL)
    for i in range(10):
        api.post(URL, {"subject": f"U{i}"})
    with CaptureQueriesContext(connection) as many:
        api.get(URL)
    assert len(many) == len(few)


def test_note_with_mention_follow_up_and_close(
    desk: Merchant, make_agent: MakeAgent, django_capture_on_commit_callbacks: Any
) -> None:
    agent = make_agent(name="li.na")
    finance = make_member(desk, Role.FINANCE, "cash.desk")
    client = _session(agent)
    ticket = _post(client, URL, {"subject": "Refund not received"}).json()
    path = f"{URL}/{ticket['id']}"

    note = _post(client, f"{path}/notes", {"body": "@cash.desk can you check the payout?"})
    due = (timezone.now() + timedelta(hours=4)).isoformat()
    task = _post(
        client, f"{path}/follow-ups", {"member_id": finance.pk, "text": "Check", "due_at": due}
    )
    closed = _post(client, f"{path}/close", {"resolution_code": "refunded"})

    assert note.status_code == 201 and note.json()["mentions"] == [finance.pk]
    assert task.status_code == 201
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert TicketNote.objects.filter(ticket_id=ticket["id"]).count() == 1
    assert FollowUp.objects.filter(ticket_id=ticket["id"]).count() == 1
    done = _post(client, f"{URL}/follow-ups/{task.json()['id']}/done", {})
    assert done.json()["done_at"] is not None


def test_warehouse_and_finance_may_read_but_not_write(desk: Merchant, api: ApiCaller) -> None:
    warehouse = make_member(desk, Role.WAREHOUSE, "wh")
    finance = make_member(desk, Role.FINANCE, "fin")
    ticket = api.post(URL, {"subject": "x"}).json()

    for member in (warehouse, finance):  # tickets are assigned to them (S5): they read them
        assert _session(member).get(URL).status_code == 200
        refused = _post(_session(member), f"{URL}/{ticket['id']}/escalate", {})
        assert refused.status_code == 403


def test_supervisor_reassigns_with_ownership_an_agent_may_not(
    desk: Merchant, make_agent: MakeAgent, supervisor: Member
) -> None:
    first, second = make_agent(name="first"), make_agent(name="second")
    client = _session(first)
    ticket = _post(client, URL, {"subject": "x"}).json()
    assert ticket["owner"]["id"] == first.pk
    other = second if ticket["assignee"]["id"] == first.pk else first

    refused = _post(client, f"{URL}/{ticket['id']}/reassign", {"member_id": other.pk})
    done = _post(_session(supervisor), f"{URL}/{ticket['id']}/reassign", {"member_id": other.pk})

    assert refused.status_code == 403
    assert done.status_code == 200, done.content
    assert done.json()["owner"]["id"] == other.pk


def test_status_waiting_pauses_and_presence_endpoint(desk: Merchant, make_agent: MakeAgent) -> None:
    agent = make_agent()
    client = _session(agent)
    ticket = _post(client, URL, {"subject": "Size?"}).json()

    waiting = _post(client, f"{URL}/{ticket['id']}/status", {"status": "waiting_customer"})
    closing = _post(client, f"{URL}/{ticket['id']}/status", {"status": "closed"})
    away = _post(client, f"{URL}/presence", {"presence": "away"})
    others = _post(client, f"{URL}/presence", {"presence": "away", "capacity": 50})

    assert all(c["paused"] for c in waiting.json()["clocks"])
    assert closing.status_code == 422  # closing needs a resolution code: /close
    assert away.status_code == 200 and away.json()["presence"] == "away"
    assert others.status_code == 403
    agents = client.get(f"{URL}/agents").json()
    assert [a["presence"] for a in agents] == ["away"]


def test_api_key_needs_member_for_presence(desk: Merchant) -> None:
    key = api_caller(desk)
    response = key.post(f"{URL}/presence", {"presence": "online"})
    assert response.status_code == 422


def test_detail_runs_a_constant_number_of_queries(
    desk: Merchant, make_agent: MakeAgent, api: ApiCaller
) -> None:
    from aftercare.core.actors import Actor
    from aftercare.tickets.collaboration import add_follow_up, add_note

    make_agent()
    case = make_case(desk)
    ticket_id = api.post(URL, {"subject": "Count me", "case_id": case.pk}).json()["id"]
    ticket = Ticket.objects.get(pk=ticket_id)
    with CaptureQueriesContext(connection) as few:
        api.get(f"{URL}/{ticket_id}")
    actor = Actor.system(desk)
    for i in range(5):
        add_note(actor=actor, ticket=ticket, body=f"note {i}")
        add_follow_up(
            actor=actor,
            ticket=ticket,
            member_id=make_member(desk, Role.FINANCE, f"fin{i}").pk,
            text=f"task {i}",
            due_at=timezone.now() + timedelta(hours=1),
        )
    with CaptureQueriesContext(connection) as many:
        api.get(f"{URL}/{ticket_id}")
    assert len(many) == len(few)
