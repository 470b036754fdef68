"""Shared plumbing: settings, database, security, errors, middleware."""
