"""Supporters' comments on shared sections, and the person's replies: kept apart from the
plan, so a supporter's words are never mixed into the person's own."""
