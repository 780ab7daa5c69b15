"""Word counts of StreamField bodies and the NCBTMB reading-time estimate of CE hours.

NCBTMB's home-study guidance: the average reader reads about 200 words a minute, so
12,000 words read equal 1 CE hour; CE hours are awarded in whole or half hours only,
and a course may neither overstate nor understate its hours.
"""

import math
import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import strip_tags

from content.models import Muscle, RedFlag
from content.streamfield_text import value_text

WORDS_PER_MINUTE = 200
WORDS_PER_CE_HOUR = WORDS_PER_MINUTE * 60  # 12,000
CE_HOURS_TOLERANCE = Decimal("0.25")  # warn when approved and estimated hours differ by more

_WORD = re.compile(r"[\w'’-]+")
_UNREAD_KEYS = {"anchor", "url", "file_name"}


def count_text_words(text: str) -> int:
    return len(_WORD.findall(strip_tags(text or "")))


def count_words(stream) -> int:
    total = 0
    for block in stream or []:
        total += count_text_words(
            value_text(block.value, skip_keys=_UNREAD_KEYS, object_text=_knowledge_base_card_text)
        )
    return total


def reading_minutes(words: int) -> int:
    return math.ceil(words / WORDS_PER_MINUTE) if words else 0


def estimated_ce_hours(words: int) -> Decimal:
    """Hours of reading by the NCBTMB rule (12,000 words = 1 CE hour), to two decimals."""
    return (Decimal(words) / WORDS_PER_CE_HOUR).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def nearest_half_hour(hours: Decimal) -> Decimal:
    """NCBTMB awards CE hours in whole or half hours only."""
    return (Decimal(hours) * 2).quantize(Decimal("1"), rounding=ROUND_HALF_UP) / 2


def hours_disagree(approved: Decimal, estimated: Decimal) -> bool:
    """True when the approved hours are more than 25% away from the reading estimate."""
    approved, estimated = Decimal(approved or 0), Decimal(estimated or 0)
    if not approved:
        return bool(estimated)
    return abs(approved - estimated) / approved > CE_HOURS_TOLERANCE


def ce_hours_check(course) -> dict:
    """Words, reading time and the estimate for a course, from each module's latest revision
    (so an instructor sees the course as it is being edited, drafts included)."""
    modules = []
    if course is not None and course.pk:
        for module in course.get_children().specific().order_by("path"):
            latest = module.get_latest_revision_as_object() if module.has_unpublished_changes else module
            words = count_words(getattr(latest, "body", None))
            modules.append(
                {
                    "title": latest.title,
                    "words": words,
                    "minutes": reading_minutes(words),
                    "live": module.live,
                }
            )
    words = sum(m["words"] for m in modules)
    estimate = estimated_ce_hours(words)
    approved = getattr(course, "ce_hours", None)
    return {
        "modules": modules,
        "words": words,
        "minutes": reading_minutes(words),
        "estimated_hours": estimate,
        "suggested_hours": nearest_half_hour(estimate),
        "approved_hours": approved,
        "disagree": approved is not None and bool(modules) and hours_disagree(approved, estimate),
        "words_per_ce_hour": WORDS_PER_CE_HOUR,
        "tolerance_percent": int(CE_HOURS_TOLERANCE * 100),
    }


def _knowledge_base_card_text(value):
    """The text a reader sees on a muscle card or red-flag callout (None for anything else),
    as templates/blocks/muscle_card_block.html and red_flag_callout_block.html show it."""
    if isinstance(value, Muscle):
        parts = [
            value.name,
            value.origin,
            value.insertion,
            *(value.actions or []),
            value.innervation,
            value.referred_pain,
        ]
        return " ".join(str(p) for p in parts if p)
    if isinstance(value, RedFlag):
        # "why" sits in a closed <details> on the callout; count only what is shown
        parts = [value.sign, value.suspected_condition, value.get_action_level_display(), value.action]
        return " ".join(str(p) for p in parts if p)
    return None
