"""The Open Badges 3.0 credential that goes with each issued certificate (a model of the courses app)."""

from django.db import models
from django.utils import timezone


class OpenBadgeCredential(models.Model):
    """The certificate as a signed OB 3.0 OpenBadgeCredential (VC-JWT), built from its frozen snapshot.

    Its bit in the revocation status list is the certificate's id (courses.open_badges.status_index): the
    list is read from the certificates' status, so revoking the certificate revokes the credential."""

    certificate = models.OneToOneField(
        "courses.Certificate", on_delete=models.CASCADE, related_name="open_badge"
    )
    credential_id = models.CharField(
        max_length=300, help_text="The credential's `id` (its verification URL)."
    )
    jwt = models.TextField(help_text="The signed credential: a compact JWS (VC-JWT, EdDSA).")
    key_id = models.CharField(max_length=64, help_text="Thumbprint (RFC 7638) of the key that signed it.")
    signed_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Open Badge for certificate {self.certificate_id}"
