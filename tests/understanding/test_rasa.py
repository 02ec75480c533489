"""The Rasa backend: answers mapped onto a Parse, the builtin model when the server is down, and (opt-in)
a real Rasa 3.6 server."""

from __future__ import annotations

import socket
import threading

import pytest
import requests

from nlu.rasa import RasaEngine


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeResponse:
    def __init__(self, body):
        self.body = body

    def raise_for_status(self):
        pass

    def json(self):
        return self.body


class FakeSession:
    """Records the calls and answers like Rasa's /model/parse."""

    def __init__(self, body=None, fail=False):
        self.body, self.fail, self.calls = body, fail, []

    def post(self, url, json, params, timeout):
        self.calls.append((url, json, params, timeout))
        if self.fail:
            raise requests.ConnectionError("refused")
        return FakeResponse(self.body)


def rasa_answer(intent: str, confidence: float, entities=()):
    return {"text": "", "intent": {"name": intent, "confidence": confidence}, "entities": list(entities)}


def test_report_intent_carries_the_category_and_the_builtin_entities(engine):
    session = FakeSession(rasa_answer("report_环境卫生", 0.91))
    rasa = RasaEngine(engine, "http://rasa:5005/", token="s3cret", timeout=0.5, session=session)
    parse = rasa.parse("广场花苑小区3栋的垃圾桶坏了")
    assert (parse.intent, parse.category, parse.confidence, parse.source) == ("report", "环境卫生", 0.91, "rasa")
    assert (parse.entities.place, parse.entities.building) == ("广场花苑小区", "3栋")
    assert session.calls == [("http://rasa:5005/model/parse", {"text": "广场花苑小区3栋的垃圾桶坏了"},
                              {"token": "s3cret"}, 0.5)]


def test_an_emergency_keeps_the_deployments_reading_whatever_rasa_says(engine):
    rasa = RasaEngine(engine, "http://rasa:5005/", session=FakeSession(rasa_answer("report_市容秩序", 0.97)))
    parse = rasa.parse("龙西小区5栋有人要跳楼")
    assert (parse.category, parse.urgency, parse.emergency) == ("安全隐患", "紧急", "轻生")


def test_commands_never_go_to_rasa(engine):
    session = FakeSession(rasa_answer("greeting", 0.99))
    parse = RasaEngine(engine, "http://rasa:5005", session=session).parse("接单 12")
    assert (parse.intent, parse.args, session.calls) == ("claim", {"verb": "接单", "ticket": 12}, [])


def test_a_command_intent_without_its_ticket_number_is_not_trusted(engine):
    session = FakeSession(rasa_answer("claim", 0.8))
    parse = RasaEngine(engine, "http://rasa:5005", session=session).parse("我来处理吧")
    assert parse.intent != "claim" and parse.source == "builtin"


def test_unknown_rasa_intent_falls_back_to_builtin(engine):
    session = FakeSession(rasa_answer("nlu_fallback", 0.2))
    parse = RasaEngine(engine, "http://rasa:5005", session=session).parse("老年出行卡怎么办")
    assert (parse.intent, parse.source) == ("question", "builtin")


def test_server_down_answers_with_builtin_and_waits_before_trying_again(engine):
    now = [100.0]
    session = FakeSession(fail=True)
    rasa = RasaEngine(engine, "http://rasa:5005", retry_seconds=30, clock=lambda: now[0], session=session)
    assert rasa.parse("广场花苑小区3栋的垃圾桶坏了").category == "环境卫生"
    rasa.parse("濂溪路实验小学对面的路灯不亮了")
    assert len(session.calls) == 1                 # the outage is remembered
    now[0] += 31
    rasa.parse("龙西小区12栋的窨井盖破损了")
    assert len(session.calls) == 2                 # and retried after retry_seconds


def test_closed_port_gives_the_builtin_answer(engine):
    rasa = RasaEngine(engine, f"http://127.0.0.1:{closed_port()}", timeout=0.5)
    parse = rasa.parse("濂溪路实验小学对面的路灯不亮了")
    assert (parse.intent, parse.category, parse.source) == ("report", "基础设施维护", "builtin")
    assert not rasa.available()


def test_a_server_that_never_answers_costs_one_timeout_then_the_builtin_answers(engine):
    """A hung Rasa (it accepts the connection and says nothing) must not hold every message for the timeout."""
    accepted = []
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.settimeout(5)
        port = server.getsockname()[1]

        def hold() -> None:
            try:
                while True:
                    accepted.append(server.accept()[0])   # kept open, never answered
            except OSError:
                pass

        threading.Thread(target=hold, daemon=True).start()
        rasa = RasaEngine(engine, f"http://127.0.0.1:{port}", timeout=0.3, retry_seconds=30)
        first = rasa.parse("濂溪路实验小学对面的路灯不亮了")
        second = rasa.parse("广场花苑小区3栋的垃圾桶坏了")
        assert (first.category, first.source) == ("基础设施维护", "builtin")
        assert (second.category, second.source) == ("环境卫生", "builtin")
        assert len(accepted) == 1 and not rasa.available()
        for conn in accepted:
            conn.close()


def test_config_backend_rasa_builds_the_rasa_engine_with_fallback(tmp_path, config_copy):
    from bot.services import build_services

    text = config_copy.read_text(encoding="utf-8").replace("backend: builtin", "backend: rasa").replace(
        "rasa_url: http://127.0.0.1:5005", f"rasa_url: http://127.0.0.1:{closed_port()}")
    config_copy.write_text(text, encoding="utf-8")
    services = build_services(config_copy)
    assert isinstance(services.engine, RasaEngine)
    assert services.engine.parse("广场花苑小区3栋的垃圾桶坏了").category == "环境卫生"


# ---------------------------------------------------------------- opt-in: a real server (scripts/rasa-server.sh)


@pytest.fixture
def real_rasa(base_services):
    nlu = base_services.config.settings.nlu
    try:
        requests.get(nlu.rasa_url.rstrip("/") + "/status", params={"token": nlu.rasa_token} if nlu.rasa_token
                     else None, timeout=1).raise_for_status()
    except requests.RequestException:
        pytest.skip(f"no Rasa server answers at {nlu.rasa_url} (start one with scripts/rasa-server.sh)")
    return RasaEngine(base_services.engine, nlu.rasa_url, nlu.rasa_token, timeout=10)


@pytest.mark.rasa
@pytest.mark.parametrize("utterance, intent, category", [
    ("广场花苑小区3栋的垃圾桶坏了", "report", "环境卫生"),
    ("濂溪路实验小学对面的路灯不亮了", "report", "基础设施维护"),
    ("你好", "greeting", "其他"),
    ("老年出行卡怎么办", "question", "其他"),
])
def test_real_rasa_server(real_rasa, utterance, intent, category):
    parse = real_rasa.parse(utterance)
    assert (parse.source, parse.intent, parse.category) == ("rasa", intent, category)
    assert parse.entities.place is not None or intent != "report"
