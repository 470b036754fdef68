"""Take everything away (export) and bring it into another account (import)."""
