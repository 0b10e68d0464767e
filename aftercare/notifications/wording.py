"""The shipped wording of every event, in English and Simplified Chinese.

Each event has a subject (email subject, push title) and a text (the heart of the message);
defaults.py wraps the text per channel (shop name prefix for SMS, greeting and link for email).
Traditional Chinese is derived from the Simplified text by OpenCC with Taiwan phrasing
(defaults.py), so the two never drift apart. Variables are the documented ones in render.py.
"""

from __future__ import annotations

WORDING: dict[str, dict[str, tuple[str, str]]] = {
    "submitted": {
        "en": (
            "We have your request {{ case_number }}",
            "Thanks, {{ customer_name }}. We have received your after-sales request "
            "{{ case_number }} and will get back to you shortly.",
        ),
        "zh-Hans": (
            "已收到您的售后申请 {{ case_number }}",
            "{{ customer_name }}您好，您的售后申请 {{ case_number }} 我们已经收到，"
            "会尽快为您处理。",
        ),
    },
    "approved": {
        "en": (
            "Your return {{ case_number }} is approved",
            "Good news: your return {{ case_number }} is approved. Please send the item to "
            "{{ return_address }}{% if return_contact %} ({{ return_contact }}){% endif %} "
            "and write {{ rma_number }} on the parcel.",
        ),
        "zh-Hans": (
            "您的退货申请 {{ case_number }} 已通过",
            "您的退货申请 {{ case_number }} 已通过审核。请将商品寄回 {{ return_address }}"
            "{% if return_contact %}（{{ return_contact }}）{% endif %}，"
            "并在包裹上注明 {{ rma_number }}。",
        ),
    },
    "rejected": {
        "en": (
            "About your request {{ case_number }}",
            "We are sorry, we cannot accept request {{ case_number }}: {{ reason }}. "
            "If you think we got this wrong, reply and we will look again.",
        ),
        "zh-Hans": (
            "关于您的售后申请 {{ case_number }}",
            "很抱歉，您的申请 {{ case_number }} 未能通过：{{ reason }}。"
            "如有疑问，回复此消息，我们会再次为您核实。",
        ),
    },
    "info_requested": {
        "en": (
            "We need a little more for {{ case_number }}",
            "To move request {{ case_number }} along we need a little more from you: {{ message }}",
        ),
        "zh-Hans": (
            "申请 {{ case_number }} 需要您补充信息",
            "为了尽快处理您的申请 {{ case_number }}，还需要您补充：{{ message }}",
        ),
    },
    "parcel_received": {
        "en": (
            "Your return parcel has arrived",
            "Your return parcel for {{ case_number }} was signed for at our warehouse. "
            "We will check it and, if all is well, refund you within 48 hours.",
        ),
        "zh-Hans": (
            "您的退货包裹已签收",
            "您的退货包裹（{{ case_number }}）已由仓库签收，我们验货无误后将在48小时内为您退款。",
        ),
    },
    "inspecting": {
        "en": (
            "We are checking your return {{ case_number }}",
            "Our team is checking the items of {{ case_number }} now. "
            "We will let you know as soon as it is done.",
        ),
        "zh-Hans": (
            "正在为您验货（{{ case_number }}）",
            "我们正在检验 {{ case_number }} 的退回商品，完成后会第一时间通知您。",
        ),
    },
    "inspection_failed": {
        "en": (
            "About the items you returned ({{ case_number }})",
            "We checked the items of {{ case_number }} and unfortunately they do not meet "
            "the return conditions: {{ reason }}. Reply if you would like to talk it over.",
        ),
        "zh-Hans": (
            "关于您退回的商品（{{ case_number }}）",
            "我们检验了 {{ case_number }} 的退回商品，很遗憾不符合退货条件：{{ reason }}。"
            "如需沟通，请直接回复。",
        ),
    },
    "refund_processing": {
        "en": (
            "Your refund for {{ case_number }} is on its way",
            "Your refund of {{ refund_amount }} {{ currency }} for {{ case_number }} is being "
            "processed. It usually reaches you within 1 to 3 working days.",
        ),
        "zh-Hans": (
            "{{ case_number }} 的退款正在处理",
            "{{ case_number }} 的退款 {{ refund_amount }} {{ currency }} 正在处理中，"
            "一般1至3个工作日到账。",
        ),
    },
    "refunded": {
        "en": (
            "Refunded: {{ refund_amount }} {{ currency }}",
            "We have refunded {{ refund_amount }} {{ currency }} for {{ case_number }}. "
            "Thank you for your patience.",
        ),
        "zh-Hans": (
            "退款 {{ refund_amount }} {{ currency }} 已完成",
            "{{ case_number }} 的退款 {{ refund_amount }} {{ currency }} 已原路退回，"
            "感谢您的耐心等待。",
        ),
    },
    "exchange_shipped": {
        "en": (
            "Your replacement is on its way",
            "Your replacement for {{ case_number }} has shipped"
            "{% if tracking_number %} ({{ carrier }} {{ tracking_number }}){% endif %}. "
            "We hope you love it.",
        ),
        "zh-Hans": (
            "您的换货已发出",
            "{{ case_number }} 的换货商品已发出"
            "{% if tracking_number %}（{{ carrier }} {{ tracking_number }}）{% endif %}，"
            "请注意查收。",
        ),
    },
    "closed": {
        "en": (
            "Request {{ case_number }} is complete",
            "Request {{ case_number }} is now complete. Thank you for shopping with "
            "{{ shop_name }}.",
        ),
        "zh-Hans": (
            "售后申请 {{ case_number }} 已完成",
            "您的售后申请 {{ case_number }} 已处理完毕，感谢您对{{ shop_name }}的支持。",
        ),
    },
    "cancelled": {
        "en": (
            "Request {{ case_number }} is cancelled",
            "Request {{ case_number }} has been cancelled. If you still need help, just "
            "reply to this message.",
        ),
        "zh-Hans": (
            "售后申请 {{ case_number }} 已取消",
            "您的售后申请 {{ case_number }} 已取消。如仍需帮助，直接回复即可。",
        ),
    },
    "deadline_approaching": {
        "en": (
            "Please send your return by {{ deadline }}",
            "A friendly reminder: please send the items of {{ case_number }} back by "
            "{{ deadline }} so we can refund you without delay.",
        ),
        "zh-Hans": (
            "请在 {{ deadline }} 前寄回商品",
            "温馨提醒：请在 {{ deadline }} 前寄回 {{ case_number }} 的商品，以免影响退款进度。",
        ),
    },
    "survey": {
        "en": (
            "How did we do?",
            "How did we do with {{ case_number }}? Reply with a score from 1 (poor) to 5 "
            "(great). To tell us what to improve, add 1 for speed, 2 for communication or 3 "
            'for the outcome, e.g. "4 2". Or tap {{ survey_url }}',
        ),
        "zh-Hans": (
            "请为我们的服务打分",
            "{{ case_number }} 的服务您满意吗？请回复1至5分（5分最满意）。"
            "希望我们改进的地方可再回复：1速度 2沟通 3处理结果，例如“4 2”。"
            "也可点击 {{ survey_url }}",
        ),
    },
}

# The frame around the text, per language.
FRAMES: dict[str, dict[str, str]] = {
    "en": {
        "sms": "{{ shop_name }}: ",
        "greeting": "Hi {{ customer_name }},",
        "follow": "You can follow your request at any time: {{ portal_url }}",
        "signoff": "Warm regards,\nThe {{ shop_name }} team",
        "voice": "Hello, this is {{ shop_name }}. ",
    },
    "zh-Hans": {
        "sms": "【{{ shop_name }}】",
        "greeting": "{{ customer_name }}，您好：",
        "follow": "您可以随时在这里查看进度：{{ portal_url }}",
        "signoff": "{{ shop_name }} 客服团队",
        "voice": "您好，这里是{{ shop_name }}。",
    },
}
