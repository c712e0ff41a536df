"""Mechanisms shared by every HRSS service: settings, database, events, outbox, consumers, auth, errors."""
