"""Legal names (cms/validators.py): any script prints; nothing invisible, reordered or unprintable does."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.forms import modelform_factory

from cms.forms import ProfileForm
from cms.validators import (
    LEGAL_NAME_MAX_LENGTH,
    LegalNameFormField,
    legal_name_clean,
    validate_legal_name,
)
from tests.factories import UserFactory

ZWJ, ZWNJ, ZWSP = "\u200d", "\u200c", "\u200b"

KEPT = {
    "Latin": "Zoë Ångström-Núñez",
    "Latin with an apostrophe": "Seán O'Connor-Ní Bhriain",
    "Arabic": "فاطمة الزهراء بن علي",
    "Persian with ZWNJ": f"مهسا می{ZWNJ}خواه",  # the non-joiner keeps می and خواه apart, as written
    "Devanagari with ZWJ": f"क्{ZWJ}ष्मा देवी",  # the joiner asks for the half form of क
    "Devanagari with ZWNJ": f"श्री{ZWNJ}राम",
    "Malayalam chillu": f"ലക്ഷ്മി അവന്{ZWJ}",  # an old-style chillu: the joiner ends the word
    "Chinese": "王秀英",
    "Japanese": "山田 花子",
    "Korean": "김민준",
    "Greek": "Αικατερίνη Παπαδοπούλου",
    "Hebrew": "נועה כהן",
    "a single letter": "X",
}


@pytest.mark.parametrize("script", list(KEPT))
def test_names_in_any_script_are_kept_as_typed(script):
    name = KEPT[script]
    assert legal_name_clean(name) == name
    validate_legal_name(name)


def test_joiners_after_letters_stay_and_stray_ones_go():
    assert ZWNJ in legal_name_clean(f"می{ZWNJ}خواه")
    assert ZWJ in legal_name_clean(f"क्{ZWJ}ष")
    assert legal_name_clean(f"{ZWJ}Ana {ZWNJ}{ZWJ}Li- {ZWJ}Mo") == "Ana Li- Mo"
    assert legal_name_clean(f"{ZWJ}{ZWNJ}Ana") == "Ana"


def test_names_are_nfc_trimmed_and_single_spaced():
    decomposed = unicodedata.normalize("NFD", "Zoë  Ångström")
    assert legal_name_clean(f"  {decomposed}\t\u00a0 Núñez \u3000") == "Zoë Ångström Núñez"
    assert legal_name_clean(f"Ana{ZWSP} Li\u00ad\ufeff") == "Ana Li"  # stray invisibles from a paste go


def refused(value) -> str:
    with pytest.raises(ValidationError) as info:
        legal_name_clean(value)
    with pytest.raises(ValidationError):
        validate_legal_name(value)
    return info.value.code


@pytest.mark.parametrize("control", list("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
def test_text_direction_controls_are_refused(control):
    assert refused(f"Done{control}emaN laeR") == "bidi_control"


def test_the_right_to_left_override_of_the_issue_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as info:
        legal_name_clean("Done \u202eemaN laeR")
    message = info.value.messages[0]
    assert "U+202E" in message and "order" in message


@pytest.mark.parametrize(
    "value",
    [ZWSP, ZWSP * 5, f"{ZWSP} {ZWSP}", ZWJ + ZWNJ, "\u2060\ufeff\u200e", f"\u00ad{ZWSP}\u3000"],
)
def test_names_of_invisible_characters_only_are_refused(value):
    assert refused(value) == "invisible"


@pytest.mark.parametrize("value", ["Ana\x00Li", "Ana\x07", "\x1bAna", "Ana\x7f", "Ana\x85Li"])
def test_nul_and_control_characters_are_refused(value):
    assert refused(value) == "control"


@pytest.mark.parametrize("value", ["12345", "---", "...", "☺☺", "(  )", "١٢٣"])
def test_a_name_needs_a_letter(value):
    assert refused(value) == "no_letter"


@pytest.mark.parametrize("value", ["Ana \ue000", "Ana \U000f0000", "Ana \U000e0041", "Ana\u0600Li"])
def test_unprintable_and_formatting_characters_are_refused(value):
    assert refused(value) in ("unprintable", "format")


def test_the_length_is_what_a_certificate_prints_well():
    longest = ("Maximiliana " * 11)[: LEGAL_NAME_MAX_LENGTH - 1] + "x"
    assert len(legal_name_clean(longest)) == LEGAL_NAME_MAX_LENGTH
    assert len(legal_name_clean("  " + longest + "   ")) == LEGAL_NAME_MAX_LENGTH  # spaces do not count
    assert refused("A" * (LEGAL_NAME_MAX_LENGTH + 1)) == "too_long"
    assert refused("王" * (LEGAL_NAME_MAX_LENGTH + 1)) == "too_long"


def test_empty_is_left_to_the_field_required_rule():
    assert legal_name_clean("") == "" and legal_name_clean("   ") == ""
    validate_legal_name("")


def test_the_form_field_normalises_and_explains():
    field = LegalNameFormField(label="Legal name")
    assert field.clean("  Zoë   Núñez ") == "Zoë Núñez"
    with pytest.raises(ValidationError) as info:
        field.clean(ZWSP * 3)
    assert "invisible" in info.value.messages[0]
    with pytest.raises(ValidationError) as info:
        field.clean(ZWSP + " ")
    assert info.value.code == "invisible" or "invisible" in info.value.messages[0]
    with pytest.raises(ValidationError):
        field.clean("   ")  # required


# --- where the rules apply ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_model_field_refuses_them_in_any_model_form_and_full_clean():
    user = UserFactory(legal_name="Ana Li")
    form_class = modelform_factory(type(user), fields=["legal_name"])  # what an admin user form builds
    form = form_class(data={"legal_name": "Done \u202eemaN laeR"}, instance=user)
    assert not form.is_valid()
    assert "U+202E" in form.errors["legal_name"][0]
    assert not form_class(data={"legal_name": ZWSP * 4}, instance=user).is_valid()
    user.legal_name = "Ana\x00Li"
    with pytest.raises(ValidationError):
        user.full_clean(exclude=["password"])


@pytest.mark.django_db
def test_the_profile_form_normalises_and_refuses():
    user = UserFactory()
    data = {"learner_status": "student", "license_number": "", "license_state": "", "email": user.email}
    form = ProfileForm(data={**data, "legal_name": "  Zoë   Núñez "}, instance=user)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["legal_name"] == "Zoë Núñez"
    hostile = ProfileForm(data={**data, "legal_name": "\u2067Ana\u2069"}, instance=user)
    assert not hostile.is_valid() and "legal_name" in hostile.errors
