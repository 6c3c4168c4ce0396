"""In and out: importers (LinkedIn, vCard, Google) and exports (vCard, CSV)."""
