"""Renderers: turn a Report into something a person reads. They never measure."""
