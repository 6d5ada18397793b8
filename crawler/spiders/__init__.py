"""Spiders.

Rules for spiders here: a spider decides what to fetch and turns responses
into items with crawler.extract; it never writes to the store (the pipeline
does) and never judges compliance (checks do).
"""
