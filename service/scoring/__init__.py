"""Judging claim pairs: the same-point gate, the NLI stages, and the calibrated verdict that joins them."""
