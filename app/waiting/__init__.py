"""What waits for the plan's owner to look at: suggestions, comments and imported statements."""
