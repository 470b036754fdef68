"""Crisis advance statements brought in from other systems, proposed part by part."""
