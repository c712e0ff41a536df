"""Shared reference data with its legal source: loaded from data files, validated, and exposed as pure rules."""
