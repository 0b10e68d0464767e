"""Tenants and who may act for them: merchants, their stores, members and API keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")
    WAREHOUSE = "warehouse", _("Warehouse")
    FINANCE = "finance", _("Finance")


class Language(models.TextChoices):
    EN = "en", "English"
    ZH_HANS = "zh-Hans", "简体中文"
    ZH_HANT = "zh-Hant", "繁體中文"


class Merchant(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    default_language = models.CharField(
        max_length=16, choices=Language.choices, default=Language.ZH_HANS
    )
    timezone = models.CharField(max_length=64, default="Asia/Shanghai")
    currency = models.CharField(max_length=3, default="CNY")
    default_phone_region = models.CharField(
        max_length=2, default="CN", help_text="Region used to read phone numbers without +code."
    )
    chat_assistant = models.BooleanField(
        default=True,
        help_text="The assistant answers web chat first and hands over to a person when needed.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class MerchantScoped(models.Model):
    """Base of every tenant-owned model: the merchant is always there and always indexed."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class SalesChannel(models.TextChoices):
    OWN_SITE = "own_site", _("Own website")
    TMALL = "tmall", "Tmall"
    TAOBAO = "taobao", "Taobao"
    JD = "jd", "JD.com"
    PINDUODUO = "pinduoduo", "Pinduoduo"
    DOUYIN = "douyin", "Douyin"
    SHOPIFY = "shopify", "Shopify"
    AMAZON = "amazon", "Amazon"
    WECHAT = "wechat", _("WeChat mini-program")
    OTHER = "other", _("Other")


class Store(MerchantScoped):
    """A storefront or marketplace shop through which orders arrive."""

    code = models.SlugField(max_length=64, help_text="Identifier used in the API and imports.")
    name = models.CharField(max_length=200)
    channel = models.CharField(max_length=32, choices=SalesChannel.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "code"], name="store_code_per_merchant")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_channel_display()})"


class Member(MerchantScoped):
    """A person on the merchant's team. One membership per user keeps a session unambiguous."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    display_name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.display_name or self.user} ({self.role})"


class ApiKey(MerchantScoped):
    """An integration's credential. Only a hash of the secret is stored."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
