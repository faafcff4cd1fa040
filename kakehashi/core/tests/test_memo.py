"""The per-process least-recently-used map."""

from kakehashi.core.memo import Memo


def test_the_least_recently_used_entry_goes_first() -> None:
    memo = Memo(2)
    memo.put(("a",), 1)
    memo.put(("b",), 2)
    assert memo.get(("a",)) == 1  # now the most recently used
    memo.put(("c",), 3)
    assert memo.get(("b",)) is None
    assert memo.get(("a",)) == 1
    assert memo.get(("c",)) == 3
    assert len(memo) == 2


def test_drop_and_clear() -> None:
    memo = Memo(4)
    memo.put(("a",), 1)
    memo.put(("b",), 2)
    memo.drop(("a",))
    memo.drop(("missing",))
    assert memo.get(("a",)) is None
    assert len(memo) == 1
    memo.clear()
    assert len(memo) == 0
