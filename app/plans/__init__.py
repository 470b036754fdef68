"""Plans: Green Book and WRAP templates, sections, entries, versions and history."""
