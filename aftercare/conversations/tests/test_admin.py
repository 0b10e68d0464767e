"""The admin of mailboxes and numbers: a merchant's admin sees only their own."""

from __future__ import annotations

import pytest
from django.test import Client

from aftercare.conversations.models import ChannelAddress
from aftercare.conversations.states import Channel

pytestmark = pytest.mark.django_db


def test_a_merchant_admin_sees_only_their_mailboxes(admin_member, merchant, other_merchant):
    ChannelAddress.objects.create(
        merchant=merchant, channel=Channel.EMAIL, address="ours@a.example"
    )
    ChannelAddress.objects.create(
        merchant=other_merchant, channel=Channel.EMAIL, address="theirs@b.example"
    )
    client = Client()
    client.force_login(admin_member.user)

    page = client.get("/admin/conversations/channeladdress/").content.decode()

    assert "ours@a.example" in page
    assert "theirs@b.example" not in page
