"""The error every layer raises for a bad setting: its own module, so config and memory import it without a cycle."""


class ConfigError(ValueError):
    """A config value outside what the model allows; the message is one line."""
