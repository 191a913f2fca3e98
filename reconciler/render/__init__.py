"""Renderers of plans and apply reports; each turns data into text and nothing else."""
