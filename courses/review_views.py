"""The learner's spaced review at /review/ (the deck and its scheduling are quizzes'): due cards
first, one question of the card's family at a time, graded on the server when answered, then the key,
the explanation and a link back to the lesson. A card is only its owner's: anyone else gets 404.
Each page runs a fixed number of queries whatever the size of the deck."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quizzes.errors import QuizError
from quizzes.grading import TriageError
from quizzes.review_schedule import RATING_NAMES
from quizzes.review_selectors import card_for_learner, deck_summary, due_cards, next_due_card
from quizzes.review_services import ReviewError, review_answer, review_serve
from quizzes.selectors import describe_answer, question_widget, zones_with_shapes
from quizzes.snapshots import item_triage_error, public_item

from .review_digest import digest_preference, digest_set, unsubscribe_token_user_id, unsubscribe_user
from .review_forms import DigestForm

MAX_BODY_BYTES = 64 * 1024


@require_GET
@login_required
def review_home(request):
    now = timezone.now()
    context = {
        "summary": deck_summary(user=request.user, now=now),
        "due": due_cards(user=request.user, now=now),
    }
    preference = digest_preference(request.user)
    context["digest_form"] = DigestForm(initial={"digest": bool(preference and preference.digest)})
    return render(request, "courses/review_deck.html", context)


@require_GET
@login_required
def review_next(request):
    card = next_due_card(user=request.user)
    if card is None:
        messages.success(request, "Nothing is due right now: well done. Come back when cards are due.")
        return redirect("review:home")
    return redirect("review:card", card_id=card.pk)


@login_required
@require_http_methods(["GET", "POST"])
def review_card(request, card_id):
    """GET: the card's question, without its key. POST: the answer, graded; then the key."""
    card = card_for_learner(user=request.user, card_id=card_id)
    if request.method == "POST":
        return _answer(request, card)
    if card.due > timezone.now() and not card.served:
        messages.info(request, "That card is not due yet: it comes back when its time is up.")
        return redirect("review:next")
    try:
        served = review_serve(card=card)
    except ReviewError as error:
        messages.info(request, error.message)
        return redirect("review:next")
    zones = zones_with_shapes(served.get("zones", []))
    # No safety-critical marker before the answer: on a triage question it would hint at a referral.
    public = {k: v for k, v in public_item(served["item"]).items() if k != "critical"}
    context = {
        "card": card,
        "question": question_widget(public, None, zones),
        "token": served["token"],
        "has_body_map": bool(zones),
        "summary": deck_summary(user=request.user),
    }
    return render(request, "courses/review_card.html", context)


def _answer(request, card):
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
            raise RequestDataTooBig
        outcome = review_answer(card=card, token=request.POST.get("token", ""), form_data=request.POST)
    except (RequestDataTooBig, ValueError):
        return HttpResponseBadRequest("The request is too large or malformed and was refused.")
    except QuizError as error:
        context = {"error": error.message, "card": card}
        return render(request, "courses/review_card.html", context, status=error.status)
    item, now = outcome.item, timezone.now()
    context = {
        "card": outcome.card,
        "answered": True,
        "item": item,
        "correct": outcome.correct,
        "your_answer": describe_answer(item, outcome.answer, outcome.zones),
        "correct_answer": describe_answer(item, item["key"], outcome.zones),
        # Which way a safety-critical triage answer missed: a missed (or too late) referral is the dangerous one.
        "triage_error": item_triage_error(item, outcome.answer, outcome.correct)
        if item["critical"]
        else None,
        "under_triage": TriageError.UNDER,
        "seconds": round(outcome.seconds),
        "rating": RATING_NAMES[outcome.rating],
        "next_in": _interval(outcome.card.due - now),
        "summary": deck_summary(user=request.user, now=now),
    }
    return render(request, "courses/review_card.html", context)


def _interval(delta: timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    if minutes < 36 * 60:
        hours = round(minutes / 60)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = round(minutes / 1440)
    return f"{days} days"


@require_POST
@login_required
def review_digest(request):
    form = DigestForm(request.POST)
    on = form.is_valid() and form.cleaned_data["digest"]
    digest_set(request.user, on=on)
    if on:
        messages.success(request, "You will get an e-mail, at most once a week, when review cards are due.")
    else:
        messages.success(request, "No more review e-mails. You can switch them on again here.")
    return redirect("review:home")


# CSRF protects a session's ambient authority from other sites' forms. Here the signed token in the URL is the
# only authority (the view never reads the session or request.user), so anyone able to make this POST already
# holds the link, and a mail client's RFC 8058 one-click POST (List-Unsubscribe-Post) carries no CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def review_unsubscribe(request, token):
    """The signed link of the digest e-mail (django.core.signing), no log-in. GET only asks and changes
    nothing (mail scanners and link previews fetch links); POST switches the e-mails off."""
    try:
        if request.method == "POST":
            unsubscribe_user(token)
        else:
            unsubscribe_token_user_id(token)
    except signing.BadSignature:
        return render(request, "courses/review_unsubscribe.html", {"state": "invalid"}, status=400)
    state = "done" if request.method == "POST" else "confirm"
    return render(request, "courses/review_unsubscribe.html", {"state": state, "token": token})
