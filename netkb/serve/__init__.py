"""Live preview: the file watcher, incremental updates and the preview server."""
