"""Credentials of boards whose CE cycle ends on the same day for every licensee get that deadline: the date
a learner entered moves to the end of the cycle it falls in, as the form now does (courses/renewal_rules.py,
`fixed_cycle_end` in courses/data/renewal_rules.yaml). The cycles are written out here, as they were when
this ran, so the migration does not change with the data file.

Tennessee is not among them: its CE cycle is fixed (31 December of even years) but its licenses renew on
staggered dates (rule 0870-01-.10(1)(a)), so a Tennessee date is the license's own and is kept
(`deadline: ce_cycle` in the data file). A database that ran this migration before Tennessee was taken out
holds such dates moved to 31 December of an even year; they cannot be told apart from a true date."""

from datetime import date

from django.db import migrations

# kind: (month, day, years) of the cycle's end
FIXED_CYCLE_ENDS = {"FL": (8, 31, "odd"), "GA": (10, 31, "even"), "LA": (3, 31, "every")}


def _cycle_end(day: date, month: int, last_day: int, years: str) -> date:
    year = day.year
    while not (
        (years == "every" or (year % 2 == 0) == (years == "even")) and date(year, month, last_day) >= day
    ):
        year += 1
    return date(year, month, last_day)


def snap(apps, schema_editor):
    Credential = apps.get_model("courses", "Credential")
    for credential in Credential.objects.filter(kind__in=FIXED_CYCLE_ENDS).only("kind", "renewal_date"):
        deadline = _cycle_end(credential.renewal_date, *FIXED_CYCLE_ENDS[credential.kind])
        if deadline != credential.renewal_date:
            Credential.objects.filter(pk=credential.pk).update(renewal_date=deadline)


class Migration(migrations.Migration):
    dependencies = [("courses", "0018_delivery_live_online")]

    operations = [migrations.RunPython(snap, migrations.RunPython.noop)]
