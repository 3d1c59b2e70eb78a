"""Social media and email handling: posts, triage, conversations of messages, agents holding several at once,
blending with the phone queue (``docs/social.md``)."""
