"""Which channel kinds are asynchronous conversations (sim.social): a post or an email is a conversation of agent
messages, so its work time is ``message_time`` (per agent message, in ``Channel.handle_time``), not ``handle_time``."""

CONVERSATION_KINDS = ("social", "email")
