from django.urls import path, register_converter

from . import badge_views, media_views, renewal_views, verification_api, views


class IdConverter:
    """A database id: at most 18 digits, so a huge number is a 404 and never overflows a bigint."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")

app_name = "courses"
urlpatterns = [
    path("courses/<id:course_id>/enroll/", views.enroll, name="enroll"),
    path("courses/<id:course_id>/code/", views.code_redeem_view, name="code_redeem"),
    path("modules/<id:module_id>/complete/", views.module_complete, name="module_complete"),
    path("modules/<id:module_id>/study/", views.module_study, name="module_study"),
    path("modules/<id:module_id>/media/<id:media_id>/", media_views.module_media, name="lesson_media"),
    path(
        "modules/<id:module_id>/media/<id:media_id>/captions/<id:document_id>.vtt",
        media_views.module_media_captions,
        name="lesson_media_captions",
    ),
    path("lesson-media/<id:media_id>/", media_views.library_media, name="lesson_media_file"),
    path("courses/<id:course_id>/evaluation/", views.evaluation, name="evaluation"),
    path("certificates/verify/", views.certificate_lookup, name="certificate_lookup"),
    path("certificates/verify/<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("certificates/<str:code>/download/", views.certificate_download, name="certificate_download"),
    # the learner's certificate page and its Open Badge (courses/badge_views.py): the owner's only
    path("certificates/<str:code>/", badge_views.certificate_detail, name="certificate_detail"),
    path("certificates/<str:code>/open-badge.json", badge_views.badge_json, name="badge_json"),
    path("certificates/<str:code>/open-badge.jwt", badge_views.badge_jwt, name="badge_jwt"),
    # public: the machine-readable check, the provider's public key, the badges' revocation list
    path("api/certificates/<str:code>/", verification_api.certificate_api, name="certificate_api"),
    path(".well-known/jwks.json", badge_views.jwks, name="badge_jwks"),
    path(".well-known/did.json", badge_views.did_json, name="badge_did"),
    path("credentials/status/revocation", badge_views.status_list, name="badge_status_list"),
    path("transcript/", views.transcript, name="transcript"),
    path("transcript/ce-transcript.csv", views.transcript_csv, name="transcript_csv"),
    path("transcript/ce-transcript.pdf", views.transcript_pdf, name="transcript_pdf"),
    path("renewals/", renewal_views.renewals, name="renewals"),
    path("renewals/credentials/add/", renewal_views.credential_add, name="renewal_credential_add"),
    path(
        "renewals/credentials/<id:credential_id>/delete/",
        renewal_views.credential_delete,
        name="renewal_credential_delete",
    ),
    path("renewals/certificates/add/", renewal_views.outside_add, name="renewal_outside_add"),
    path(
        "renewals/certificates/<id:upload_id>/file/", renewal_views.outside_file, name="renewal_outside_file"
    ),
    path(
        "renewals/certificates/<id:upload_id>/delete/",
        renewal_views.outside_delete,
        name="renewal_outside_delete",
    ),
]
