"""The web chat transport: a chat page and JSON API on the conversation service, on one aiohttp server."""
