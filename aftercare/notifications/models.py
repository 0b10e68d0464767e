"""Models of notifications: templates, contact preferences, deliveries, webhooks, surveys.

Contact preferences live here, keyed to the customer, so the commerce models stay the
synced copy of the merchant's shop (ADR 0040).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from aftercare.merchants.models import MerchantScoped


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    PORTAL = "portal", _("In-portal notice")
    PUSH = "push", _("App push (webhook)")
    VOICE = "voice", _("Voice call")


# Channels that reach the person directly; one of them is picked per message.
DIRECT_CHANNELS = (Channel.SMS, Channel.EMAIL, Channel.VOICE)
# Channels that ring a phone: they wait for the morning in quiet hours.
INTRUSIVE_CHANNELS = frozenset({Channel.SMS, Channel.VOICE})


class EventKey(models.TextChoices):
    SUBMITTED = "submitted", _("Request submitted")
    APPROVED = "approved", _("Approved, with return instructions")
    REJECTED = "rejected", _("Rejected, with the reason")
    INFO_REQUESTED = "info_requested", _("More information needed")
    PARCEL_RECEIVED = "parcel_received", _("Return parcel received")
    INSPECTING = "inspecting", _("Inspecting")
    INSPECTION_FAILED = "inspection_failed", _("Inspection failed")
    REFUND_PROCESSING = "refund_processing", _("Refund processing")
    REFUNDED = "refunded", _("Refunded, with the amount")
    EXCHANGE_SHIPPED = "exchange_shipped", _("Exchange shipped")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    DEADLINE_APPROACHING = "deadline_approaching", _("Return deadline approaching")
    SURVEY = "survey", _("Satisfaction survey")


class ContactPreference(MerchantScoped):
    """How a customer wants to hear from the merchant. No row means: the merchant's defaults."""

    customer = models.OneToOneField(
        "commerce.Customer", on_delete=models.CASCADE, related_name="contact_preference"
    )
    preferred_channel = models.CharField(max_length=8, choices=Channel.choices, blank=True)
    opted_out = models.JSONField(default=list, blank=True, help_text='e.g. ["sms", "voice"]')
    timezone = models.CharField(max_length=64, blank=True, help_text="Empty: the merchant's.")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"preferences of customer {self.customer_id}"


class SmsProviderKind(models.TextChoices):
    NONE = "none", _("None")
    TWILIO = "twilio", "Twilio"
    HTTP = "http", _("HTTP SMS gateway")


class NotificationSettings(MerchantScoped):
    """One merchant's channels and providers. Secrets are visible to its admins only."""

    enabled_channels = models.JSONField(default=list, blank=True)
    direct_order = models.JSONField(
        default=list, blank=True, help_text='Fallback order of direct channels: ["sms", "email"]'
    )
    quiet_start = models.TimeField(default="21:00")
    quiet_end = models.TimeField(default="08:00")
    survey_delay_hours = models.PositiveIntegerField(default=24)
    public_base_url = models.URLField(
        blank=True, help_text="This installation's public address, for links and callbacks."
    )
    email_from = models.CharField(max_length=200, blank=True)
    sms_provider = models.CharField(
        max_length=8, choices=SmsProviderKind.choices, default=SmsProviderKind.NONE
    )
    sms_from = models.CharField(max_length=32, blank=True)
    twilio_account_sid = models.CharField(max_length=64, blank=True)
    twilio_auth_token = models.CharField(max_length=128, blank=True)
    twilio_api_base = models.URLField(default="https://api.twilio.com")
    http_sms_url = models.URLField(blank=True)
    http_sms_auth_header = models.CharField(
        max_length=300, blank=True, help_text='Sent as "Authorization", e.g. "Bearer abc".'
    )
    http_sms_body_template = models.TextField(
        blank=True,
        help_text='JSON with $to, $from, $body, $reference, e.g. {"to": "$to", "text": "$body"}',
    )
    push_url = models.URLField(blank=True, help_text="The merchant app's push webhook.")
    push_secret = models.CharField(max_length=128, blank=True)
    voice_url = models.URLField(blank=True, help_text="The telephony provider's call webhook.")
    voice_secret = models.CharField(max_length=128, blank=True)
    callback_secret = models.CharField(
        max_length=128, blank=True, help_text="Signs delivery callbacks of HTTP gateways."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant"], name="notification_settings_one")
        ]

    def __str__(self) -> str:
        return f"notification settings of merchant {self.merchant_id}"


class MessageTemplate(MerchantScoped):
    """A merchant's own wording; without a row the shipped default is used (defaults.py)."""

    event = models.CharField(max_length=32, choices=EventKey.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    language = models.CharField(max_length=16)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    html_body = models.TextField(blank=True, help_text="Email only; empty: made from the body.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "event", "channel", "language"], name="template_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} / {self.channel} / {self.language}"


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class Notification(MerchantScoped):
    """One message to one customer on one channel, rendered when it was queued."""

    customer = models.ForeignKey(
        "commerce.Customer", null=True, on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(
        "returns.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event = models.CharField(max_length=32)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    language = models.CharField(max_length=16)
    recipient = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    provider = models.CharField(max_length=16, blank=True)
    provider_ref = models.CharField(max_length=100, blank=True, db_index=True)
    reason = models.TextField(blank=True, help_text="Why it failed or was skipped.")
    dedupe_key = models.CharField(max_length=200, unique=True)
    outbox = models.ForeignKey(
        "core.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["merchant", "status", "id"]),
            models.Index(fields=["merchant", "customer", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.event} by {self.channel} to {self.recipient} ({self.status})"


class ConsumerCursor(models.Model):
    """The last CaseEvent id a consumer handled (ADR 0011)."""

    name = models.CharField(max_length=64, unique=True)
    last_id = models.BigIntegerField(default=0)
    # Ids below last_id not committed when the cursor passed them: {"id": unix time first
    # seen}. A late commit lands in one and is handled on the next run (cursors.py).
    gaps = models.JSONField(default=dict, blank=True)
    # The slot the periodic run is scheduled for; only the run holding it schedules the next.
    next_run_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_id}"


class WebhookSubscription(MerchantScoped):
    """The merchant's system wants these event types POSTed, signed, to this URL."""

    url = models.URLField()
    secret = models.CharField(max_length=128)
    event_types = models.JSONField(default=list, blank=True, help_text="Empty: every type.")
    active = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class WebhookDelivery(MerchantScoped):
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(max_length=64)
    event_id = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=12, default="queued")
    outbox = models.ForeignKey(
        "core.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhook_delivery_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} -> {self.subscription_id}"


class WebhookAttempt(models.Model):
    """Every try of a delivery, with what the merchant's server answered."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=12)
    detail = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.outcome}"


class Survey(MerchantScoped):
    """One satisfaction survey per case (N3)."""

    case = models.OneToOneField("returns.Case", on_delete=models.CASCADE, related_name="survey")
    customer = models.ForeignKey("commerce.Customer", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    agent_label = models.CharField(max_length=128, blank=True)
    token = models.CharField(max_length=64, unique=True)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    improvements = models.JSONField(default=list, blank=True)
    raw_reply = models.TextField(blank=True)
    answered_via = models.CharField(max_length=8, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="survey_score_1_5",
            )
        ]
        indexes = [models.Index(fields=["merchant", "customer", "sent_at"])]

    def __str__(self) -> str:
        return f"survey of case {self.case_id}: {self.score}"
