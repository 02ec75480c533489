"""The conversation: handle(services, db, inbound, now) -> Reply, the same for every channel.

Rule for this package: handlers read and change the store only through dispatch/, say only what wording/
writes, and return a Reply (or plain words); the channel decides how to deliver it.

    handle.py    the entry point: record the message once, test it against the context, then the table
    context.py   what the bot waits for from this person in this chat (a place, a rating, a yes/no)
    telling.py   a report told in several messages: photo or place first, place missing, cancelled
    table.py     command or intent -> handler, written out
    group.py     the one group policy: speak only to acknowledge a filed report; personal answers go 1:1
    reports.py, status.py, ratings.py, points.py, staff.py, basics.py: one family of handlers each
"""

from bot.conversation.group import files_in_group
from bot.conversation.handle import handle
from bot.conversation.reply import Reply
from bot.conversation.turn import Turn
from bot.services import Services

__all__ = ["Reply", "Services", "Turn", "files_in_group", "handle"]
