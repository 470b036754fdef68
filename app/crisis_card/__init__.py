"""The crisis card: a link (and QR code) showing only the crisis plan, read-only, to
whoever holds it, as a page or a printable PDF, until it expires or the person turns it off.
Its table is `app.sharing.models.CrisisCard`, as the sharing switch ends cards with shares."""
