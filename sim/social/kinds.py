"""Which channels are conversations (sim.social): a post, an email or a chat is a conversation of agent replies, so its
work time is ``message_time`` (per agent reply, in ``Channel.handle_time``), not ``handle_time``.

Chat is a conversation too (messaging with short think times by default, ``mode = "session"`` for live chat where the
agent waits); ``mode = "queue"`` keeps a chat channel a plain queue with one ``handle_time`` per chat.
"""

CONVERSATION_KINDS = ("social", "email", "chat")
PLAIN_QUEUE_MODE = "queue"  # chat only: one service per chat, no conversation


def is_conversation(kind: str, mode=None) -> bool:
    """Is a channel of this kind (and ``mode`` key, None when not given) a conversation channel?"""
    return kind in CONVERSATION_KINDS and not (kind == "chat" and mode == PLAIN_QUEUE_MODE)


def conversation_channel(channel) -> bool:
    """Is this (parsed) channel a conversation channel of sim.social?"""
    return is_conversation(channel.kind, channel.extra.get("mode"))
