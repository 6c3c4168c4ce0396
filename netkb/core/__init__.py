"""Records and the rules every stage shares.

problems, ranges, slugs, references, notes, privacy, atomic writes.
"""
