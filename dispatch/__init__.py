"""社区派单、网格接单: tickets, routing, deadlines, outbox, points and statistics.

Rule for this package: plain Python over the SQLite store and the deployment's settings. It never
imports Flask or wechatpy, and every function that depends on the time takes ``now``.
"""
