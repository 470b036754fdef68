"""The person's access log: a line for every read by someone else and every sharing change.
Shares, clinicians' statements and the crisis card all write to it, so it depends on none
of them."""
