"""From entity spans to resolved places: span repair, recovery, resolution, aggregation."""
