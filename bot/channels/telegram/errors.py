"""What a failed Bot API call means: may it be sent again, may it have gone, will it ever pass.

- Retriable (`retriable`): a Bot API error response with a 5xx code (the server answered that
  it failed), or a network error raised before the request left (connection refused, connect
  timeout). Idempotent methods (edits, deletes, answers, settings) also after a timeout, a
  dropped connection or an unreadable answer: sending them twice changes nothing.
- Ambiguous (`is_ambiguous`): a timeout or a dropped connection after the request was written,
  or an unreadable answer (a proxy's 502 page): Telegram may have carried the call out, so a
  method that creates a message is not sent again.
- Permanent (`PERMANENT`): blocked by the user, chat not found, a bad request, a refused token,
  a file too large; an outbox row failing so is given up (`failure`).
"""

from __future__ import annotations

from typing import Any

import aiohttp
from aiogram import methods
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import TelegramMethod

from bot.channels import base
from bot.channels.base import Failure

# Sending these twice changes nothing: safe to retry whatever the failure.
IDEMPOTENT: tuple[type[TelegramMethod[Any]], ...] = (
    methods.AnswerCallbackQuery,
    methods.CloseForumTopic,
    methods.DeleteMessage,
    methods.DeleteWebhook,
    methods.EditForumTopic,
    methods.EditMessageCaption,
    methods.EditMessageReplyMarkup,
    methods.EditMessageText,
    methods.GetChatMember,
    methods.GetMe,
    methods.ReopenForumTopic,
    methods.SetMyCommands,
    methods.SetWebhook,
)
PERMANENT = (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramUnauthorizedError,
    TelegramEntityTooLarge,
    TelegramMigrateToChat,
)


def not_sent(error: BaseException) -> bool:
    """A network error raised before the request left this machine."""
    cause = error.__cause__
    return isinstance(cause, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError)


def retriable(method: TelegramMethod[Any], error: BaseException) -> bool:
    """Whether sending `method` again after `error` cannot duplicate anything."""
    if isinstance(error, TelegramServerError):
        return True
    if isinstance(error, TelegramEntityTooLarge):
        return False
    if isinstance(error, TelegramNetworkError) and not_sent(error):
        return True
    if isinstance(error, TelegramNetworkError | ClientDecodeError):
        return isinstance(method, IDEMPOTENT)
    return False


def is_ambiguous(error: BaseException) -> bool:
    """Telegram may have carried out the call although we saw an error."""
    if isinstance(error, TelegramEntityTooLarge):
        return False
    if isinstance(error, TelegramNetworkError):
        return not not_sent(error)
    return isinstance(error, ClientDecodeError)


def failure(error: BaseException) -> Failure:
    """How the outbox runner treats a Telegram delivery that raised `error`."""
    if is_ambiguous(error):
        return Failure.MAYBE_SENT
    if isinstance(error, PERMANENT):
        return Failure.PERMANENT
    return base.failure(error)
