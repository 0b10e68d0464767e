"""The console's ticket pages: queue with countdowns, ticket page and its actions, supervisor
view, presence, and the polling feed that carries toasts when the socket is down."""

from __future__ import annotations

from django.test import Client

from aftercare.core.actors import Actor
from aftercare.core.testing import PASSWORD, make_member
from aftercare.merchants.models import Member, Merchant, Role
from aftercare.tickets import actions
from aftercare.tickets.models import AgentState, Ticket
from aftercare.tickets.tests.conftest import MakeAgent


def _client(member: Member) -> Client:
    client = Client()
    assert client.login(username=member.user.username, password=PASSWORD)
    return client


def test_queue_shows_countdowns_in_urgency_order(
    desk: Merchant, make_agent: MakeAgent, system_actor: Actor
) -> None:
    agent = make_agent()
    actions.create_ticket(actor=system_actor, subject="Lamp flickers")

    page = _client(agent).get("/tickets/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Lamp flickers" in html and 'class="countdown" data-due=' in html
    assert "tickets/tickets.js" in html


def test_ticket_page_and_an_action_through_htmx(
    desk: Merchant, make_agent: MakeAgent, system_actor: Actor
) -> None:
    agent = make_agent()
    ticket = actions.create_ticket(actor=system_actor, subject="Missing screw")
    client = _client(agent)

    page = client.get(f"/tickets/{ticket.pk}/")
    note = client.post(
        f"/tickets/{ticket.pk}/note/", {"body": "checking stock"}, HTTP_HX_REQUEST="true"
    )
    refused = client.post(
        f"/tickets/{ticket.pk}/close/", {"resolution_code": "bogus"}, HTTP_HX_REQUEST="true"
    )

    assert page.status_code == 200 and "Missing screw" in page.content.decode()
    assert note.status_code == 200 and "checking stock" in note.content.decode()
    assert refused["X-Problem-Status"] == "422"
    assert Ticket.objects.get(pk=ticket.pk).status == "new"


def test_another_merchants_ticket_is_404(
    desk: Merchant, other_agent: Member, system_actor: Actor
) -> None:
    ticket = actions.create_ticket(actor=system_actor, subject="Private")
    client = _client(other_agent)

    assert client.get(f"/tickets/{ticket.pk}/").status_code == 404
    assert client.post(f"/tickets/{ticket.pk}/escalate/", {}).status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).escalated_at is None


def test_supervisor_view_is_for_supervisors(
    desk: Merchant, make_agent: MakeAgent, supervisor: Member
) -> None:
    agent = make_agent(name="zhang")

    assert _client(agent).get("/tickets/supervisor/").status_code == 403
    page = _client(supervisor).get("/tickets/supervisor/")
    assert page.status_code == 200 and "zhang" in page.content.decode()


def test_presence_form_and_open_redirect_guard(desk: Merchant, make_agent: MakeAgent) -> None:
    agent = make_agent()
    response = _client(agent).post(
        "/tickets/presence/", {"presence": "away", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/tickets/"
    assert AgentState.objects.get(member=agent).presence == "away"


def test_feed_marks_an_assignment_for_the_agent(
    desk: Merchant, make_agent: MakeAgent, system_actor: Actor
) -> None:
    agent = make_agent()
    bystander = make_member(desk, Role.AGENT, "bystander")
    client = _client(agent)
    start = client.get("/tickets/feed/").json()

    ticket = actions.create_ticket(actor=system_actor, subject="New one")
    events = client.get(f"/tickets/feed/?after={start['last']}").json()["events"]
    theirs = _client(bystander).get(f"/tickets/feed/?after={start['last']}").json()["events"]

    assert ticket.assignee == agent
    assert [e["kind"] for e in events if e["for_me"]] == ["assigned"]
    assert ticket.number in next(e["message"] for e in events if e["for_me"])
    assert not any(e["for_me"] for e in theirs)


def test_warehouse_opens_the_queue_but_not_the_supervisor_view(desk: Merchant) -> None:
    warehouse = make_member(desk, Role.WAREHOUSE, "wh-console")
    assert _client(warehouse).get("/tickets/").status_code == 200
    assert _client(warehouse).get("/tickets/supervisor/").status_code == 403


def test_queue_speaks_chinese(desk: Merchant, make_agent: MakeAgent) -> None:
    client = _client(make_agent())
    client.cookies["django_language"] = "zh-hant"
    assert "工單佇列" in client.get("/tickets/").content.decode()
    client.cookies["django_language"] = "zh-hans"
    assert "工单队列" in client.get("/tickets/").content.decode()
