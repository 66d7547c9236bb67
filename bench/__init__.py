"""`python -m bench`: orderbot's full stack against bare aiogram, in one process run.

See docs/performance.md for the method and the figures. Nothing here is imported by the bot.
"""
