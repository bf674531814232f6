"""The baseline: an echo bot on python-telegram-bot, written the way PTB's examples write it.

Same library, same rate limiter, same fake server as `tocds run`; it only answers each
text with the same text. Run by run.py with the fake's URL and token in the environment.
"""

import os

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(update.message.text)


def main() -> None:
    api_url = os.environ["TOCDS_TELEGRAM_API_URL"]
    application = (
        Application.builder()
        .token(os.environ["TOCDS_TELEGRAM_TOKEN"])
        .base_url(api_url)
        .base_file_url(api_url.replace("/bot", "/file/bot"))
        .rate_limiter(AIORateLimiter())
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=30)


if __name__ == "__main__":
    main()
