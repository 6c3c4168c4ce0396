"""Files on disk to records.

front matter, the schema, settings, the loader and its cache, validation.
"""
