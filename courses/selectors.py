"""Reads for course pages and the dashboard."""
