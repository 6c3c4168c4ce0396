"""The site's pages as Markdown: page families, templates' helpers, SVG charts and maps, URLs."""
