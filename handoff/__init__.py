"""Handoff bridge: the customer's front door, the escalation decision's caller, and the agent console."""
