"""Rasa custom actions of the shop bot (run with `python -m rasa_sdk --actions actions`)."""
