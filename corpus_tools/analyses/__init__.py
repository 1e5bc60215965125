"""Analyses of a Corpus; each returns a tidy DataFrame."""
