"""The desk's pages (included by aftercare/urls.py at /desk/), the web-chat widget's endpoints
and the SMS webhooks."""

from django.urls import URLPattern, URLResolver, path

from aftercare.conversations import views, views_public

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.inbox, name="inbox"),
    path("customer/", views.customer_panel, name="customer_360"),
    path("c/<int:conversation_id>/", views.conversation_page, name="conversation"),
    path(
        "c/<int:conversation_id>/messages/",
        views.conversation_messages,
        name="conversation_messages",
    ),
    path("c/<int:conversation_id>/reply/", views.reply, name="conversation_reply"),
    path("c/<int:conversation_id>/note/", views.note, name="conversation_note"),
    path("c/<int:conversation_id>/status/", views.set_status, name="conversation_status"),
    path("c/<int:conversation_id>/take/", views.take, name="conversation_take"),
    path("c/<int:conversation_id>/typing/", views.typing, name="conversation_typing"),
    # Web chat (token-authenticated, see chat.py).
    path("chat/session/<slug:merchant_slug>/", views_public.chat_session, name="chat_session"),
    path(
        "chat/portal-session/<slug:merchant_slug>/",
        views_public.portal_chat_session,
        name="chat_portal_session",
    ),
    path("chat/messages/", views_public.chat_messages, name="chat_messages"),
    path("chat/read/", views_public.chat_read, name="chat_read"),
    path("chat/typing/", views_public.chat_typing, name="chat_typing"),
    path("chat/demo/<slug:merchant_slug>/", views_public.chat_demo, name="chat_demo"),
    # Webhooks (signature-authenticated, see sms_in.py).
    path("hooks/sms/", views_public.sms_webhook, name="sms_webhook"),
    path("hooks/twilio/sms/", views_public.twilio_sms_webhook, name="twilio_sms_webhook"),
]
