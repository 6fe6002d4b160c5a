"""Counts of items and the summary sentence of 附件2."""

from __future__ import annotations

from collections.abc import Iterable

from .models import Colour, Counts, Item, construct


def count_items(items: Iterable[Item]) -> Counts:
    """Count open items; closed (销号) items are counted apart, and an item with several source
    letters counts once under each letter (the template's own example ``ABC``)."""
    counts = construct(Counts, {})  # no validator built for an empty model (see validate_file)
    # Plain ints while counting (every += on the model is an attribute set through pydantic);
    # a figure is set on the model only if it was counted, as the += did.
    closed = total = no_stars = no_sources = no_colours = 0
    stars, sources, colours = counts.stars, counts.sources, counts.colours
    unknown = Colour.UNKNOWN
    for item in items:
        if item.closed:
            closed += 1
            continue
        total += 1
        level = item.star_level
        if level is None:
            no_stars += 1
        else:
            stars[str(level)] += 1
        if item.source is None:
            no_sources += 1
        else:
            for letter in item.source:
                sources[letter] += 1
        colour = item.colour
        if colour is unknown:
            no_colours += 1
        else:
            # The member itself as the key: a StrEnum equals its value, so this adds to the "blue"…
            # entry (the key stays the plain string) without Enum.value's property lookup.
            colours[colour] += 1
    if closed:
        counts.closed = closed
    if total:
        counts.total = total
    if no_stars:
        counts.unrecognised.stars = no_stars
    if no_sources:
        counts.unrecognised.sources = no_sources
    if no_colours:
        counts.unrecognised.colours = no_colours
    return counts
