"""Person-owned recovery and wellbeing plans (Green Book and WRAP)."""
