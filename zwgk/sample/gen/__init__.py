"""Generators of the sample province's static pages (see ``build_sites.py``)."""
