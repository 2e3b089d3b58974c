"""Synthetic book of business: sponsors, members, claims and operational feeds from a seed.

The generator modules are plain typed Python (numpy / pyarrow) with no Django imports, so
they run in tests and benchmarks without settings. Entry point:
``clientdesk.synth.generator.generate_book``. Output tables are documented in ``SCHEMA.md``.
"""
