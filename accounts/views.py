"""Views. Each checks access, then calls the domain module."""
