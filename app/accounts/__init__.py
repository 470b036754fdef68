"""Accounts: people and professionals, sign-in sessions, refresh tokens, sign-in limits."""
