"""Learning-from-Reviews assistant: answers practitioners' questions about local safeguarding practice reviews."""
