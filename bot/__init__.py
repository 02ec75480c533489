"""The chat surface: Flask app, channels, conversation, CLI.

Rule for this package: it turns channel input into an Inbound, calls nlu/ and dispatch/, and sends
what they queue. Only bot/channels/ imports wechatpy.
"""
