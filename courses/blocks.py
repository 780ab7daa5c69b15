"""StreamField blocks for lesson modules. Every block has a template, an icon and a preview value."""

from wagtail import blocks
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from content.models import Muscle, RedFlag

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
