"""``netkb lsp``: the knowledge base in any editor that speaks the Language Server Protocol.

``buffers.py`` lets ``load`` read an editor's unsaved text instead of the file on disk;
``session.py`` keeps the loaded network and answers questions about it (problems,
completion, definition, references, hover); ``cursor.py`` says what is at a position
of a file's text; ``positions.py`` converts netkb's columns to the protocol's;
``server.py`` wires it all to pygls over stdio.
"""
