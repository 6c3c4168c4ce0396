"""Working the network: the time budget, connectors and paths, gaps, search, briefs, selections."""
