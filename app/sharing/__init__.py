"""Sharing the person controls: shares by section, comments, suggestions, access log,
the one "all sharing off" switch, and the crisis card."""
