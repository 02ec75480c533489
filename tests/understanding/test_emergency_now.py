"""The emergency-now model (nlu/emergency_now.py): a present event told in words no kind lists raises the alarm;
the rules' time, supposition, risk and pollution words still veto it, and so does a kind's word the rules judged."""

from __future__ import annotations

import pytest

from nlu.rules import find_emergency


@pytest.mark.parametrize("text, kind", [
    ("快来人啊 芙蓉小区门口有个大爷躺地上不动了", "受伤"),     # no listed word: the model reads it
    ("上个月有个大爷躺地上不动了", None),                      # another time
    ("有个大爷躺地上不动了，后来家属接走了", None),            # over
    ("芙蓉小区的路灯不亮了", None),                            # an ordinary report
    ("快来人啊", None),                                        # a call with no event
])
def test_a_present_event_in_unlisted_words_is_an_emergency_and_its_look_alikes_are_not(engine, text, kind):
    assert engine.parse(text).emergency == kind


@pytest.mark.parametrize("text, kind", [
    ("楼下有个人一动不动", "受伤"),                  # nothing puts it elsewhen: the reader's kind
    ("上个月楼下有个人一动不动", None),              # a time word
    ("万一楼下有个人一动不动谁负责", None),          # a supposition and what would follow
    ("有人在楼下焚烧东西", None),                    # a kind's other matter (pollution)
    ("楼下电线乱拉 有隐患", None),                   # a risk
    ("去年楼道着火过", None),                        # a kind's word the rules judged not now
])
def test_the_learned_reader_is_asked_only_when_no_word_and_no_veto_occurs(engine, text, kind):
    found = find_emergency(text, engine.deployment, learned=lambda _: "受伤")
    assert (found.name if found else None) == kind
