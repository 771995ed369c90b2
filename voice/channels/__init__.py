"""Channels: thin adapters that turn a platform's request into a Turn and a Reply into its response."""
