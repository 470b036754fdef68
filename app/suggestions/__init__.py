"""Changes supporters suggest to shared sections. Nothing changes until the person accepts
one; accepting applies it as an ordinary versioned edit credited to who suggested it."""
