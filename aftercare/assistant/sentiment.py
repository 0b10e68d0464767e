"""A5: sentiment and urgency flags. Lexicons, not a model: the flags must be explainable to an
agent ("it said 12315") and never miss the words that matter, and a customer who threatens
a regulator is urgent whatever the rest of the message says."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aftercare.assistant.labels import Sentiment

_I = re.IGNORECASE
THREAT_AUTHORITY = re.compile(
    r"(?<!\d)(?:12315|12345)(?!\d)|消协|消協|消保|消基會|消基会|工商|市场监管|投诉到平台|平台投诉|投訴到平台|"
    r"黑猫投诉|黑貓投訴|曝光|报警|報警|律师|律師|起诉|起訴|法院|\bBBB\b|better business bureau|"
    r"consumer protection|trading standards|\bsue\b|lawyer|legal action|ombudsman|\bFTC\b|"
    r"procon|denunciar|verbraucherzentrale|anzeigen|消費者センター|通報",
    _I,
)
CHARGEBACK = re.compile(
    r"charge\s?back|dispute (?:the|this) (?:charge|payment)|call(?:ing)? my bank|"
    r"拒付|申请拒付|信用卡争议|信用卡爭議|银行撤销|stornobuchung|contestation bancaire",
    _I,
)
SAFETY = re.compile(
    r"\bfire\b|caught fire|\bburn(?:t|ed|s|ing)?\b|smoke|smoking|spark|explod|electric shock|"
    r"shocked me|overheat|melt|injur|cut (?:my|his|her)|bleeding|choking|toxic|"
    r"起火|着火|著火|冒烟|冒煙|烧焦|燒焦|爆炸|漏电|漏電|触电|觸電|烫伤|燙傷|受伤|受傷|过热|過熱|"
    r"有毒|割伤|割傷|incendio|quemad|feu|brûl|brand|verbrannt|発火|火事|感電",
    _I,
)
ANGER = re.compile(
    r"!!!|！！|wtf|damn|ridiculous|unacceptable|disgust|furious|angry|pathetic|scam|"
    r"terrible|worst|useless|garbage|rubbish|joke|outraged|shameful|disgraceful|"
    r"气死|氣死|垃圾|骗子|騙子|无语|無語|太差|太烂|太爛|坑人|什么破|什麼破|恶心|噁心|"
    r"滚|滾|过分|過分|忍无可忍|爛透|烂透|失望|estafa|vergüenza|golpe|arnaque|honte|betrug|"
    r"frechheit|最悪|ひどい",
    _I,
)
POSITIVE = re.compile(
    r"\bthanks?\b|thank you|great|awesome|love it|perfect|appreciate|happy|helpful|"
    r"谢谢|謝謝|感谢|感謝|太好了|满意|滿意|好评|好評|辛苦了|赞|讚|gracias|obrigad|merci|danke|"
    r"ありがとう",
    _I,
)
NEGATIVE = re.compile(
    r"broken|broke|damaged|defect|missing|wrong|late|never|still no|not happy|unhappy|"
    r"disappointed|problem|issue|complain|坏|壞|破|错|錯|少了|没收到|沒收到|慢|投诉|投訴|"
    r"不满|不滿|问题|問題|差评|差評",
    _I,
)


@dataclass(frozen=True)
class Mood:
    sentiment: str
    flags: list[str]


def assess(text: str) -> Mood:
    flags = []
    if ANGER.search(text) or _shouting(text):
        flags.append("anger")
    if THREAT_AUTHORITY.search(text):
        flags.append("threat_authority")
    if CHARGEBACK.search(text):
        flags.append("chargeback")
    if SAFETY.search(text):
        flags.append("safety")
    negative = len(NEGATIVE.findall(text)) + 2 * len(flags)
    positive = len(POSITIVE.findall(text))
    if negative > positive:
        sentiment = Sentiment.NEGATIVE
    elif positive > negative:
        sentiment = Sentiment.POSITIVE
    else:
        sentiment = Sentiment.NEUTRAL
    return Mood(sentiment=str(sentiment), flags=flags)


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isascii() and c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.7
