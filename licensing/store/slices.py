"""Work over many ids in slices: an IN list of a few hundred stays fast on both databases, and a
bulk write in slices never holds every row at once."""

from typing import Iterator, Sequence, TypeVar

T = TypeVar("T")

IN_LIST_SIZE = 500


def in_slices(items: Sequence[T], size: int = IN_LIST_SIZE) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
