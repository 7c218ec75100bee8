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
        # real phrasing: 人工 with other words, a numbered agent, a call-back, the entry text with a card
        ("人工 你好", True),
        ("看中这个商品 人工", True),
        ("帮我转5号客服", True),
        ("人工 订单号:[订单x]", True),
        ("[链接x] 人工", True),
        ("能让售后打电话给我吗", True),
        ("客服在吗", True),  # a bare summons (the labelling guide: a request, low confidence)
        ("你是真人吗？", True),
        ("agent please", True),
        ("can someone call me back", True),
        ("你们的客服是人工智能吗", False),
        ("有真人试穿图吗", False),
        ("安装要另付人工费吗", False),
        ("你是机器人吗", False),  # a bot challenge, answered by the bot
        ("Are you a bot?", False),
        ("在吗", False),  # a presence check
        ("有人吗", False),
        ("快递员的电话是多少", False),  # another party's number, not a person of ours
        ("之前的客服说可以退", False),  # mentions an earlier agent
        ("刚才没接客服电话", False),
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
        ("建议把这种商家赶出去", True),  # a demand that the platform punish the merchant
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
        # after-sales disputes a human must judge
        ("为什么拒绝我的售后申请", True),
        ("买的橙子是烂的，商家拒绝给我售后", True),
        ("售后申请被驳回了，我不认可", True),
        ("商家非说是我自己摔坏的，不给退", True),
        ("师傅上门说装不了，让我自己出运费退货", True),
        ("算是我的责任，还是产品的质量问题？", True),
        ("The seller says it's not a quality problem, so no return. That's wrong.", True),
        ("My warranty claim was rejected but the screen died by itself", True),
        ("有商家盗用我们的产品图片", True),
        # hypothetical or plain policy questions and damage reports with no dispute are not
        ("会不会售后不同意换货呢", False),
        ("万一是假的会补偿吗", False),
        ("收到的杯子有裂纹，怎么退", False),
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
        # VIPs and big orders: the bot answers standard questions; trouble goes to a human at top priority
        ("查下物流", Customer("C1", "gold"), (), False),
        ("查下物流", Customer("C1", "Diamond"), (), False),
        ("我的快递一直没到，破损了怎么办", Customer("C1", "diamond"), (), True),
        ("查下物流", Customer("C1", "silver"), (), False),
        ("我的快递一直没到，破损了怎么办", Customer("C1", "silver"), (), False),
        ("查下物流", None, (Order("E1", 5000.0),), False),
        ("收到的货破损了", None, (Order("E1", 5000.0),), True),
        ("收到的货破损了", None, (Order("E1", 4999.0),), False),
        ("查下物流", None, (Order("E1", 300.0, category="furniture"),), False),
        # high-ticket goods: pre-sales questions go to a skilled human; after purchase the normal path
        ("想买个三人位沙发，哪款更适合小客厅", None, (), True),
        ("这两款冰箱有什么区别", None, (), True),
        ("Thinking of buying a sofa, do you deliver and install?", None, (), True),
        ("我买的沙发保修几年", None, (), False),
        ("My fridge is making a noise, is it under warranty?", None, (), False),
        ("沙发套能机洗吗", None, (), False),
        ("空调被是什么材质", None, (), False),
        ("Do you have fridge magnets?", None, (), False),
    ],
)
def test_high_value(config: HandoffConfig, text: str, customer: Customer | None, orders: tuple[Order, ...], expected: bool) -> None:
    assert ("high_value" in codes(config, text, customer=customer, orders=orders)) is expected


def test_bot_failure_counts_structured_fallback_flags_not_wording(config: HandoffConfig) -> None:
    flagged = [Message("customer", "能分期吗"), Message("bot", "嗯？", fallback=True), Message("customer", "花呗分期"),
               Message("bot", "换个说法试试", fallback=True)]
    decision = assess(flagged, config=config, scorer=FixedScorer())
    assert "bot_failure" in decision.codes
    assert decision.reasons[0].message_indexes == (1, 3)
    once = [Message("customer", "能分期吗"), Message("bot", "嗯？", fallback=True)]
    assert "bot_failure" not in assess(once, config=config, scorer=FixedScorer()).codes
    # the apology's wording alone is not a failure signal (rewording a response must not change the policy)
    worded = [Message("customer", "能分期吗"), Message("bot", "抱歉，我没有理解您的意思"), Message("customer", "花呗分期"),
              Message("bot", "抱歉，我没有理解您的意思")]
    assert "bot_failure" not in assess(worded, config=config, scorer=FixedScorer()).codes


@pytest.mark.parametrize(
    ("fact", "code"),
    [("requested_human", "explicit_human"), ("complaint", "complaint_threat"), ("beyond_authority", "needs_judgement"),
     ("late_refund", "needs_judgement"), ("bot_failed", "bot_failure")],
)
def test_facts_the_bot_reports_become_reasons(config: HandoffConfig, fact: str, code: str) -> None:
    messages = [Message("customer", "嗯嗯那个事情你帮我看看", facts=(fact,))]
    decision = assess(messages, config=config, scorer=FixedScorer())
    assert decision.codes == (code,)
    assert fact in decision.reasons[0].explanation and decision.reasons[0].message_indexes == (0,)


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
        (["垃圾店，骗子！！！"], 0.3, True),  # insults push a middling model score over
        (["WHERE IS MY PACKAGE?? I PAID FOR EXPRESS"], 0.5, False),  # urgency and capitals alone: not anger
        (["？？？？？"], 0.3, False),
        (["!!!!!!"], 0.3, False),
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


def test_anger_rising_needs_a_real_rise_over_several_turns(config: HandoffConfig) -> None:
    texts = ("还没到吗", "怎么还在路上", "都说了多少次了")
    messages = [Message("customer", texts[0]), Message("bot", "在路上"), Message("customer", texts[1]),
                Message("bot", "预计明天"), Message("customer", texts[2])]
    decision = assess(messages, config=config, scorer=ListScorer([0.2, 0.5, 0.8]))
    assert decision.codes == ("anger",)
    assert decision.reasons[0].message_indexes == (0, 2, 4)
    assert "rising" in decision.reasons[0].explanation
    # two turns are not a trend; a dip in between breaks it; a small rise is not one
    assert "anger" not in assess(messages[:3], config=config, scorer=ListScorer([0.2, 0.8])).codes
    dip = messages + [Message("bot", "帮您催了"), Message("customer", "还要等多久")]
    assert "anger" not in assess(dip, config=config, scorer=ListScorer([0.2, 0.6, 0.1, 0.8])).codes
    assert "anger" not in assess(messages, config=config, scorer=ListScorer([0.6, 0.7, 0.8])).codes


def test_anger_persistent_frustration(config: HandoffConfig) -> None:
    messages = [Message("customer", t) for t in ("还没发货", "怎么还没发", "到底什么时候发")]
    assert "anger" in assess(messages, config=config, scorer=ListScorer([0.8, 0.78, 0.76])).codes
    assert "anger" not in assess(messages[:2], config=config, scorer=ListScorer([0.8, 0.78])).codes
    assert "anger" not in assess(messages, config=config, scorer=ListScorer([0.5, 0.55, 0.6])).codes


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
