"""Logging a browser context in without the log-in form, for journeys where logging in is not what is
tested (the form is: test_pages_accessibility.py and test_learner_journey.py go through it)."""

from django.conf import settings
from django.test import Client


def session_cookie_add(context, live_server, user):
    """Give the browser context `user`'s session cookie (Django's force_login): one request less per
    log-in, and no form to fill."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
