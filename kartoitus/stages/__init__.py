"""The data stage: raw exports -> ingest -> corrections -> clean -> classify -> audit -> bank."""
