"""Settings from the environment: one frozen object, checked once at start, with errors that say what to fix.

Secrets (the bot token, the webhook secret) are kept out of `repr` so a settings object can be logged.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.errors import ConfigError

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_WEBHOOK_LISTEN = "127.0.0.1"
DEFAULT_WEBHOOK_PORT = 8080
DEFAULT_WEB_LISTEN = "127.0.0.1"
DEFAULT_WEB_PORT = 8080
DEFAULT_DATA_DIR = Path("data")
DEFAULT_LOG_LEVEL = "WARNING"
UPDATE_LEASE = dt.timedelta(seconds=120)
"""How long a replica's claim on an update holds before another may take it over (UPDATE_LEASE_SECONDS):
longer than any answer takes, flood waits included; short enough that Telegram's next delivery finds it free."""
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

TOKEN_PATTERN = re.compile(r"^[0-9]+:[A-Za-z0-9_-]+$")
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
LISTEN_PATTERN = re.compile(r"^[A-Za-z0-9.:-]+$")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _get(environ: Mapping[str, str], name: str) -> str | None:
    """A variable's value with surrounding whitespace removed; unset and empty both mean None."""
    value = environ.get(name, "").strip()
    return value or None


def _token(value: str | None) -> str | None:
    if value is not None and not TOKEN_PATTERN.match(value):
        # Never echo the value: it may be a real token with a typo.
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then letters, digits, "
            "'_' or '-'). Copy it again from @BotFather."
        )
    return value


def _http_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{name} must be an http:// or https:// URL with a host, not {value!r}")
    if parts.query or parts.fragment:
        raise ConfigError(f"{name} must not have a query string or fragment: {value!r}")
    return value.rstrip("/")


def _api_url(value: str | None) -> str:
    if value is None:
        return DEFAULT_API_URL
    url = _http_url("TELEGRAM_API_URL", value)
    if url.endswith("/bot"):
        raise ConfigError(
            f"TELEGRAM_API_URL is the Bot API root (e.g. {DEFAULT_API_URL}), without /bot: the token "
            f"is added for you. Got {value!r}"
        )
    return url


def _webhook_url(value: str | None) -> str | None:
    if value is None:
        return None
    url = _http_url("WEBHOOK_URL", value)
    parts = urlsplit(url)
    if parts.scheme != "https" and parts.hostname not in LOOPBACK_HOSTS:
        raise ConfigError(f"WEBHOOK_URL must use https (Telegram only delivers webhooks over HTTPS): {value!r}")
    return url


def _port(value: str | None, name: str = "WEBHOOK_PORT", default: int = DEFAULT_WEBHOOK_PORT) -> int:
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ConfigError(f"{name} must be a port number from 1 to 65535, not {value!r}")
    return int(value)


def _listen(value: str | None, name: str = "WEBHOOK_LISTEN", default: str = DEFAULT_WEBHOOK_LISTEN) -> str:
    if value is None:
        return default
    if not LISTEN_PATTERN.match(value):
        raise ConfigError(f"{name} must be an address to listen on, e.g. 127.0.0.1 or ::1, not {value!r}")
    return value


def _origins(name: str, value: str | None) -> tuple[str, ...]:
    """Web origins (scheme://host[:port]) separated by commas or spaces; none when unset."""
    origins: list[str] = []
    for item in re.split(r"[\s,]+", value or ""):
        if not item:
            continue
        parts = urlsplit(item)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
            raise ConfigError(f"{name} must list origins such as https://www.example.org (no path), not {item!r}")
        if parts.query or parts.fragment or "*" in item:
            raise ConfigError(f"{name} must list exact origins (no wildcard, query or fragment), not {item!r}")
        origins.append(f"{parts.scheme}://{parts.netloc}".lower())
    return tuple(dict.fromkeys(origins))


def _secret(value: str | None, webhook_url: str | None) -> str | None:
    if value is not None and not SECRET_PATTERN.match(value):
        raise ConfigError(
            "WEBHOOK_SECRET must be 1 to 256 characters from A-Z, a-z, 0-9, '_' and '-' "
            "(Telegram's rule for secret_token); e.g. the output of: openssl rand -hex 32"
        )
    if webhook_url is not None and value is None:
        raise ConfigError(
            "WEBHOOK_URL is set but WEBHOOK_SECRET is not: set a secret (e.g. openssl rand -hex 32) so "
            "that only Telegram can post updates to the bot"
        )
    return value


def _admin_ids(value: str | None) -> frozenset[int]:
    if value is None:
        return frozenset()
    ids: set[int] = set()
    for item in re.split(r"[\s,;]+", value):
        if not item:
            continue
        if not item.isdigit():
            raise ConfigError(f"ADMIN_IDS must be numeric Telegram user ids separated by commas; {item!r} is not")
        ids.add(int(item))
    return frozenset(ids)


def _database_url(value: str | None) -> str | None:
    if value is None:
        return None
    scheme = urlsplit(value).scheme
    if scheme not in ("postgresql", "postgres"):
        # Never echo the value: it may hold a password.
        raise ConfigError(
            "DATABASE_URL must be a PostgreSQL URL such as postgresql://bot:PASSWORD@db:5432/bot "
            f"(scheme postgresql://, not {scheme + '://' if scheme else 'none'}); leave it unset for SQLite in DATA_DIR"
        )
    return value


def _lease(value: str | None) -> dt.timedelta:
    if value is None:
        return UPDATE_LEASE
    if not value.isdigit() or not 1 <= int(value) <= 3600:
        raise ConfigError(f"UPDATE_LEASE_SECONDS must be a whole number of seconds from 1 to 3600, not {value!r}")
    return dt.timedelta(seconds=int(value))


def _log_level(value: str | None) -> str:
    if value is None:
        return DEFAULT_LOG_LEVEL
    level = value.upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {value!r}")
    return level


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from the environment, validated."""

    token: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    webhook_url: str | None = None
    webhook_listen: str = DEFAULT_WEBHOOK_LISTEN
    webhook_port: int = DEFAULT_WEBHOOK_PORT
    webhook_secret: str | None = field(default=None, repr=False)
    admin_ids: frozenset[int] = frozenset()
    knowledge_dir: Path | None = None
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = field(default=None, repr=False)
    update_lease: dt.timedelta = UPDATE_LEASE
    log_level: str = DEFAULT_LOG_LEVEL
    web_listen: str = DEFAULT_WEB_LISTEN
    web_port: int | None = None
    """None: `run` serves no web chat (`web` then uses DEFAULT_WEB_PORT)."""
    web_cors_origins: tuple[str, ...] = ()
    """Other sites' pages allowed to call the JSON API from a browser (CORS); none by default."""
    web_embed_origins: tuple[str, ...] = ()
    """Sites allowed to show the chat page in an iframe (CSP frame-ancestors); only its own origin by default."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Read and check every setting; raise ConfigError naming the variable at the first bad value."""
        webhook_url = _webhook_url(_get(environ, "WEBHOOK_URL"))
        knowledge = _get(environ, "KNOWLEDGE_DIR")
        data = _get(environ, "DATA_DIR")
        return cls(
            token=_token(_get(environ, "TELEGRAM_BOT_TOKEN")),
            api_url=_api_url(_get(environ, "TELEGRAM_API_URL")),
            webhook_url=webhook_url,
            webhook_listen=_listen(_get(environ, "WEBHOOK_LISTEN")),
            webhook_port=_port(_get(environ, "WEBHOOK_PORT")),
            webhook_secret=_secret(_get(environ, "WEBHOOK_SECRET"), webhook_url),
            admin_ids=_admin_ids(_get(environ, "ADMIN_IDS")),
            knowledge_dir=Path(knowledge) if knowledge else None,
            data_dir=Path(data) if data else DEFAULT_DATA_DIR,
            database_url=_database_url(_get(environ, "DATABASE_URL")),
            update_lease=_lease(_get(environ, "UPDATE_LEASE_SECONDS")),
            log_level=_log_level(_get(environ, "LOG_LEVEL")),
            web_listen=_listen(_get(environ, "WEB_LISTEN"), "WEB_LISTEN", DEFAULT_WEB_LISTEN),
            web_port=_port(web_port, "WEB_PORT") if (web_port := _get(environ, "WEB_PORT")) else None,
            web_cors_origins=_origins("WEB_CORS_ORIGINS", _get(environ, "WEB_CORS_ORIGINS")),
            web_embed_origins=_origins("WEB_EMBED_ORIGINS", _get(environ, "WEB_EMBED_ORIGINS")),
        )

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in (
                "api_url",
                "webhook_url",
                "webhook_listen",
                "webhook_port",
                "admin_ids",
                "knowledge_dir",
                "data_dir",
                "update_lease",
                "log_level",
                "web_listen",
                "web_port",
                "web_cors_origins",
                "web_embed_origins",
            )
        )
        token = "set" if self.token else "unset"
        secret = "set" if self.webhook_secret else "unset"
        database = "postgresql" if self.database_url else "sqlite"
        return f"Settings(token={token}, webhook_secret={secret}, database={database}, {shown})"

    __str__ = __repr__

    @property
    def bot_token(self) -> str:
        """The token, or a ConfigError saying how to get one."""
        if not self.token:
            raise ConfigError("TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and export its token")
        return self.token

    @property
    def base_url(self) -> str:
        """The Bot API method root PTB appends the token to."""
        return f"{self.api_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.api_url}/file/bot"

    @property
    def webhook_path(self) -> str:
        """The path the bot listens on: the same as WEBHOOK_URL's, so a reverse proxy can pass it through."""
        if self.webhook_url is None:
            return ""
        return urlsplit(self.webhook_url).path.lstrip("/")

    @property
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]
