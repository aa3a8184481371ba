"""measure id → its former implementation (reports.measures.legacy)."""

LEGACY = {}


def legacy(measure_id: str):
    def register(compute):
        LEGACY[measure_id] = compute
        return compute

    return register
