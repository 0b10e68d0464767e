# ruff: noqa: E501  (sentences of data, kept whole so translators read them side by side)
"""The canned replies a new desk starts with, in en, zh-Hans and zh-Hant (written by us for
after-sales work). `install_default_canned` adds the missing ones and never overwrites a
merchant's edits."""

from __future__ import annotations

from aftercare.conversations.models import CannedReply
from aftercare.merchants.models import Merchant

# key: (intent, {language: (title, body)})
DEFAULTS: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "greeting": (
        "",
        {
            "en": (
                "Greeting",
                "Hello {customer_name}, this is {agent_name} from {shop_name}. How can I help you today?",
            ),
            "zh-Hans": (
                "问候",
                "{customer_name}您好，我是{shop_name}的客服{agent_name}，请问有什么可以帮您？",
            ),
            "zh-Hant": (
                "問候",
                "{customer_name}您好，我是{shop_name}的客服{agent_name}，請問有什麼可以幫您？",
            ),
        },
    ),
    "case-status": (
        "case_status",
        {
            "en": (
                "Request status",
                "Your request {case_number} is now: {case_status}. We will keep you posted at every step.",
            ),
            "zh-Hans": (
                "售后进度",
                "您的售后单 {case_number} 当前状态：{case_status}。每一步有进展我们都会通知您。",
            ),
            "zh-Hant": (
                "售後進度",
                "您的售後單 {case_number} 目前狀態：{case_status}。每一步有進展我們都會通知您。",
            ),
        },
    ),
    "refund-timing": (
        "refund_request",
        {
            "en": (
                "Refund timing",
                "The refund of {refund_amount} {currency} for {case_number} goes back to your original payment method; banks usually show it within 1-7 business days.",
            ),
            "zh-Hans": (
                "退款到账时间",
                "售后单 {case_number} 的退款 {refund_amount} {currency} 将原路退回，一般 1-7 个工作日到账，具体以银行为准。",
            ),
            "zh-Hant": (
                "退款到帳時間",
                "售後單 {case_number} 的退款 {refund_amount} {currency} 將原路退回，一般 1-7 個工作天到帳，實際以銀行為準。",
            ),
        },
    ),
    "tracking": (
        "order_status",
        {
            "en": (
                "Where is my parcel",
                "Your order {order_number} is with {carrier}, tracking number {tracking_number}. You can follow it on the carrier's site.",
            ),
            "zh-Hans": (
                "物流查询",
                "您的订单 {order_number} 由 {carrier} 配送，运单号 {tracking_number}，可在快递公司官网查询最新进度。",
            ),
            "zh-Hant": (
                "物流查詢",
                "您的訂單 {order_number} 由 {carrier} 配送，貨運單號 {tracking_number}，可在物流公司官網查詢最新進度。",
            ),
        },
    ),
    "photos-please": (
        "",
        {
            "en": (
                "Ask for photos",
                "So we can sort this out quickly, could you send us a photo of the item and of the damage or fault, and one of the outer box?",
            ),
            "zh-Hans": (
                "请提供照片",
                "为了尽快为您处理，麻烦提供商品整体照片、问题部位的照片以及外包装照片，谢谢！",
            ),
            "zh-Hant": (
                "請提供照片",
                "為了盡快為您處理，麻煩提供商品整體照片、問題部位的照片以及外包裝照片，謝謝！",
            ),
        },
    ),
    "return-how": (
        "return_request",
        {
            "en": (
                "How to return",
                "You can start the return for order {order_number} on our returns page; once it is approved you will get the return address and an RMA number to write on the parcel.",
            ),
            "zh-Hans": (
                "如何退货",
                "订单 {order_number} 可以在售后页面直接申请退货，审核通过后会给您退货地址和需要写在包裹上的售后单号。",
            ),
            "zh-Hant": (
                "如何退貨",
                "訂單 {order_number} 可以在售後頁面直接申請退貨，審核通過後會提供退貨地址和需寫在包裹上的售後單號。",
            ),
        },
    ),
    "sorry-delay": (
        "complaint",
        {
            "en": (
                "Apology for the delay",
                "I am very sorry for the wait, {customer_name}. I have taken this on myself and will update you by the end of today.",
            ),
            "zh-Hans": (
                "致歉",
                "非常抱歉让您久等了，{customer_name}。这个问题由我全程跟进，今天下班前一定给您回复。",
            ),
            "zh-Hant": (
                "致歉",
                "非常抱歉讓您久等了，{customer_name}。這個問題由我全程跟進，今天下班前一定給您回覆。",
            ),
        },
    ),
    "closing": (
        "",
        {
            "en": (
                "Closing",
                "Is there anything else I can help you with? Thank you for shopping with {shop_name}.",
            ),
            "zh-Hans": ("结束语", "请问还有其他可以帮您的吗？感谢您对{shop_name}的支持！"),
            "zh-Hant": ("結束語", "請問還有其他可以幫您的嗎？感謝您對{shop_name}的支持！"),
        },
    ),
}


def install_default_canned(merchant: Merchant) -> int:
    """Add the default replies the merchant does not have yet; returns how many were added."""
    have = set(CannedReply.objects.filter(merchant=merchant).values_list("key", "language"))
    rows = [
        CannedReply(
            merchant=merchant, key=key, language=language, title=title, body=body, intent=intent
        )
        for key, (intent, texts) in DEFAULTS.items()
        for language, (title, body) in texts.items()
        if (key, language) not in have
    ]
    CannedReply.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
