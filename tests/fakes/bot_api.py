"""A loopback fake of the Telegram Bot API, strict where Telegram is strict, that a real bot polls over HTTP.

The bot under test talks to it with its real HTTP client (point the Bot API root at `FakeBotAPI.url`);
a test plays the user (`Conversation.say`, `.tap`, `.inline`) and reads what the bot sent
(`SentMessage`). It runs on the caller's asyncio loop (tornado's HTTP server), so tests and benchmarks
start it with `async with FakeBotAPI() as api:`.

Implemented: getMe, getUpdates (long polling with offset, limit, timeout, allowed_updates; a newer
poll ends an older one with 409), setWebhook / deleteWebhook / getWebhookInfo (updates are then POSTed
to the webhook with its secret), sendMessage, editMessageText, editMessageReplyMarkup, deleteMessage,
sendChatAction, answerCallbackQuery, answerInlineQuery, setMyCommands, getMyCommands,
deleteMyCommands, logOut, close. Anything else is 404, like Telegram.

Strict like Telegram: text empty or over 4096 characters after entity parsing; HTML that Telegram's
parser rejects (unknown tags, unbalanced tags, bare `<`); callback data over 64 bytes; editing a
message to the same content; answering a callback or inline query twice or after it expired;
replying to a missing message; unknown chats. Stricter than Telegram: a bare `&` that does not start
an entity is rejected (Telegram keeps it as text), so a missing escape is caught.

A user can block the bot (`block(chat_id)`): every message to that chat is then refused with 403, as
Telegram refuses it.

Faults: `inject(method, status=429, retry_after=1)`, `status=500`, `delay=…` (slow), `drop=True`
(the request is lost: never processed and never answered, so only the client's timeout ends it).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
import tornado.httpserver
import tornado.netutil
import tornado.web

JSON = dict[str, Any]

DEFAULT_TOKEN = "1000000001:FAKE-token_for-tests-0123456789abcdef"
MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
BLOCKED = "Forbidden: bot was blocked by the user"
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)

# Parameters Telegram reads as strings; every other form field is JSON-decoded when it parses.
STRING_FIELDS = frozenset(
    {
        "text",
        "parse_mode",
        "callback_query_id",
        "inline_query_id",
        "url",
        "secret_token",
        "next_offset",
        "language_code",
        "caption",
        "description",
        "short_description",
        "name",
        "action",
        "inline_message_id",
        "message_text",
        "title",
        "ip_address",
        "emoji",
        "business_connection_id",
        "message_effect_id",
        "start_parameter",
    }
)
BUTTON_KINDS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
UPDATE_TYPES = (
    "message",
    "edited_message",
    "callback_query",
    "inline_query",
    "chosen_inline_result",
    "my_chat_member",
    "chat_member",
)


class ApiError(Exception):
    """A Bot API error response: HTTP status, description, optional `parameters`."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


# ----- Telegram HTML ---------------------------------------------------------------------------------

TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
TEXT_RUN_RE = re.compile(r"[^<&]+")
NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
ATTR_RE = re.compile(r"\s*([A-Za-z][A-Za-z0-9_-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+)))?")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


def _unescape(value: str) -> str:
    def one(match: re.Match[str]) -> str:
        named, decimal, hexa = match.groups()
        if named:
            return NAMED_ENTITIES[named]
        return chr(int(decimal) if decimal else int(hexa, 16))

    return ENTITY_RE.sub(one, value)


class HtmlError(ApiError):
    def __init__(self, detail: str) -> None:
        super().__init__(400, f"Bad Request: can't parse entities: {detail}")


@dataclass
class _OpenTag:
    name: str
    start: int
    entity: JSON | None


def _read_tag(source: str, index: int) -> tuple[str, bool, dict[str, str], int]:
    """The tag starting at `index` (a '<'): (name, is_end, attributes, index after '>')."""
    offset = _byte_offset(source, index)
    position = index + 1
    is_end = source.startswith("/", position)
    position += is_end
    name_match = NAME_RE.match(source, position)
    if not name_match:
        found = source[position : position + 1]
        raise HtmlError(f'Unsupported start tag "{found}" at byte offset {offset}')
    name = name_match.group().lower()
    position = name_match.end()
    attributes: dict[str, str] = {}
    while True:
        while position < len(source) and source[position].isspace():
            position += 1
        if position >= len(source):
            raise HtmlError(f"Unclosed start tag at byte offset {offset}")
        if source[position] == ">":
            return name, is_end, attributes, position + 1
        attr = ATTR_RE.match(source, position)
        if is_end or not attr:
            raise HtmlError(
                f'Expected equal sign in declaration of an attribute of the tag "{name}" at byte offset {offset}'
            )
        value = next((v for v in attr.groups()[1:] if v is not None), "")
        attributes[attr.group(1).lower()] = _unescape(value)
        position = attr.end()


def _open_entity(name: str, attributes: dict[str, str], stack: list[_OpenTag], offset: int) -> JSON | None:
    if name not in TAG_ENTITY:
        raise HtmlError(f'Unsupported start tag "{name}" at byte offset {offset}')
    kind = TAG_ENTITY[name]
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if name == "a":
        href = attributes.get("href", "")
        return {"type": "text_link", "url": href} if href else None
    if name == "code" and stack and stack[-1].name == "pre":
        language = attributes.get("class", "").removeprefix("language-")
        if language and stack[-1].entity is not None:
            stack[-1].entity["language"] = language
        return None
    if name == "blockquote" and "expandable" in attributes:
        return {"type": "expandable_blockquote"}
    if name == "tg-emoji":
        return {"type": "custom_emoji", "custom_emoji_id": attributes.get("emoji-id", "")}
    return {"type": kind}


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Text and entities (UTF-16 offsets) as Telegram's HTML parse mode gives them, or HtmlError."""
    out: list[str] = []
    length = 0
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    index = 0
    while index < len(source):
        char = source[index]
        if char == "<":
            offset = _byte_offset(source, index)
            name, is_end, attributes, index = _read_tag(source, index)
            if not is_end:
                stack.append(_OpenTag(name, length, _open_entity(name, attributes, stack, offset)))
                continue
            if not stack:
                raise HtmlError(f"Unexpected end tag at byte offset {offset}")
            tag = stack.pop()
            if tag.name != name:
                raise HtmlError(
                    f'Unmatched end tag at byte offset {offset}, expected "</{tag.name}>", found "</{name}>"'
                )
            if tag.entity is not None and length > tag.start:
                entities.append({"offset": tag.start, "length": length - tag.start, **tag.entity})
            continue
        if char == "&":
            match = ENTITY_RE.match(source, index)
            if not match:
                raise HtmlError(
                    f"Bare '&' at byte offset {_byte_offset(source, index)}: write &amp; "
                    "(Telegram would keep it; this fake is stricter, to catch a missing escape)"
                )
            run = _unescape(match.group())
            index = match.end()
        else:  # a run of plain text up to the next tag or entity, taken whole
            text_run = TEXT_RUN_RE.match(source, index)
            assert text_run is not None  # `char` is neither '<' nor '&'
            run, index = text_run.group(), text_run.end()
        out.append(run)
        length += utf16_len(run)
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _strip(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Telegram trims surrounding whitespace from a message; entities move with the text."""
    stripped = text.strip()
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    moved = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] - lead + entity["length"])
        if end > start:
            moved.append({**entity, "offset": start, "length": end - start})
    return stripped, moved


def message_content(
    text: Any, parse_mode: Any, *, empty: str = "message text is empty", too_long: str = "message is too long"
) -> tuple[str, list[JSON]]:
    """Check and parse a message text the way sendMessage does."""
    if not isinstance(text, str):
        raise bad_request(empty)
    entities: list[JSON] = []
    if parse_mode in (None, ""):
        plain = text
    elif str(parse_mode).lower() == "html":
        plain, entities = parse_html(text)
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode!r} (this fake implements HTML only)")
    plain, entities = _strip(plain, entities)
    if not plain:
        raise bad_request(empty)
    if len(plain) > MESSAGE_LIMIT:
        raise bad_request(too_long)
    return plain, entities


# ----- keyboards ---------------------------------------------------------------------------------------

URL_RE = re.compile(r"^(https?|tg)://[^\s]+$")


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str) or not button["text"]:
        raise bad_request("BUTTON_TEXT_INVALID")
    kinds = [kind for kind in BUTTON_KINDS if kind in button]
    if len(kinds) != 1:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if "callback_data" in button and (
        not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not (isinstance(button["url"], str) and URL_RE.match(button["url"])):
        raise bad_request("BUTTON_URL_INVALID")


def check_markup(markup: Any) -> JSON | None:
    """A reply_markup as Telegram validates it; returns the inline keyboard (or None) a message keeps."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None  # reply keyboards and keyboard removal are accepted but not kept on the message
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    for row in rows:
        for button in row:
            _check_button(button)
    return {"inline_keyboard": rows} if any(rows) else None


# ----- what the test sees ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    """A button on a bot message, as the user's phone shows it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class SentMessage:
    """A message the bot sent (kept up to date when the bot edits it)."""

    chat_id: int
    message_id: int
    html: str
    text: str
    entities: list[JSON]
    markup: JSON | None
    parse_mode: str | None
    link_preview_options: JSON | None
    reply_to: int | None
    thread_id: int | None
    raw: JSON
    edits: list[str] = field(default_factory=list)

    @property
    def buttons(self) -> list[Button]:
        rows = (self.markup or {}).get("inline_keyboard", [])
        return [Button(b["text"], b.get("callback_data"), b.get("url")) for row in rows for b in row]

    @property
    def rows(self) -> list[list[str]]:
        return [[b["text"] for b in row] for row in (self.markup or {}).get("inline_keyboard", [])]

    @property
    def links(self) -> list[str]:
        """Every URL the message shows: text links and URL buttons."""
        urls = [e["url"] for e in self.entities if e["type"] == "text_link"]
        return urls + [b.url for b in self.buttons if b.url]

    def button(self, label: str) -> Button:
        for candidate in self.buttons:
            if candidate.text == label:
                return candidate
        raise AssertionError(f"no button {label!r} on the message; it has {[b.text for b in self.buttons]}")


@dataclass(frozen=True)
class Call:
    """One request the bot made, and how the fake answered it."""

    method: str
    params: JSON
    status: int
    description: str | None = None
    fault: bool = False


@dataclass
class Fault:
    method: str
    status: int | None = None
    retry_after: int | None = None
    delay: float = 0.0
    drop: bool = False
    times: int = 1


@dataclass
class _Query:
    id: str
    user_id: int
    created: float
    answer: JSON | None = None
    expired: bool = False


@dataclass(frozen=True)
class FakeUser:
    id: int
    first_name: str
    username: str | None = None
    language_code: str = "en"

    def to_dict(self) -> JSON:
        data: JSON = {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }
        if self.username:
            data["username"] = self.username
        return data


@dataclass(frozen=True)
class InlineAnswer:
    results: list[JSON]
    params: JSON

    @property
    def titles(self) -> list[str]:
        return [r.get("title", "") for r in self.results]

    def texts(self) -> list[str]:
        """The plain text each article would post."""
        return [
            message_content(r["input_message_content"]["message_text"], r["input_message_content"].get("parse_mode"))[0]
            for r in self.results
        ]


# ----- the server ----------------------------------------------------------------------------------------

Handler = Callable[[JSON, "_MethodHandler"], Awaitable[Any]]


class FakeBotAPI:
    """The fake Bot API server and the users who talk to the bot through it."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        username: str = "reviews_test_bot",
        first_name: str = "Reviews assistant (test)",
        query_ttl: float = 15.0,
        wait_timeout: float = 10.0,
        push_webhook: bool = True,
    ) -> None:
        """`push_webhook=False`: a set webhook receives nothing from the fake; the test takes the updates
        (`take_updates`) and delivers them itself, as a load balancer in front of several replicas would."""
        self.token = token
        self.push_webhook = push_webhook
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: JSON = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }
        self.query_ttl = query_ttl
        self.wait_timeout = wait_timeout
        self.calls: list[Call] = []
        self.sent: list[SentMessage] = []
        self.commands: dict[str, list[JSON]] = {}
        self.webhook: JSON | None = None
        self.webhook_deliveries: list[int] = []
        self.webhook_sets = 0
        self._faults: list[Fault] = []
        self._chats: dict[int, JSON] = {}
        self._blocked: set[int] = set()
        self._messages: dict[tuple[int, int], JSON] = {}
        self._sent_index: dict[tuple[int, int], SentMessage] = {}
        self._sent_by_chat: dict[int, list[SentMessage]] = {}
        self._next_message_id: dict[int, int] = {}
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1)
        self._allowed: list[str] | None = None
        self._callbacks: dict[str, _Query] = {}
        self._inline: dict[str, _Query] = {}
        self._waiters: set[asyncio.Future[None]] = set()
        self._poll: asyncio.Future[None] | None = None
        self.polls_waiting = 0
        self._server: tornado.httpserver.HTTPServer | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._closing = False
        self.port = 0
        self._methods: dict[str, Handler] = {
            name.lower(): handler
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_reply_markup,
                "deleteMessage": self._delete_message,
                "sendChatAction": self._send_chat_action,
                "answerCallbackQuery": self._answer_callback,
                "answerInlineQuery": self._answer_inline,
                "setMyCommands": self._set_commands,
                "getMyCommands": self._get_commands,
                "deleteMyCommands": self._delete_commands,
                "logOut": self._true,
                "close": self._true,
            }.items()
        }

    # ----- lifecycle ----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The Bot API root to give the bot (TELEGRAM_API_URL)."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = tornado.web.Application(
            [(r"/bot([^/]+)/([A-Za-z0-9_]+)/?", _MethodHandler, {"api": self})],
            log_function=lambda handler: None,
        )
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)

    async def stop(self) -> None:
        self._closing = True
        self._notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ----- the test's controls ---------------------------------------------------------------------------
    def inject(
        self,
        method: str,
        *,
        status: int | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
        drop: bool = False,
        times: int = 1,
    ) -> Fault:
        """Make the next `times` calls of `method` ("*" = any but getUpdates) fail, slow down or get lost.

        A lost call is recorded with status 0 (no answer).
        """
        fault = Fault(method.lower(), status, retry_after, delay, drop, times)
        self._faults.append(fault)
        return fault

    def remove_method(self, method: str) -> None:
        """Answer `method` with 404 from now on, like a Bot API emulator that does not implement it."""
        self._methods.pop(method.lower())

    def user(self, first_name: str = "Alice", *, username: str | None = None) -> FakeUser:
        """A new user with a private chat with the bot."""
        user = FakeUser(100 + next(self._ids), first_name, username)
        self._chats[user.id] = {
            "id": user.id,
            "type": "private",
            "first_name": first_name,
            **({"username": username} if username else {}),
        }
        return user

    def group(self, title: str = "Safeguarding team") -> int:
        chat_id = -1001000000000 - next(self._ids)
        self._chats[chat_id] = {"id": chat_id, "type": "supergroup", "title": title}
        return chat_id

    def conversation(self, user: FakeUser | None = None, chat_id: int | None = None) -> Conversation:
        user = user or self.user()
        return Conversation(self, user, chat_id if chat_id is not None else user.id)

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: Telegram refuses every message to that chat from now on (403)."""
        self._blocked.add(chat_id)

    def expire(self, query_id: str) -> None:
        """Age a callback or inline query past Telegram's answer window."""
        (self._callbacks.get(query_id) or self._inline[query_id]).expired = True

    def delete(self, chat_id: int, message_id: int) -> None:
        """The user deletes a message (the bot may still try to reply to it)."""
        self._messages.pop((chat_id, message_id), None)

    @property
    def unconfirmed_updates(self) -> int:
        """Updates the bot has not confirmed (with a later getUpdates offset, or a webhook 200)."""
        return len(self._updates)

    def take_updates(self) -> list[JSON]:
        """Every pending update, confirmed: the test delivers them itself (with `push_webhook=False`)."""
        taken, self._updates = self._updates, []
        return taken

    def messages_in(self, chat_id: int) -> list[SentMessage]:
        return list(self._sent_by_chat.get(chat_id, []))

    @property
    def errors(self) -> list[Call]:
        """Requests the fake refused (4xx) other than injected faults: a correct bot makes none."""
        return [c for c in self.calls if 400 <= c.status < 500 and not c.fault]

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    # ----- the user's actions --------------------------------------------------------------------------------
    def post_text(
        self,
        user: FakeUser,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to: int | None = None,
        entities: bool = True,
    ) -> JSON:
        """The user sends `text`; returns the message as the bot will receive it.

        Telegram marks /commands and @mentions with entities; `entities=False` sends the bare text, as
        some emulators do.
        """
        chat_id = user.id if chat_id is None else chat_id
        message = self._new_message(chat_id, user.to_dict(), text)
        marked = _user_entities(text) if entities else []
        if marked:
            message["entities"] = marked
        if reply_to is not None:
            message["reply_to_message"] = self._message(chat_id, reply_to)
        self._push_update("message", message)
        return message

    def post_message(self, user: FakeUser, fields: JSON, *, chat_id: int | None = None) -> JSON:
        """The user sends a message without text (a sticker, a photo…): `fields` are its Telegram fields."""
        chat_id = user.id if chat_id is None else chat_id
        message = self._new_message(chat_id, user.to_dict(), "")
        del message["text"]
        message.update(fields)
        self._push_update("message", message)
        return message

    def post_callback(self, user: FakeUser, message: SentMessage, data: str, *, expired: bool = False) -> str:
        """The user taps a callback button (or a button with any `data`, e.g. from an old keyboard).

        With `expired`, the bot sees the tap only after Telegram's answer window closed (a backlog).
        """
        query_id = str(9_000_000 + next(self._ids))
        self._callbacks[query_id] = _Query(query_id, user.id, time.monotonic(), expired=expired)
        self._push_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_dict(),
                "message": self._message(message.chat_id, message.message_id),
                "chat_instance": str(message.chat_id),
                "data": data,
            },
        )
        return query_id

    def post_inline(self, user: FakeUser, query: str) -> str:
        query_id = str(8_000_000 + next(self._ids))
        self._inline[query_id] = _Query(query_id, user.id, time.monotonic())
        self._push_update(
            "inline_query",
            {"id": query_id, "from": user.to_dict(), "query": query, "offset": "", "chat_type": "sender"},
        )
        return query_id

    # ----- waiting for the bot --------------------------------------------------------------------------------
    async def wait_until(self, predicate: Callable[[], bool], what: str, timeout: float | None = None) -> None:
        """Wait (bounded) until `predicate()` holds; fail with the recent calls if it never does."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (timeout if timeout is not None else self.wait_timeout)
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = [(c.method, c.status, c.description) for c in self.calls[-8:]]
                raise AssertionError(f"timed out waiting for {what}; last calls: {recent}")
            await self._wait_change(remaining)

    async def wait_messages(self, chat_id: int, after: int, count: int) -> list[SentMessage]:
        """The bot's messages in `chat_id` after the first `after` of them, once there are `count`."""

        def arrived() -> bool:
            return len(self._sent_by_chat.get(chat_id, [])) >= after + count

        await self.wait_until(arrived, f"{count} message(s) from the bot in chat {chat_id}")
        return self._sent_by_chat[chat_id][after:]

    async def wait_answer(self, query_id: str) -> JSON:
        query = self._callbacks.get(query_id) or self._inline[query_id]
        await self.wait_until(lambda: query.answer is not None, f"an answer to query {query_id}")
        assert query.answer is not None
        return query.answer

    def notify(self) -> None:
        """Wake every waiter to re-check its condition (for conditions outside the fake, e.g. a process exit)."""
        self._notify()

    # ----- internals ----------------------------------------------------------------------------------
    def _notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _wait_change(self, timeout: float) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)

    def _push_update(self, kind: str, payload: JSON) -> None:
        self._updates.append({"update_id": next(self._update_ids), kind: payload})
        self._notify()

    def _new_message(self, chat_id: int, sender: JSON, text: str) -> JSON:
        chat = self._chat(chat_id)
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        message: JSON = {"message_id": message_id, "from": sender, "chat": chat, "date": int(time.time()), "text": text}
        self._messages[(chat_id, message_id)] = message
        return message

    def _chat(self, chat_id: Any) -> JSON:
        try:
            return self._chats[int(chat_id)]
        except (KeyError, TypeError, ValueError):
            raise bad_request("chat not found") from None

    def _message(self, chat_id: int, message_id: int) -> JSON:
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise AssertionError(f"no message {message_id} in chat {chat_id}")
        return {k: v for k, v in message.items() if k != "reply_to_message"}

    def _fault_for(self, method: str) -> Fault | None:
        for fault in self._faults:
            if fault.times > 0 and (fault.method == method or (fault.method == "*" and method != "getupdates")):
                fault.times -= 1
                return fault
        return None

    async def handle(self, token: str, method: str, params: JSON, handler: _MethodHandler) -> tuple[int, JSON]:
        """One request: (HTTP status, response body)."""
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        name = method.lower()
        implementation = self._methods.get(name)
        if implementation is None:
            self.calls.append(Call(method, params, 404, "Not Found"))
            self._notify()
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        fault = self._fault_for(name)
        if fault is not None:
            self._notify()  # a waiter may be watching for the fault to be taken (the call is now in flight)
            failure = await self._apply(fault, method, params, handler)
            if failure is not None:
                return failure
        try:
            result = await implementation(params, handler)
        except ApiError as error:
            self.calls.append(Call(method, params, error.code, error.description))
            self._notify()
            body: JSON = {"ok": False, "error_code": error.code, "description": error.description}
            if error.parameters:
                body["parameters"] = error.parameters
            return error.code, body
        self.calls.append(Call(method, params, 200))
        self._notify()
        return 200, {"ok": True, "result": result}

    async def _apply(self, fault: Fault, method: str, params: JSON, handler: _MethodHandler) -> tuple[int, JSON] | None:
        if fault.drop:  # lost: never processed, never answered; only the client's timeout ends it
            self.calls.append(Call(method, params, 0, "dropped", fault=True))
            self._notify()
            while not (handler.closed or self._closing):
                await self._wait_change(1.0)
            return 504, {"ok": False, "error_code": 504, "description": "Gateway Timeout"}
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.status is None:
            return None
        description = {
            429: f"Too Many Requests: retry after {fault.retry_after}",
            500: "Internal Server Error",
            502: "Bad Gateway",
        }.get(fault.status, "Injected error")
        self.calls.append(Call(method, params, fault.status, description, fault=True))
        self._notify()
        body: JSON = {"ok": False, "error_code": fault.status, "description": description}
        if fault.retry_after is not None:
            body["parameters"] = {"retry_after": fault.retry_after}
        return fault.status, body

    # ----- methods -------------------------------------------------------------------------------------
    async def _true(self, params: JSON, handler: _MethodHandler) -> bool:
        return True

    async def _get_me(self, params: JSON, handler: _MethodHandler) -> JSON:
        return self.bot_user

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            self._updates = self._updates[offset:]
        elif offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def _deliverable(self, limit: int) -> list[JSON]:
        if self._allowed:
            self._updates = [u for u in self._updates if _update_type(u) in self._allowed]
        return self._updates[:limit]

    async def _get_updates(self, params: JSON, handler: _MethodHandler) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._confirm(int(params.get("offset") or 0))
        limit = max(1, min(100, int(params.get("limit") or 100)))
        if params.get("allowed_updates") is not None:
            self._allowed = list(params["allowed_updates"])
        if self._poll is not None and not self._poll.done():
            self._poll.set_result(None)  # a newer poll ends the older one, as on Telegram
        loop = asyncio.get_running_loop()
        poll: asyncio.Future[None] = loop.create_future()
        self._poll = poll
        self.polls_waiting += 1
        self._notify()
        try:
            return await self._long_poll(poll, limit, float(params.get("timeout") or 0), handler)
        finally:
            self.polls_waiting -= 1

    async def _long_poll(
        self, poll: asyncio.Future[None], limit: int, timeout: float, handler: _MethodHandler
    ) -> list[JSON]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            ready = self._deliverable(limit)
            if ready or self._closing or handler.closed:
                return ready
            if poll.done():
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await self._wait_change(remaining)

    async def _set_webhook(self, params: JSON, handler: _MethodHandler) -> bool:
        url = params.get("url") or ""
        if not url:
            return await self._delete_webhook(params, handler)
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if params.get("allowed_updates") is not None:
            self._allowed = list(params["allowed_updates"])
        self.webhook = {"url": url, "secret_token": secret}
        self.webhook_sets += 1
        if self.push_webhook and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_task = asyncio.get_running_loop().create_task(self._push_to_webhook())
        return True

    async def _delete_webhook(self, params: JSON, handler: _MethodHandler) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._notify()
        return True

    async def _get_webhook_info(self, params: JSON, handler: _MethodHandler) -> JSON:
        url = self.webhook["url"] if self.webhook else ""
        return {"url": url, "has_custom_certificate": False, "pending_update_count": len(self._updates)}

    async def _push_to_webhook(self) -> None:
        """Deliver pending updates to the webhook one by one, in order, retrying until it accepts each."""
        async with httpx.AsyncClient(timeout=5.0) as client:
            while self.webhook is not None and not self._closing:
                ready = self._deliverable(1)
                if not ready:
                    await self._wait_change(1.0)
                    continue
                headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook["secret_token"] or ""}
                try:
                    response = await client.post(self.webhook["url"], json=ready[0], headers=headers)
                    delivered = response.status_code == 200
                    self.webhook_deliveries.append(response.status_code)
                except httpx.HTTPError:
                    delivered = False
                if delivered:
                    self._confirm(ready[0]["update_id"] + 1)
                    self._notify()
                else:
                    await asyncio.sleep(0.05)

    def _reply_target(self, chat_id: int, params: JSON) -> int | None:
        reply = params.get("reply_parameters") or {}
        message_id = reply.get("message_id", params.get("reply_to_message_id"))
        if message_id is None:
            return None
        if (chat_id, int(message_id)) not in self._messages:
            if reply.get("allow_sending_without_reply") or params.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return int(message_id)

    def _reachable(self, chat_id: Any) -> JSON:
        chat = self._chat(chat_id)
        if chat["id"] in self._blocked:
            raise ApiError(403, BLOCKED)
        return chat

    async def _send_message(self, params: JSON, handler: _MethodHandler) -> JSON:
        chat = self._reachable(params.get("chat_id"))
        text, entities = message_content(params.get("text"), params.get("parse_mode"))
        markup = check_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat["id"], params)
        message = self._new_message(chat["id"], self.bot_user, text)
        if entities:
            message["entities"] = entities
        if markup:
            message["reply_markup"] = markup
        if reply_to is not None:
            message["reply_to_message"] = self._message(chat["id"], reply_to)
        thread = params.get("message_thread_id")
        if thread is not None:
            message["message_thread_id"] = thread
        sent = SentMessage(
            chat_id=chat["id"],
            message_id=message["message_id"],
            html=params["text"],
            text=text,
            entities=entities,
            markup=markup,
            parse_mode=params.get("parse_mode"),
            link_preview_options=params.get("link_preview_options"),
            reply_to=reply_to,
            thread_id=thread,
            raw=message,
        )
        self.sent.append(sent)
        self._sent_index[(sent.chat_id, sent.message_id)] = sent
        self._sent_by_chat.setdefault(sent.chat_id, []).append(sent)
        return message

    def _editable(self, params: JSON, method: str) -> tuple[JSON, SentMessage]:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID (this fake does not keep inline messages)")
        chat = self._reachable(params.get("chat_id"))
        key = (chat["id"], int(params.get("message_id") or 0))
        message = self._messages.get(key)
        if message is None:
            raise bad_request(f"message to {method} not found")
        sent = self._sent_index.get(key)
        if sent is None:
            raise bad_request("message can't be edited")
        return message, sent

    async def _edit_message_text(self, params: JSON, handler: _MethodHandler) -> JSON:
        message, sent = self._editable(params, "edit")
        text, entities = message_content(params.get("text"), params.get("parse_mode"))
        markup = check_markup(params.get("reply_markup"))
        if text == sent.text and entities == sent.entities and markup == sent.markup:
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        sent.edits.append(sent.html)
        sent.html, sent.text, sent.entities, sent.markup = params["text"], text, entities, markup
        message.update(text=text, edit_date=int(time.time()))
        _set_or_drop(message, "entities", entities)
        _set_or_drop(message, "reply_markup", markup)
        return message

    async def _edit_reply_markup(self, params: JSON, handler: _MethodHandler) -> JSON:
        message, sent = self._editable(params, "edit")
        markup = check_markup(params.get("reply_markup"))
        if markup == sent.markup:
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        sent.markup = markup
        _set_or_drop(message, "reply_markup", markup)
        message["edit_date"] = int(time.time())
        return message

    async def _delete_message(self, params: JSON, handler: _MethodHandler) -> bool:
        chat = self._chat(params.get("chat_id"))
        if self._messages.pop((chat["id"], int(params.get("message_id") or 0)), None) is None:
            raise bad_request("message to delete not found")
        return True

    async def _send_chat_action(self, params: JSON, handler: _MethodHandler) -> bool:
        self._chat(params.get("chat_id"))
        return True

    def _open_query(self, queries: dict[str, _Query], query_id: Any) -> _Query:
        query = queries.get(str(query_id))
        if (
            query is None
            or query.answer is not None
            or query.expired
            or (time.monotonic() - query.created > self.query_ttl)
        ):
            raise ApiError(400, QUERY_TOO_OLD)
        return query

    async def _answer_callback(self, params: JSON, handler: _MethodHandler) -> bool:
        query = self._open_query(self._callbacks, params.get("callback_query_id"))
        if len(str(params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answer = dict(params)
        return True

    async def _answer_inline(self, params: JSON, handler: _MethodHandler) -> bool:
        query = self._open_query(self._inline, params.get("inline_query_id"))
        results = params.get("results")
        if not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH")
        ids: set[str] = set()
        for result in results:
            _check_result(result, ids)
        button = params.get("button")
        if button is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(button.get("start_parameter", ""))):
            raise bad_request("START_PARAM_INVALID")
        query.answer = dict(params)
        return True

    async def _set_commands(self, params: JSON, handler: _MethodHandler) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[_command_key(params)] = commands
        return True

    async def _get_commands(self, params: JSON, handler: _MethodHandler) -> list[JSON]:
        return self.commands.get(_command_key(params), [])

    async def _delete_commands(self, params: JSON, handler: _MethodHandler) -> bool:
        self.commands.pop(_command_key(params), None)
        return True


def _command_key(params: JSON) -> str:
    scope = params.get("scope") or {"type": "default"}
    return f"{scope.get('type')}:{params.get('language_code') or ''}"


def _check_result(result: Any, ids: set[str]) -> None:
    if not isinstance(result, dict) or not isinstance(result.get("id"), str):
        raise bad_request("RESULT_ID_INVALID")
    if not 1 <= len(result["id"].encode("utf-8")) <= 64:
        raise bad_request("RESULT_ID_INVALID")
    if result["id"] in ids:
        raise bad_request("RESULT_ID_DUPLICATE")
    ids.add(result["id"])
    if result.get("type") == "article" and not result.get("title"):
        raise bad_request("RESULT_TITLE_EMPTY")
    content = result.get("input_message_content")
    if isinstance(content, dict) and "message_text" in content:
        message_content(
            content["message_text"], content.get("parse_mode"), empty="MESSAGE_EMPTY", too_long="MESSAGE_TOO_LONG"
        )
    check_markup(result.get("reply_markup"))


def _set_or_drop(message: JSON, key: str, value: Any) -> None:
    if value:
        message[key] = value
    else:
        message.pop(key, None)


def _update_type(update: JSON) -> str:
    return next((k for k in update if k != "update_id"), "")


def _user_entities(text: str) -> list[JSON]:
    """The entities Telegram's clients attach to what a user types: /commands and @mentions."""
    entities = []
    for match in re.finditer(r"(?:^|(?<=\s))(/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?|@[A-Za-z0-9_]{3,32})", text):
        offset = utf16_len(text[: match.start()])
        kind = "bot_command" if match.group().startswith("/") else "mention"
        entities.append({"type": kind, "offset": offset, "length": utf16_len(match.group())})
    return entities


def _decode(name: str, value: str) -> Any:
    if name in STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class _MethodHandler(tornado.web.RequestHandler):
    """Every Bot API method: POST or GET, form, multipart or JSON parameters."""

    def initialize(self, api: FakeBotAPI) -> None:
        self.api = api
        self.closed = False

    def on_connection_close(self) -> None:
        self.closed = True
        self.api._notify()

    def _params(self) -> JSON:
        params: JSON = {}
        for name, values in self.request.query_arguments.items():
            params[name] = _decode(name, values[-1].decode("utf-8"))
        if self.request.headers.get("Content-Type", "").startswith("application/json") and self.request.body:
            params.update(json.loads(self.request.body))
        else:
            for name, values in self.request.body_arguments.items():
                params[name] = _decode(name, values[-1].decode("utf-8"))
        return params

    async def post(self, token: str, method: str) -> None:
        status, body = await self.api.handle(token, method, self._params(), self)
        if self.closed:
            return
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    get = post


class Conversation:
    """One user talking to the bot in one chat: say things, tap buttons, type inline queries."""

    def __init__(self, api: FakeBotAPI, user: FakeUser, chat_id: int) -> None:
        self.api = api
        self.user = user
        self.chat_id = chat_id

    @property
    def received(self) -> list[SentMessage]:
        return self.api.messages_in(self.chat_id)

    async def say(self, text: str, *, expect: int = 1, reply_to: int | None = None) -> list[SentMessage]:
        """Send `text` and return the bot's next `expect` messages in this chat."""
        before = len(self.received)
        self.api.post_text(self.user, text, chat_id=self.chat_id, reply_to=reply_to)
        return await self.api.wait_messages(self.chat_id, before, expect)

    def post(self, text: str, *, reply_to: int | None = None) -> JSON:
        """Send `text` without waiting (for messages the bot should ignore)."""
        return self.api.post_text(self.user, text, chat_id=self.chat_id, reply_to=reply_to)

    async def tap(self, message: SentMessage, label: str, *, expect: int = 1) -> tuple[JSON, list[SentMessage]]:
        """Tap the button called `label`: (the callback answer, the bot's next `expect` messages)."""
        button = message.button(label)
        if button.callback_data is None:
            raise AssertionError(f"button {label!r} opens {button.url}; it sends no callback")
        return await self.tap_data(message, button.callback_data, expect=expect)

    async def tap_data(self, message: SentMessage, data: str, *, expect: int = 1) -> tuple[JSON, list[SentMessage]]:
        before = len(self.received)
        query_id = self.api.post_callback(self.user, message, data)
        answer = await self.api.wait_answer(query_id)
        return answer, await self.api.wait_messages(self.chat_id, before, expect)

    async def inline(self, query: str) -> InlineAnswer:
        """Type `@bot query` in any chat: the results the bot offers."""
        query_id = self.api.post_inline(self.user, query)
        answer = await self.api.wait_answer(query_id)
        return InlineAnswer(list(answer.get("results", [])), answer)


def every_link(messages: Iterable[SentMessage]) -> list[str]:
    return [url for message in messages for url in message.links]
