"""Counts of items and the summary sentence of 附件2."""

from __future__ import annotations

from collections.abc import Iterable

from .models import Colour, Counts, Item


def count_items(items: Iterable[Item]) -> Counts:
    """Count open items; closed (销号) items are counted apart, and an item with several source
    letters counts once under each letter (the template's own example ``ABC``)."""
    counts = Counts()
    for item in items:
        if item.closed:
            counts.closed += 1
            continue
        counts.total += 1
        if item.star_level is None:
            counts.unrecognised.stars += 1
        else:
            counts.stars[str(item.star_level)] += 1
        if item.source is None:
            counts.unrecognised.sources += 1
        else:
            for letter in item.source:
                counts.sources[letter] += 1
        if item.colour is Colour.UNKNOWN:
            counts.unrecognised.colours += 1
        else:
            counts.colours[item.colour.value] += 1
    return counts
