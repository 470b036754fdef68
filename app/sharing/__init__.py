"""Sharing the person controls: shares of chosen sections (made as invites), the one "all
sharing off" switch, what a grantee may do through a live share, and their reads. Comments,
suggestions, the access log and the crisis card have packages of their own."""
