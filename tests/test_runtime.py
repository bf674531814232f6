"""How long-running processes set themselves up (bot/runtime.py)."""

import asyncio
import gc
import threading
import weakref

from tocds.bot.runtime import DATABASE_THREADS, spare_the_collector, use_few_threads


def test_database_work_runs_on_few_threads():
    async def threads_used() -> set[str]:
        use_few_threads()
        names = await asyncio.gather(*(asyncio.to_thread(lambda: threading.current_thread().name)
                                       for _ in range(20)))
        return set(names)

    names = asyncio.run(threads_used())
    assert 1 <= len(names) <= DATABASE_THREADS
    assert all(name.startswith("tocds-db") for name in names)


def test_start_up_objects_are_set_aside_after_garbage_is_collected():
    class Node:
        pass

    def make_garbage() -> weakref.ref:
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle: only the collector frees it
        return weakref.ref(a)

    kept = [Node() for _ in range(1000)]
    garbage = make_garbage()
    assert garbage() is not None
    before = gc.get_freeze_count()
    try:
        spare_the_collector()
        assert garbage() is None  # collected, not set aside for good
        assert gc.get_freeze_count() - before >= len(kept)
        # Set aside: no generation holds them, so no full pass walks them again.
        assert not any(o is kept[0] for o in gc.get_objects())
    finally:
        gc.unfreeze()
    assert any(o is kept[0] for o in gc.get_objects())
