"""Marts several apps read: Ibis table -> table functions over the lake, each with its grain."""
