import pytest

from kakehashi.ctf.prerequisites import creates_cycle, missing

# 3 needs 2, 2 needs 1.
CHAIN = {3: [2], 2: [1], 1: []}


@pytest.mark.parametrize(
    ("challenge", "wanted", "cycle"),
    [
        (1, [3], True),  # 1 → 3 → 2 → 1
        (1, [2], True),
        (1, [1], True),  # itself
        (4, [3], False),
        (3, [1, 2], False),
        (2, [4], False),
        (1, [], False),
    ],
)
def test_creates_cycle(challenge: int, wanted: list[int], cycle: bool) -> None:
    assert creates_cycle(CHAIN, challenge, wanted) is cycle


def test_diamond_is_not_a_cycle() -> None:
    graph = {4: [2, 3], 2: [1], 3: [1], 1: []}
    assert not creates_cycle(graph, 5, [4])
    assert creates_cycle(graph, 1, [4])


def test_missing() -> None:
    assert missing([1, 2, 3], [2]) == {1, 3}
    assert missing([], [1]) == set()
