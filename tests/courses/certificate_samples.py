"""The names every certificate design is checked with (tests/courses/test_certificate_layout.py), the sample
snapshot every certificate test renders (test_certificates_pdf.py too), and a
way to look at them: `python -m tests.courses.certificate_samples OUTDIR` writes each sample's PDF and a
PNG of its page (pdftoppm) for a person to open.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cms.validators import LEGAL_NAME_MAX_LENGTH

BASE_URL = "http://127.0.0.1:8803"
CODE = "K7QHD-2MZXA-PL4RT-WN6EB"

_WORDS = {
    "latin": "Maximiliana Alejandra de los Ángeles Villavicencio-Hernández y Castellanos Wolfeschlegel "
    "Bartholomew Fitzgerald-Montgomery Abernathy Okonkwo-Adeyemi Nakamura-Lindqvist",
    "arabic": "عبد الرحمن بن محمد بن عبد الله بن إبراهيم آل سعود القحطاني الهاشمي العبدلي المنصوري الشمري "
    "الدوسري العتيبي الزهراني الغامدي",
    "cjk": "欧阳 司马 诸葛 王秀英 山田花子 김민준 上官婉儿 长孙无忌 慕容复 令狐冲 独孤求败 东方不败 西门吹雪 "
    "皇甫嵩 公孙瓒 夏侯惇 尉迟恭 宇文化及",
}
SHORT = {"latin": "Ana Li", "arabic": "نور علي", "cjk": "王秀英"}


def _fit(script: str, length: int, *, spaces: bool) -> str:
    """A name of exactly `length` characters from the script's words (with or without spaces)."""
    words = _WORDS[script].split()
    joiner = " " if spaces else ""
    text = ""
    while len(text) < length + 1:
        text += joiner.join(words) + joiner
    text = text[:length]
    if text.endswith(" "):  # a name never ends in a space: swap the last for a letter
        text = text[:-1] + words[0][0]
    return text


def sample_names() -> dict[str, str]:
    """script-length label -> name: short, 69 characters, 120 with spaces and 120 without, per script."""
    names = {}
    for script in _WORDS:
        names[f"{script}-short"] = SHORT[script]
        names[f"{script}-69"] = _fit(script, 69, spaces=True)
        names[f"{script}-{LEGAL_NAME_MAX_LENGTH}-spaced"] = _fit(script, LEGAL_NAME_MAX_LENGTH, spaces=True)
        names[f"{script}-{LEGAL_NAME_MAX_LENGTH}-unbroken"] = _fit(
            script, LEGAL_NAME_MAX_LENGTH, spaces=False
        )
    names["latin-120-capitals"] = "W" * LEGAL_NAME_MAX_LENGTH  # the widest Latin letter, as often as allowed
    return names


LONG_TITLE = (
    "An Evidence-Informed Approach to Massage for Acute and Chronic Low Back Pain, with Anatomy, Referred "
    "Pain Patterns, Red Flags for Referral and Self-Care Advice for Clients Between Sessions"
)


_names = sample_names()
# label -> the snapshot fields that differ from snapshot()'s
CASES = {label: {"participant_name": name} for label, name in _names.items()}
CASES["long-title"] = {"participant_name": _names["latin-69"], "course_title": LONG_TITLE}
CASES["demo-provider"] = {  # content/course/course.yaml
    "provider_name": "Blue Ridge Bodywork Education (demo)",
    "provider_number": "452817-24",
    "provider_email": "ce@blueridge-bodywork.example.org",
    "provider_phone": "(828) 555-0147",
    "provider_address": "200 Example Avenue, Suite 4\nAsheville, NC 28801",
    "signatory_name": "Renata Okafor, LMBT",
    "signatory_title": "Director of Continuing Education",
}
# a Florida learner whose state approved fewer hours than NCBTMB: each body's hours, on two lines
PER_BODY_APPROVALS = [
    {
        "body": "NCBTMB",
        "hours": "3.00",
        "line": "NCBTMB · provider #451234-10 · 3 h · general · home study",
    },
    {
        "body": "FL",
        "hours": "2.00",
        "line": "Florida Board of Massage Therapy (CE Broker) · provider #50-9990001 · course #20-9990042 · "
        "2 h · laws and rules · home study",
    },
]
CASES["hours-per-body"] = {
    "participant_name": _names["latin-120-spaced"],
    "license_number": "MA61842",
    "license_state": "FL",
    "license_state_name": "Florida",
    "approvals": PER_BODY_APPROVALS,
}
# NCBTMB and three Tennessee rows (Texas, Tennessee and Louisiana approve a course's subjects as separate
# approvals; courses/approval_models.py): every line printed in full
TENNESSEE_LINE = (
    "Tennessee Massage Licensure Board · provider #TN-0004821 · {hours} h · {subject} · home study"
)
FOUR_APPROVALS = [
    PER_BODY_APPROVALS[0],
    *(
        {
            "body": "TN",
            "hours": hours,
            "line": TENNESSEE_LINE.format(hours=hours.rstrip("0").rstrip("."), subject=subject),
        }
        for hours, subject in (
            ("1.00", "ethics"),
            ("1.00", "laws and rules"),
            ("0.50", "prevention of medical errors"),
        )
    ),
]
LONG_PROVIDER = {
    "provider_name": "The Northern Carolina Institute for Therapeutic Massage, Bodywork and Somatic Education",
    "signatory_title": "Director of Continuing Education and Professional Development",
    "provider_address": "Suite 1200, 4500 Research Triangle Park Boulevard\nMorrisville, NC 27560-9998",
}
TENNESSEE_LEARNER = {"license_number": "MT-3177", "license_state": "TN", "license_state_name": "Tennessee"}
# the most every region holds at once: the longest name, title and provider, hours per body, 4 approvals
CASES["four-approvals"] = {
    "participant_name": _names["latin-120-spaced"],
    "course_title": LONG_TITLE,
    **LONG_PROVIDER,
    **TENNESSEE_LEARNER,
    "approvals": FOUR_APPROVALS,
}
# six (two more Tennessee subjects): the box sets them smaller rather than cutting any off
CASES["six-approvals"] = {
    **TENNESSEE_LEARNER,
    "approvals": FOUR_APPROVALS
    + [
        {**FOUR_APPROVALS[1], "line": FOUR_APPROVALS[1]["line"].replace("ethics", subject)}
        for subject in ("human trafficking", "general")
    ],
}
CASES["long-provider"] = LONG_PROVIDER


def snapshot(**fields) -> dict:
    return {
        "participant_name": "Jordan Example",
        "license_number": "MT-04512",
        "license_state": "NC",
        "license_state_name": "North Carolina",
        "course_title": "Massage for Low Back Pain: Anatomy, Referred Pain and Red Flags",
        "course_type": "Home Study",
        "ce_hours": "3.00",
        "ce_hours_display": "3",
        "completion_date": "2026-03-04",
        "provider_name": "Carolina Bodywork Education",
        "provider_number": "451234-10",
        "provider_address": "12 Example Street\nDurham, NC 27701",
        "provider_email": "ce@example.com",
        "provider_phone": "(919) 555-0142",
        "provider_website": "",
        "signatory_name": "Dana Whitfield, LMBT",
        "signatory_title": "Education Director",
        "signature_image": "",
        "template": "classic",
        **fields,
    }


def write_samples(out: Path) -> list[Path]:
    """Every design × every sample name (and a long course title) as PDF and PNG under `out`."""
    from courses.certificates import TEMPLATES, certificate_pdf

    out.mkdir(parents=True, exist_ok=True)
    pngs = []
    for design in TEMPLATES:
        for label, fields in CASES.items():
            pdf = out / f"{design}-{label}.pdf"
            pdf.write_bytes(certificate_pdf(snapshot(**fields), CODE, design, base_url=BASE_URL))
            subprocess.run(
                ["pdftoppm", "-r", "60", "-png", "-singlefile", pdf, pdf.with_suffix("")], check=True
            )
            pngs.append(pdf.with_suffix(".png"))
    return pngs


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    django.setup()
    for path in write_samples(Path(sys.argv[1] if len(sys.argv) > 1 else "certificate-samples")):
        print(path)
