"""Accounts made before e-mail verification existed (django-allauth) count as verified, and learners who
typed a placeholder for the license number they did not have are students.

Why verified: these addresses were accepted as typed under the old rules, and the learners have been
studying with them; asking each one to verify now would hold back certificates (verification is a
certificate rule, courses/completion.py) over a rule the account predates. An address shared by several
old accounts is left unverified (allauth allows one verified owner per address): those learners verify.
Every account made from now on verifies its address by the link it is sent.
"""

from django.db import migrations
from django.db.models.functions import Lower

# What learners typed when sign-up demanded a license number they did not have.
PLACEHOLDERS = {"student", "none", "n/a", "na", "-", "no", "no license", "not licensed", "pending"}


def forwards(apps, schema_editor):
    User = apps.get_model("cms", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    users = User.objects.exclude(email="").annotate(email_lower=Lower("email"))
    owners: dict[str, list[int]] = {}
    for user_id, email in users.values_list("pk", "email_lower"):
        owners.setdefault(email, []).append(user_id)
    for email, user_ids in owners.items():
        for user_id in user_ids:
            if EmailAddress.objects.filter(user_id=user_id, email__iexact=email).exists():
                continue
            EmailAddress.objects.filter(user_id=user_id, primary=True).update(primary=False)
            EmailAddress.objects.create(
                user_id=user_id, email=email, primary=True, verified=len(user_ids) == 1
            )
    for user in User.objects.exclude(license_number="").only("pk", "license_number"):
        if user.license_number.strip().casefold() in PLACEHOLDERS:
            User.objects.filter(pk=user.pk).update(
                learner_status="student", license_number="", license_state=""
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0005_learner_status"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
