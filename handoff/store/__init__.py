"""Persistent state of the bridge: conversations, messages, agents, notes, events."""
