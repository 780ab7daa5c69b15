"""CE Broker reporting records (models of the courses app, in their own module): each roster file a
provider admin downloaded, and each completion it reported, so that none is reported twice or missed
(courses/ce_broker.py writes and reads them)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .storage import private_storage as _private_storage


def ce_broker_storage():  # named by the migration
    return _private_storage()


class CEBrokerExport(models.Model):
    """One roster file: who made it, when, for which state and completion dates, and the file itself."""

    state = models.CharField(max_length=2)
    date_from = models.DateField()
    date_to = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    row_count = models.PositiveIntegerField(default=0)
    file = models.FileField(storage=ce_broker_storage, upload_to="ce-broker/", blank=True, max_length=200)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "CE Broker export"

    def __str__(self):
        return f"CE Broker {self.state} roster of {self.created_at:%Y-%m-%d %H:%M} ({self.row_count} rows)"


class CEBrokerReport(models.Model):
    """A completion reported in an export: one per certificate, ever (the constraint is the guarantee)."""

    export = models.ForeignKey(CEBrokerExport, on_delete=models.PROTECT, related_name="reports")
    certificate = models.OneToOneField(
        "courses.Certificate", on_delete=models.PROTECT, related_name="ce_broker_report"
    )
    license_number = models.CharField(max_length=64)
    completion_date = models.DateField()

    class Meta:
        verbose_name = "CE Broker reported completion"

    def __str__(self):
        return f"{self.certificate.code} in {self.export}"
