"""Geometry of the item-analysis charts, drawn as inline SVG by the template (no chart library).

Coordinates are computed here in SVG user units; the template only places the shapes.
"""

from .item_statistics import LOW_DISCRIMINATION, TOO_EASY, TOO_HARD

WIDTH, HEIGHT = 520, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 44
MAX_LABELLED = 30  # beyond this many questions only flagged points carry their number


def _plot_box():
    return {"x": LEFT, "y": TOP, "w": WIDTH - LEFT - RIGHT, "h": HEIGHT - TOP - BOTTOM}


def _nice_max(value: int) -> int:
    """A round axis maximum at or above `value` (1, 2, 5 × 10ⁿ)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def histogram(bins: list[int], pass_mark: int) -> dict:
    box = _plot_box()
    top = _nice_max(max(bins, default=0))
    width = box["w"] / len(bins)
    bars = []
    for n, count in enumerate(bins):
        h = box["h"] * count / top
        low = n * 10
        bars.append(
            {
                "x": round(box["x"] + n * width + 2, 1),
                "y": round(box["y"] + box["h"] - h, 1),
                "w": round(width - 4, 1),
                "h": round(h, 1),
                "count": count,
                "label": f"{low}–{low + 9}" if n < len(bins) - 1 else f"{low}–100",
                "passing": low >= pass_mark,
                "label_x": round(box["x"] + (n + 0.5) * width, 1),
            }
        )
    ticks = [
        {"value": v, "y": round(box["y"] + box["h"] - box["h"] * v / top, 1)}
        for v in sorted({0, top // 2, top} if top > 1 else {0, 1})
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "box": box,
        "bars": bars,
        "ticks": ticks,
        "pass_x": round(box["x"] + box["w"] * pass_mark / 100, 1),
        "pass_mark": pass_mark,
        "axis_y": box["y"] + box["h"],
        "label_y": box["y"] + box["h"] + 16,
        "title_y": HEIGHT - 6,
    }


def scatter(questions) -> dict:
    """Facility (x, 0..1) against discrimination (y, −1..1); the good zone is shaded."""
    box = _plot_box()

    def sx(f):
        return round(box["x"] + box["w"] * f, 1)

    def sy(d):
        return round(box["y"] + box["h"] * (1 - (d + 1) / 2), 1)

    points = [
        {
            "x": sx(q.facility),
            "y": sy(q.discrimination),
            "number": number,
            "id": q.question_id,
            "flagged": bool(q.flags),
            "facility": q.facility,
            "discrimination": q.discrimination,
            "flags": ", ".join(q.flags),
            "labelled": bool(q.flags) or len(questions) <= MAX_LABELLED,
        }
        for number, q in enumerate(questions, start=1)
        if q.facility is not None and q.discrimination is not None
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "box": box,
        "points": points,
        "good": {
            "x": sx(TOO_HARD),
            "y": sy(1),
            "w": round(sx(TOO_EASY) - sx(TOO_HARD), 1),
            "h": round(sy(LOW_DISCRIMINATION) - sy(1), 1),
        },
        "x_ticks": [{"value": v, "x": sx(v)} for v in (0, 0.3, 0.5, 0.95)],
        "y_ticks": [{"value": v, "y": sy(v)} for v in (-1, 0, 0.2, 1)],
        "zero_y": sy(0),
        "axis_y": box["y"] + box["h"],
        "label_y": box["y"] + box["h"] + 16,
        "title_y": HEIGHT - 6,
        "unplotted": sum(1 for q in questions if q.discrimination is None),
    }
