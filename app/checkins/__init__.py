"""Check-ins: each "How are you today?" answer the person keeps, with an optional note, and
what they chose about sharing them and being reminded."""
