"""Prerequisite graphs of challenges — pure functions over plain ids."""

from collections.abc import Iterable, Mapping


def creates_cycle(graph: Mapping[int, Iterable[int]], challenge: int, prerequisites: Iterable[int]) -> bool:
    """Would giving ``challenge`` these prerequisites make a challenge (indirectly) require itself?

    ``graph`` maps each challenge to its current prerequisites.
    """
    wanted = set(prerequisites)
    if challenge in wanted:
        return True
    seen: set[int] = set()
    stack = list(wanted)
    while stack:
        current = stack.pop()
        if current == challenge:
            return True
        if current in seen:
            continue
        seen.add(current)
        stack.extend(graph.get(current, ()))
    return False


def missing(prerequisites: Iterable[int], solved: Iterable[int]) -> set[int]:
    return set(prerequisites) - set(solved)
