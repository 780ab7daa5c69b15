"""StreamField blocks for lesson modules. Every block has a template, an icon and a preview value."""

import mimetypes

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.urls import reverse
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageBlock, ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock
from wagtailmedia import get_media_model
from wagtailmedia.blocks import AbstractMediaChooserBlock

from content.models import Muscle, RedFlag

from .captions import webvtt_problem

PREVIEW_TEMPLATE = "blocks/preview.html"  # the block picker preview, with the site styles


def muscle_preview_value():
    muscle = Muscle.objects.filter(slug="psoas-major").first() or Muscle.objects.first()
    return {"muscle": muscle, "note": "Tight hip flexors are a common reason clients report low back pain."}


def red_flag_preview_value():
    red_flag = RedFlag.objects.filter(slug="saddle-anaesthesia").first() or RedFlag.objects.first()
    return {"red_flag": red_flag}


def figure_preview_value():
    image = get_image_model().objects.order_by("pk").first()
    return {
        "image": image,
        "caption": "One sentence on what the figure shows.",
        "credit": "Who drew or photographed it",
    }


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=200)
    anchor = blocks.CharBlock(
        required=False, max_length=80, help_text="Optional id so quiz feedback can link to this section."
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {"text": "Where the psoas attaches", "anchor": "psoas-attachments"}
        description = "A section heading (h2) with an optional anchor"


class KeyPointsBlock(blocks.StructBlock):
    title = blocks.CharBlock(default="Key points", max_length=120)
    points = blocks.ListBlock(blocks.CharBlock(max_length=400))

    class Meta:
        icon = "list-ul"
        template = "blocks/key_points_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "title": "Key points",
            "points": [
                "Psoas major inserts on the lesser trochanter of the femur.",
                "It has no bony attachment to the pelvis.",
            ],
        }
        description = "A boxed summary list"


class MuscleCardBlock(blocks.StructBlock):
    muscle = SnippetChooserBlock("content.Muscle")
    note = blocks.TextBlock(required=False, help_text="Why this muscle matters in this lesson.")

    class Meta:
        icon = "user"
        template = "blocks/muscle_card_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = staticmethod(muscle_preview_value)  # a plain function would bind to Meta
        description = "Attachments, actions and referred pain of a muscle from the knowledge base"


class RedFlagCalloutBlock(blocks.StructBlock):
    red_flag = SnippetChooserBlock("content.RedFlag")
    note = blocks.TextBlock(required=False)

    class Meta:
        icon = "warning"
        template = "blocks/red_flag_callout_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = staticmethod(red_flag_preview_value)
        description = "A red flag from the knowledge base: when to stop and refer"


class FigureBlock(blocks.StructBlock):
    image = ImageBlock()
    caption = blocks.CharBlock(required=False, max_length=300)
    credit = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "image"
        template = "blocks/figure_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = staticmethod(figure_preview_value)
        description = "An image with alt text, caption and credit"


class EditorsNoteBlock(blocks.StructBlock):
    article_claim = blocks.TextBlock(help_text="What the source article says.")
    correction = blocks.TextBlock(help_text="What the verified reference says instead.")
    reference = blocks.CharBlock(required=False, max_length=300, help_text="Where the correction comes from.")

    class Meta:
        icon = "edit"
        template = "blocks/editors_note_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "article_claim": "The psoas is the only muscle that connects the spine to the legs.",
            "correction": "Psoas major is one of several; it inserts on the lesser trochanter with iliacus.",
            "reference": "Gray's Anatomy (1918), psoas major",
        }
        description = "Where the source article disagrees with the verified reference"


class SourceCitationBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=300)
    author = blocks.CharBlock(required=False, max_length=200)
    file_name = blocks.CharBlock(required=False, max_length=200)
    url = blocks.URLBlock(required=False)
    note = blocks.CharBlock(required=False, max_length=300)

    class Meta:
        icon = "doc-full"
        template = "blocks/source_citation_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "title": "Back pain due to tight psoas",
            "file_name": "001_b926f76fb498bbb7.txt",
            "note": "Rewritten in our own words; errors corrected in editor's notes.",
        }
        description = "Names the article a module is based on"


class LessonMediaChooserBlock(AbstractMediaChooserBlock):
    """Any video or audio of the Media library (wagtailmedia's own blocks each take one type)."""

    def render_basic(self, value, context=None):  # the revision comparison shows the title
        return value.title if value else ""

    class Meta:
        icon = "media"


class CaptionTrackBlock(blocks.StructBlock):
    file = DocumentChooserBlock(help_text="A WebVTT caption file (.vtt), uploaded to Documents.")
    language = blocks.CharBlock(
        default="en",
        max_length=35,
        validators=[
            RegexValidator(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$", "A language code such as en or es-MX.")
        ],
        help_text="The language of the captions, as a code (en, es, es-MX).",
    )
    label = blocks.CharBlock(
        default="English", max_length=60, help_text="What the player's captions menu shows."
    )

    def clean(self, value):
        value = super().clean(value)
        # Wagtail defers required fields when a draft is saved (and on autosave): no file chosen yet.
        problem = webvtt_problem(value["file"]) if value["file"] is not None else None
        if problem:
            raise StructBlockValidationError(block_errors={"file": ValidationError(problem)})
        return value

    class Meta:
        icon = "doc-full"


def lesson_media_preview_value():
    return {
        "media": get_media_model().objects.filter(type="video").order_by("pk").first(),
        "captions": [],
        "transcript": "Everything the clip says and shows, as text.",
        "poster": None,
    }


class LessonMediaBlock(blocks.StructBlock):
    """A video or audio clip played by the browser's own player, from the private store (only those who
    may read the module get the file: courses/media_views.py). Accessibility is not optional: a video
    needs a WebVTT caption track, an audio clip a transcript."""

    media = LessonMediaChooserBlock(help_text="A video or audio file from the Media library.")
    captions = blocks.ListBlock(
        CaptionTrackBlock(),
        default=[],
        help_text="WebVTT caption tracks. A video needs at least one; the first is on by default.",
    )
    transcript = blocks.TextBlock(
        required=False,
        help_text="Everything said (and, for a video, shown) as text. Required for audio.",
    )
    poster = ImageChooserBlock(required=False, help_text="A still shown before the video plays.")

    def clean(self, value):
        value = super().clean(value)
        media, errors = value["media"], {}
        if media is None:  # a draft (or autosave) before the clip is chosen: required is deferred
            return value
        if media.type == "video" and not value["captions"]:
            errors["captions"] = ValidationError(
                "A video needs at least one WebVTT caption track, so that learners who cannot hear it can follow it."
            )
        if media.type == "audio" and not value["transcript"].strip():
            errors["transcript"] = ValidationError(
                "An audio clip needs a transcript, so that learners who cannot hear it can follow it."
            )
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value

    def get_context(self, value, parent_context=None):
        """The file and track URLs: through the module (its readers), or the staff-only library URL
        where there is no saved module yet (the block picker's preview, a new page's preview)."""
        context = super().get_context(value, parent_context=parent_context)
        media, page = value["media"], (parent_context or {}).get("page")
        if media is None:
            return context
        module_id = getattr(page, "pk", None)
        context["source_url"] = (
            reverse("courses:lesson_media", args=[module_id, media.pk]) if module_id else media.url
        )
        context["source_type"] = mimetypes.guess_type(media.file.name)[0] or "application/octet-stream"
        context["tracks"] = [
            {
                "src": reverse("courses:lesson_media_captions", args=[module_id, media.pk, track["file"].pk])
                if module_id
                else track["file"].url,
                "language": track["language"],
                "label": track["label"],
            }
            for track in value["captions"]
            if track["file"] is not None
        ]
        return context

    class Meta:
        icon = "media"
        template = "blocks/lesson_media_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = staticmethod(lesson_media_preview_value)
        description = "A video or audio clip with captions, a transcript and a poster image"
        label = "Video or audio"


class ModuleBodyBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul", "h3", "h4"],
        icon="pilcrow",
        template="blocks/rich_text_block.html",
        preview_value="<p>Massage of the <b>hip flexors</b> can ease some low back pain.</p>",
    )
    heading = HeadingBlock()
    key_points = KeyPointsBlock()
    muscle_card = MuscleCardBlock()
    red_flag = RedFlagCalloutBlock()
    figure = FigureBlock()
    editors_note = EditorsNoteBlock()
    source_citation = SourceCitationBlock()
    media = LessonMediaBlock()
