"""Case actions inline in the conversation view: the customer's open cases with their status,
stage deadline and the buttons of that status, posting to the case page's own endpoints and
coming back to the conversation (refusals as messages, never a 500)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from aftercare.conversations.actions import Incoming, receive_message
from aftercare.conversations.models import Conversation
from aftercare.conversations.states import Channel
from aftercare.core.actors import Actor
from aftercare.core.testing import PASSWORD
from aftercare.merchants.models import Member, Merchant, Store
from aftercare.policies.tests.factories import delivered_order
from aftercare.returns.models import Case
from aftercare.returns.tests.helpers import install_policy, open_case, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(merchant: Merchant, store: Store) -> Case:
    install_policy(merchant, "custom")  # an agent reviews every request
    order, lines = delivered_order(merchant, store)
    return open_case(Actor.system(merchant), order, lines[:1])


def _chat(merchant: Merchant, body: str, customer=None) -> Conversation:  # type: ignore[no-untyped-def]
    message, _ = receive_message(
        merchant=merchant,
        incoming=Incoming(
            channel=Channel.WEB_CHAT, contact="visitor-x", body=body, customer=customer
        ),
    )
    return message.conversation


@pytest.fixture
def conversation(merchant: Merchant, case: Case) -> Conversation:
    return _chat(merchant, "Any news on my return?", customer=case.customer)


def _signed_in(member: Member) -> Client:
    client = Client()
    assert client.login(username=member.user.username, password=PASSWORD)
    return client


def test_the_conversation_shows_the_open_case_with_its_buttons(
    agent: Member, case: Case, conversation: Conversation
) -> None:
    page = _signed_in(agent).get(f"/desk/c/{conversation.pk}/").content.decode()

    card = page[page.index('id="conversation-cases"') :]
    assert f'id="case-card-{case.pk}"' in card
    assert case.number in card and "Under review" in card
    assert case.review_due_at is not None
    due = case.review_due_at.astimezone(ZoneInfo(case.merchant.timezone))
    assert f"due {due:%Y-%m-%d %H:%M}" in card
    assert f'action="/cases/{case.pk}/approve/"' in card
    assert f'action="/cases/{case.pk}/reject/"' in card
    assert f'name="next" value="/desk/c/{conversation.pk}/"' in card
    assert "Mark received" not in card  # not a step of this status


def test_approving_over_htmx_swaps_the_card_with_the_new_status(
    agent: Member, case: Case, conversation: Conversation
) -> None:
    response = _signed_in(agent).post(
        f"/cases/{case.pk}/approve/",
        {"next": f"/desk/c/{conversation.pk}/", "panel": "card"},
        HTTP_HX_REQUEST="true",
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("<article") and f'id="case-card-{case.pk}"' in body
    assert "Awaiting return shipment" in body
    assert Case.objects.get(pk=case.pk).status == "awaiting_return_shipment"


def test_approving_without_htmx_returns_to_the_conversation(
    agent: Member, case: Case, conversation: Conversation
) -> None:
    desk = _signed_in(agent)
    url = f"/desk/c/{conversation.pk}/"

    response = desk.post(f"/cases/{case.pk}/approve/", {"next": url, "panel": "card"})
    page = desk.get(url).content.decode()

    assert response.status_code == 302 and response["Location"] == url
    assert "Awaiting return shipment" in page[page.index('id="conversation-cases"') :]


def test_an_illegal_transition_is_a_message_on_the_card(
    agent: Member, case: Case, conversation: Conversation
) -> None:
    desk = _signed_in(agent)
    url = f"/desk/c/{conversation.pk}/"
    desk.post(f"/cases/{case.pk}/approve/", {"next": url})
    before = snapshot()

    over_htmx = desk.post(
        f"/cases/{case.pk}/approve/", {"next": url, "panel": "card"}, HTTP_HX_REQUEST="true"
    )
    plain = desk.post(f"/cases/{case.pk}/reject/", {"next": url, "reason": "late"})
    page = desk.get(url).content.decode()

    assert over_htmx.status_code == 200 and over_htmx["X-Problem-Status"] == "409"
    assert "That step is not possible any more" in over_htmx.content.decode()
    assert plain.status_code == 302 and plain["Location"] == url
    assert "That step is not possible any more" in page
    assert snapshot() == before
    # The message is shown once, not on every later visit.
    assert "That step is not possible any more" not in desk.get(url).content.decode()


def test_a_step_beyond_the_agents_role_is_not_offered_and_refused_as_a_message(
    agent: Member, case: Case, conversation: Conversation, supervisor: Member
) -> None:
    _signed_in(supervisor).post(f"/cases/{case.pk}/approve/")
    desk = _signed_in(agent)
    url = f"/desk/c/{conversation.pk}/"
    agents_page = desk.get(url).content.decode()
    supervisors_page = _signed_in(supervisor).get(url).content.decode()
    before = snapshot()

    # Receiving parcels is the warehouse's permission: no button, and a forged post says no.
    refused = desk.post(
        f"/cases/{case.pk}/receive/", {"next": url, "panel": "card"}, HTTP_HX_REQUEST="true"
    )

    assert "Mark received" not in agents_page and "Nothing to do here now." in agents_page
    assert "Mark received" in supervisors_page
    assert refused["X-Problem-Status"] == "403"
    assert "You are not allowed to do that." in refused.content.decode()
    assert snapshot() == before


def test_another_merchants_agent_sees_neither_the_conversation_nor_the_case(
    other_agent: Member, case: Case, conversation: Conversation
) -> None:
    desk = _signed_in(other_agent)

    assert desk.get(f"/desk/c/{conversation.pk}/").status_code == 404
    posted = desk.post(f"/cases/{case.pk}/approve/", {"next": f"/desk/c/{conversation.pk}/"})
    assert posted.status_code == 404
    assert Case.objects.get(pk=case.pk).status == "under_review"


def test_next_may_only_point_into_this_site(agent: Member, case: Case) -> None:
    response = _signed_in(agent).post(
        f"/cases/{case.pk}/approve/", {"next": "https://evil.example/phish"}
    )

    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"


def test_a_case_named_in_the_text_shows_even_from_an_unknown_sender(
    agent: Member, merchant: Merchant, case: Case
) -> None:
    conversation = _chat(merchant, f"Hello, about {case.number} please")

    page = _signed_in(agent).get(f"/desk/c/{conversation.pk}/").content.decode()

    assert f'id="case-card-{case.pk}"' in page


def test_finished_cases_have_no_card(
    supervisor: Member, case: Case, conversation: Conversation
) -> None:
    desk = _signed_in(supervisor)
    desk.post(f"/cases/{case.pk}/reject/", {"reason": "worn"})

    page = desk.get(f"/desk/c/{conversation.pk}/").content.decode()

    assert f'id="case-card-{case.pk}"' not in page
    assert "No open cases." in page
