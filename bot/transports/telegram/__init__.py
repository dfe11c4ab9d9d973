"""transports/telegram."""
