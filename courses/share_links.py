"""Links that carry a certificate elsewhere: LinkedIn's "Add to profile" form."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

LINKEDIN_ADD_URL = "https://www.linkedin.com/profile/add"


def linkedin_add_url(*, name: str, organization: str, issued: date, cert_url: str, cert_id: str) -> str:
    """LinkedIn's add-a-certification form, filled in: every value URL-encoded (urlencode quotes "&", "/",
    spaces and non-ASCII letters), the issue month 1-12."""
    query = urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": name,
            "organizationName": organization,
            "issueYear": str(issued.year),
            "issueMonth": str(issued.month),
            "certUrl": cert_url,
            "certId": cert_id,
        }
    )
    return f"{LINKEDIN_ADD_URL}?{query}"
