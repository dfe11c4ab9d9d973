"""Settings.from_env: defaults, every variable read, one clear ConfigError per bad value, secrets never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import DEFAULT_API_URL, Settings

TOKEN = "123456789:AAHk-secret_token_value_0123456789"
SECRET = "hook-secret_0123456789"


def test_defaults_from_an_empty_environment() -> None:
    settings = Settings.from_env({})
    assert settings.token is None
    assert settings.api_url == DEFAULT_API_URL
    assert settings.base_url == "https://api.telegram.org/bot"
    assert settings.base_file_url == "https://api.telegram.org/file/bot"
    assert settings.webhook_url is None and settings.webhook_secret is None
    assert (settings.webhook_listen, settings.webhook_port) == ("127.0.0.1", 8080)
    assert settings.admin_ids == frozenset()
    assert settings.knowledge_dir is None
    assert settings.data_dir == Path("data")
    assert settings.log_level == "WARNING"


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": f"  {TOKEN}\n",
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/",
            "WEBHOOK_URL": "https://bot.example.org/reviews/telegram",
            "WEBHOOK_LISTEN": "0.0.0.0",
            "WEBHOOK_PORT": "8443",
            "WEBHOOK_SECRET": SECRET,
            "ADMIN_IDS": "42, 7;99  42",
            "KNOWLEDGE_DIR": "/srv/knowledge",
            "DATA_DIR": "/var/lib/reviews-bot",
            "LOG_LEVEL": "debug",
        }
    )
    assert settings.token == TOKEN
    assert settings.bot_token == TOKEN
    assert settings.api_url == "http://127.0.0.1:8081"
    assert settings.base_url == "http://127.0.0.1:8081/bot"
    assert settings.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.webhook_url == "https://bot.example.org/reviews/telegram"
    assert settings.webhook_path == "reviews/telegram"
    assert (settings.webhook_listen, settings.webhook_port, settings.webhook_secret) == ("0.0.0.0", 8443, SECRET)
    assert settings.admin_ids == frozenset({7, 42, 99})
    assert settings.knowledge_dir == Path("/srv/knowledge")
    assert settings.data_dir == Path("/var/lib/reviews-bot")
    assert settings.log_level == "DEBUG"
    assert settings.log_level_number == 10


def test_empty_values_mean_unset() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "", "WEBHOOK_URL": " ", "ADMIN_IDS": ""})
    assert settings.token is None and settings.webhook_url is None and settings.admin_ids == frozenset()


def test_repr_and_str_hide_the_token_and_the_secret() -> None:
    settings = Settings.from_env(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_URL": "https://bot.example.org/hook", "WEBHOOK_SECRET": SECRET}
    )
    for shown in (repr(settings), str(settings), f"{settings}"):
        assert TOKEN not in shown and "AAHk" not in shown
        assert SECRET not in shown
        assert "token=set" in shown and "webhook_secret=set" in shown
        assert "https://bot.example.org/hook" in shown


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.api_url = "http://elsewhere"  # type: ignore[misc]


def test_a_missing_token_is_a_clear_error_when_needed() -> None:
    with pytest.raises(ConfigError, match=r"TELEGRAM_BOT_TOKEN is not set.*BotFather"):
        _ = Settings.from_env({}).bot_token


@pytest.mark.parametrize("token", ["123456789", "abc:def", "123:has space", "123:semi;colon", ":AAH"])
def test_a_malformed_token_is_refused_without_echoing_it(token: str) -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN does not look like a bot token") as caught:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": token})
    assert token not in str(caught.value)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TELEGRAM_API_URL": "api.telegram.org"}, "TELEGRAM_API_URL must be an http"),
        ({"TELEGRAM_API_URL": "ftp://api.telegram.org"}, "TELEGRAM_API_URL must be an http"),
        ({"TELEGRAM_API_URL": "https://api.telegram.org/bot"}, "without /bot"),
        ({"TELEGRAM_API_URL": "https://api.telegram.org?x=1"}, "query string"),
        ({"WEBHOOK_URL": "http://bot.example.org/hook", "WEBHOOK_SECRET": SECRET}, "must use https"),
        ({"WEBHOOK_URL": "https://bot.example.org/hook"}, "WEBHOOK_SECRET is not"),
        ({"WEBHOOK_SECRET": "has spaces in it"}, "WEBHOOK_SECRET must be 1 to 256 characters"),
        ({"WEBHOOK_SECRET": "x" * 257}, "WEBHOOK_SECRET must be 1 to 256 characters"),
        ({"WEBHOOK_PORT": "http"}, "WEBHOOK_PORT must be a port number"),
        ({"WEBHOOK_PORT": "0"}, "WEBHOOK_PORT must be a port number"),
        ({"WEBHOOK_PORT": "65536"}, "WEBHOOK_PORT must be a port number"),
        ({"WEBHOOK_LISTEN": "127.0.0.1/8"}, "WEBHOOK_LISTEN must be an address"),
        ({"ADMIN_IDS": "42,alice"}, "ADMIN_IDS must be numeric.*'alice'"),
        ({"ADMIN_IDS": "-5"}, "ADMIN_IDS must be numeric"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL must be one of"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_a_plain_http_webhook_is_allowed_on_loopback_for_local_emulators() -> None:
    settings = Settings.from_env({"WEBHOOK_URL": "http://127.0.0.1:8443/telegram", "WEBHOOK_SECRET": SECRET})
    assert settings.webhook_path == "telegram"


def test_the_web_chat_settings() -> None:
    default = Settings.from_env({})
    assert (default.web_listen, default.web_port, default.web_cors_origins, default.web_embed_origins) == (
        "127.0.0.1",
        None,
        (),
        (),
    )
    chosen = Settings.from_env(
        {
            "WEB_LISTEN": "0.0.0.0",
            "WEB_PORT": "8443",
            "WEB_CORS_ORIGINS": "https://A.example.org, https://b.example.org:8443",
            "WEB_EMBED_ORIGINS": "https://lcitylscb.org/",
        }
    )
    assert (chosen.web_listen, chosen.web_port) == ("0.0.0.0", 8443)
    assert chosen.web_cors_origins == ("https://a.example.org", "https://b.example.org:8443")
    assert chosen.web_embed_origins == ("https://lcitylscb.org",)
    assert "web_port=8443" in repr(chosen)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("WEB_PORT", "80000", "WEB_PORT must be a port number"),
        ("WEB_PORT", "http", "WEB_PORT must be a port number"),
        ("WEB_LISTEN", "a b", "WEB_LISTEN must be an address"),
        ("WEB_CORS_ORIGINS", "*", "WEB_CORS_ORIGINS must list"),
        ("WEB_CORS_ORIGINS", "https://a.example.org/page", "WEB_CORS_ORIGINS must list"),
        ("WEB_EMBED_ORIGINS", "lcitylscb.org", "WEB_EMBED_ORIGINS must list"),
    ],
)
def test_bad_web_settings_name_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({name: value})


def test_database_url_selects_postgresql_and_its_password_is_never_shown() -> None:
    assert Settings.from_env({}).database_url is None  # SQLite in DATA_DIR: nothing to set up
    url = "postgresql://bot:pa55-word@db.internal:5432/bot"
    settings = Settings.from_env({"DATABASE_URL": url})
    assert settings.database_url == url
    for shown in (repr(settings), str(settings)):
        assert "pa55-word" not in shown and "database=postgresql" in shown
    assert "database=sqlite" in repr(Settings.from_env({}))


@pytest.mark.parametrize("value", ["mysql://bot:pa55-word@db/bot", "sqlite:///data/bot.sqlite3", "db.internal"])
def test_a_database_url_that_is_not_postgresql_is_refused_without_echoing_it(value: str) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL must be a PostgreSQL URL") as raised:
        Settings.from_env({"DATABASE_URL": value})
    assert "pa55-word" not in str(raised.value) and "db.internal" not in str(raised.value)


def test_the_update_lease_is_read_in_seconds() -> None:
    assert Settings.from_env({}).update_lease.total_seconds() == 120
    assert Settings.from_env({"UPDATE_LEASE_SECONDS": "3"}).update_lease.total_seconds() == 3
    for bad in ("0", "1.5", "soon", "3601"):
        with pytest.raises(ConfigError, match="UPDATE_LEASE_SECONDS"):
            Settings.from_env({"UPDATE_LEASE_SECONDS": bad})
