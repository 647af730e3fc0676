"""Judging an answer: what a check may receive, the hidden checks, the mistake catalogue, the recognisers."""
