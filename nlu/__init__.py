"""Natural-language understanding: jieba tokens, entities, intent, category, urgency, knowledge base.

Rule for this package: plain Python over text and the deployment's settings. It never imports Flask,
wechatpy or the store, and never touches the network except through the optional Rasa backend.
"""

from nlu.engine import Engine
from nlu.types import Entities, Parse

__all__ = ["Engine", "Entities", "Parse"]
