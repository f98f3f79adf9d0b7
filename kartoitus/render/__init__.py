"""Models -> files: HTML, PDF, PNG, xlsx."""
