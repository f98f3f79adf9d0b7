"""Wiring: runs the stages and the outputs for a wave, the cache and the worker pool."""
