"""Offline sync: a device sends its queued changes and pulls what changed since it last synced."""
