"""Decision rules, one parametrised table per reason, with a deterministic emotion scorer."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from handoff.assess import Customer, HandoffConfig, Message, Order, assess, load_config


class FixedScorer:
    """Returns the same probability for every message, so the rules are tested alone."""

    name = "fixed"

    def __init__(self, p: float = 0.05) -> None:
        self.p = p

    def score(self, texts: Sequence[str]) -> list[float]:
        return [self.p] * len(texts)


@pytest.fixture(scope="module")
def config() -> HandoffConfig:
    return load_config()


def codes(config: HandoffConfig, *texts: str, scorer: FixedScorer | None = None, **kw: object) -> set[str]:
    messages = [Message("customer", t) for t in texts]
    return set(assess(messages, config=config, scorer=scorer or FixedScorer(), **kw).codes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("转人工", True),
        ("轉人工", True),
        ("转人公", True),
        ("帮我转一下人工谢谢", True),
        ("人工！", True),
        ("找你们经理来", True),
        ("我要跟真人说", True),
        ("不想和机器人聊了", True),
        ("I want to talk to a real person", True),
        ("human agent please", True),
        ("Is this a bot? Let me speak to someone.", True),
        ("你们的客服是人工智能吗", False),
        ("有真人试穿图吗", False),
        ("安装要另付人工费吗", False),
        ("你是真人吗？", False),
        ("Are you a human?", False),
        ("Is the wig human hair?", False),
        ("有没有人买过这个", False),
    ],
)
def test_explicit_human(config: HandoffConfig, text: str, expected: bool) -> None:
    assert ("explicit_human" in codes(config, text)) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("再不发货我就给差评", True),
        ("我要去12315投诉你们", True),
        ("我准备申请平台介入", True),
        ("再这样我就发微博曝光你们", True),
        ("I'll leave a one-star review", True),
        ("I'm filing a chargeback", True),
        ("I've contacted my lawyer", True),
        ("差评可以追评吗", False),
        ("投诉建议在哪里填", False),
        ("看到有人给差评说漏水，是真的吗", False),
        ("放心，我不会给差评的", False),
        ("How do I leave a review?", False),
        ("Can I edit my review?", False),
        ("I don't want to leave a bad review, just the right size", False),
    ],
)
def test_complaint_threat(config: HandoffConfig, text: str, expected: bool) -> None:
    assert ("complaint_threat" in codes(config, text)) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("快递晚了五天，能补偿一下吗", True),
        ("两件能便宜点吗", True),
        ("过了7天还能退吗，能通融一下吗", True),
        ("快递说是你们的问题，你们说是快递的问题，到底谁负责", True),
        ("卷发棒把我烫伤了", True),
        ("插座漏电了", True),
        ("Can you make an exception?", True),
        ("The charger caught fire", True),
        ("I had an allergic reaction", True),
        ("运费险能赔多少", False),
        ("降价了能申请价保吗", False),
        ("这个面霜会过敏吗", False),
        ("窗帘是阻燃的吗", False),
        ("Is the jacket fire resistant?", False),
        ("Will this cream cause an allergic reaction?", False),
        ("退款多久到账", False),
    ],
)
def test_needs_judgement(config: HandoffConfig, text: str, expected: bool) -> None:
    assert ("needs_judgement" in codes(config, text)) is expected


@pytest.mark.parametrize(
    ("text", "customer", "orders", "expected"),
    [
        ("查下物流", Customer("C1", "gold"), (), False),  # gold: queue priority only, no automatic handoff
        ("查下物流", Customer("C1", "Diamond"), (), True),
        ("查下物流", Customer("C1", "silver"), (), False),
        ("查下物流", None, (Order("E1", 5000.0),), True),
        ("查下物流", None, (Order("E1", 4999.0),), False),
        ("查下物流", None, (Order("E1", 300.0, category="furniture"),), True),
        ("三人位沙发有现货吗", None, (), True),
        ("Does the fridge come with installation?", None, (), True),
        ("沙发套能机洗吗", None, (), False),
        ("空调被是什么材质", None, (), False),
        ("Do you have fridge magnets?", None, (), False),
    ],
)
def test_high_value(config: HandoffConfig, text: str, customer: Customer | None, orders: tuple[Order, ...], expected: bool) -> None:
    assert ("high_value" in codes(config, text, customer=customer, orders=orders)) is expected


def test_bot_failure_counts_fallback_flags_and_texts(config: HandoffConfig) -> None:
    flagged = [Message("customer", "能分期吗"), Message("bot", "嗯？", fallback=True), Message("customer", "花呗分期"),
               Message("bot", "抱歉，我没有理解您的意思")]
    decision = assess(flagged, config=config, scorer=FixedScorer())
    assert "bot_failure" in decision.codes
    assert decision.reasons[0].message_indexes == (1, 3)
    once = [Message("customer", "能分期吗"), Message("bot", "抱歉，我没有理解您的意思")]
    assert "bot_failure" not in assess(once, config=config, scorer=FixedScorer()).codes


@pytest.mark.parametrize(
    ("first", "second", "bot_between", "expected"),
    [
        ("礼品卡可以和优惠券一起用吗", "礼品卡能和优惠券一起用吗", True, True),
        ("Do you accept Apple Pay?", "do you accept apple pay", True, True),
        ("礼品卡可以和优惠券一起用吗", "礼品卡可以和优惠券一起用吗", False, False),  # double send, bot not asked yet
        ("好的谢谢", "好的谢谢", True, False),  # too short to be a question
        ("这件衣服有黑色吗", "退款多久到账", True, False),
    ],
)
def test_bot_failure_repeated_question(config: HandoffConfig, first: str, second: str, bot_between: bool, expected: bool) -> None:
    messages = [Message("customer", first)]
    if bot_between:
        messages.append(Message("bot", "亲，请问还有什么可以帮您"))
    messages.append(Message("customer", second))
    assert ("bot_failure" in assess(messages, config=config, scorer=FixedScorer()).codes) is expected


@pytest.mark.parametrize(
    ("texts", "p", "expected"),
    [
        (["垃圾店，骗子！！！"], 0.3, True),  # swearing + exclamations push a middling model score over
        (["WHERE IS MY PACKAGE?? I PAID FOR EXPRESS"], 0.5, True),
        (["发货有点慢，什么时候能发"], 0.3, False),
        (["这款垃圾袋是加厚的吗"], 0.05, False),
        (["滚筒洗衣机怎么清洁"], 0.05, False),
    ],
)
def test_anger_cues(config: HandoffConfig, texts: list[str], p: float, expected: bool) -> None:
    assert ("anger" in codes(config, *texts, scorer=FixedScorer(p))) is expected


class ListScorer:
    name = "list"

    def __init__(self, values: list[float]) -> None:
        self.values = values

    def score(self, texts: Sequence[str]) -> list[float]:
        return self.values[: len(texts)]


def test_anger_rising_trajectory(config: HandoffConfig) -> None:
    messages = [Message("customer", "还没到吗"), Message("bot", "在路上"), Message("customer", "都说了多少次了")]
    decision = assess(messages, config=config, scorer=ListScorer([0.2, 0.65]))
    assert decision.codes == ("anger",)
    assert decision.reasons[0].message_indexes == (0, 2)
    flat = assess(messages, config=config, scorer=ListScorer([0.5, 0.6]))
    assert "anger" not in flat.codes


def test_anger_persistent_complaint(config: HandoffConfig) -> None:
    messages = [Message("customer", t) for t in ("还没发货", "怎么还没发", "到底什么时候发")]
    assert "anger" in assess(messages, config=config, scorer=ListScorer([0.6, 0.58, 0.56])).codes
    assert "anger" not in assess(messages[:2], config=config, scorer=ListScorer([0.6, 0.58])).codes


def test_decision_explains_and_scores(config: HandoffConfig) -> None:
    messages = [Message("customer", "物流到哪了"), Message("bot", "在路上"), Message("customer", "转人工")]
    decision = assess(messages, config=config, scorer=FixedScorer())
    assert decision.handoff is True
    (reason,) = decision.reasons
    assert reason.code == "explicit_human"
    assert reason.message_indexes == (2,)
    assert reason.message_texts == ("转人工",)
    assert "转人工" in reason.explanation
    assert decision.scores["emotion_trajectory"] == [pytest.approx(0.05), pytest.approx(0.05)]


def test_no_reason_no_handoff_and_agent_messages_ignored(config: HandoffConfig) -> None:
    messages = [Message("customer", "这件有M码吗"), Message("agent", "转人工 投诉 差评"), Message("customer", "好的谢谢")]
    decision = assess(messages, config=config, scorer=FixedScorer())
    assert decision.handoff is False
    assert decision.reasons == ()


def test_lookback_ignores_old_customer_messages(config: HandoffConfig) -> None:
    old = [Message("customer", "转人工")] + [Message("customer", f"第{i}个问题：尺码多大") for i in range(config.lookback_customer_messages)]
    assert "explicit_human" not in assess(old, config=config, scorer=FixedScorer()).codes
