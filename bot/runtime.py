"""How a long-running tocds process (`run`, `scheduler`, `serve`) sets itself up once started."""

import asyncio
import gc
from concurrent.futures import ThreadPoolExecutor

DATABASE_THREADS = 2  # for asyncio.to_thread, where the database work runs


def use_few_threads() -> None:
    """Fewer worker threads than asyncio's default (CPU count + 4): each one ends up with
    a pooled connection, SQLite's caches in it, and a malloc arena of its own (some MB
    in all), while SQLite writes one transaction at a time anyway. Two, so that a long
    job leaves a thread for the replies."""
    asyncio.get_running_loop().set_default_executor(
        ThreadPoolExecutor(DATABASE_THREADS, thread_name_prefix="tocds-db"))


def spare_the_collector() -> None:
    """Takes what start-up built (modules, table mappings, the messengers' clients: some
    90,000 objects that live as long as the process) out of the garbage collector's full
    passes. Each full pass would walk all of them again, ~60 ms on a small machine, in the
    middle of a reply or a summary, and never find garbage there. Collected first, so that
    only live objects are set aside."""
    gc.collect()
    gc.freeze()
