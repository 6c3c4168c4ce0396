"""From generated Markdown to a checked site: the generated folder, MkDocs, the audit."""
