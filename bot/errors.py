"""The project's exceptions, grouped under one root so callers can catch everything of ours at once."""


class ReviewsBotError(Exception):
    """Root of every error this package raises on purpose."""


class KnowledgeError(ReviewsBotError):
    """The knowledge base cannot be loaded or is invalid."""


class ConfigError(ReviewsBotError):
    """A setting from the environment or the command line is missing or malformed."""
