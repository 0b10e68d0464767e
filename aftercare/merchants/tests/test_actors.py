"""Who is acting: a signed-in user becomes an Actor of the one merchant they belong to."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from aftercare.merchants.models import Role
from aftercare.merchants.queries import actor_for_user


def test_member_becomes_an_actor_of_their_merchant_with_their_role(merchant, supervisor) -> None:
    actor = actor_for_user(supervisor.user)

    assert actor is not None
    assert actor.merchant == merchant and actor.merchant_id == merchant.pk
    assert actor.role == Role.SUPERVISOR
    assert actor.user_id == supervisor.user.pk
    assert actor.label == "supervisor"
    assert actor.can("commerce.write") and actor.api_key is None


def test_personas_of_two_merchants_are_kept_apart(agent, other_agent) -> None:
    mine, theirs = actor_for_user(agent.user), actor_for_user(other_agent.user)
    assert mine is not None and theirs is not None
    assert mine.merchant_id != theirs.merchant_id


def test_user_without_membership_and_anonymous_have_no_actor(db, django_user_model) -> None:
    loner = django_user_model.objects.create_user("loner", password="x" * 12)
    assert actor_for_user(loner) is None
    assert actor_for_user(AnonymousUser()) is None
    assert actor_for_user(None) is None
