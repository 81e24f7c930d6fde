"""Recipes that run bbdiag's scanning core on other engines (optional extras)."""
