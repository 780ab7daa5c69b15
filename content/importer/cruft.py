"""Page furniture: menus, share buttons, comment forms, captchas, addresses, bylines and shortcodes.

Each rule judges one line or paragraph; ``drop_cruft`` applies them to the parsed pieces.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .pieces import ArticleMeta, Piece, clean_line, plain, terminal, words

# Shortcodes such as [easyazon_infoblock align="none" ...], [caption id=...], [/caption].
_SHORTCODE = re.compile(r"\[(/?)([a-zA-Z][\w-]*)((?:\s[^\[\]\n]*)?)\]")
_KNOWN_SHORTCODES = {
    "caption",
    "gallery",
    "embed",
    "video",
    "audio",
    "playlist",
    "contact-form",
    "contact-form-7",
    "wpforms",
    "gravityform",
    "mc4wp_form",
    "et_pb_section",
    "vc_row",
    "vc_column",
    "su_button",
    "shortcode",
    "ad",
    "adsense",
    "adrotate",
    "social_warfare",
    "ssba",
    "addtoany",
    "easyazon",
}


# Affiliate and button shortcodes wrap link text that means nothing without the link.
_ENCLOSING_AD_SHORTCODE = re.compile(
    r"\[((?:easyazon|amazon|affiliate|adrotate|su_button|button)[\w-]*)\b[^\[\]\n]*\].{0,2000}?\[/\1\]",
    re.IGNORECASE | re.DOTALL,
)


def strip_shortcodes(text: str) -> str:
    text = _ENCLOSING_AD_SHORTCODE.sub(" ", text)

    def replace_code(match: re.Match) -> str:
        closing, name, attrs = match.groups()
        lowered = name.lower()
        is_code = (
            closing
            or "_" in name
            or "=" in attrs
            or lowered in _KNOWN_SHORTCODES
            or lowered.startswith(("easyazon", "et_pb", "vc_", "su_", "wp"))
        )
        return " " if is_code else match.group(0)

    return _SHORTCODE.sub(replace_code, text)


_NAV_WORDS = {
    "home",
    "about",
    "about us",
    "about me",
    "services",
    "our services",
    "contact",
    "contact us",
    "contact me",
    "blog",
    "shop",
    "store",
    "cart",
    "my account",
    "menu",
    "main menu",
    "search",
    "faq",
    "faqs",
    "pricing",
    "prices",
    "rates",
    "testimonials",
    "reviews",
    "gallery",
    "login",
    "log in",
    "sign in",
    "sign up",
    "register",
    "book now",
    "book online",
    "book a session",
    "appointments",
    "gift cards",
    "gift certificates",
    "specials",
    "locations",
    "our team",
    "team",
    "careers",
    "resources",
    "news",
    "events",
    "privacy policy",
    "privacy",
    "terms",
    "sitemap",
    "skip to content",
    "skip to main content",
    "toggle navigation",
    "close menu",
    "open menu",
    "massage",
    "massage therapy",
    "therapies",
    "treatments",
    "classes",
    "courses",
    "membership",
    "new clients",
    "intake forms",
    "policies",
    "accessibility",
    "wishlist",
    "checkout",
}
_SOCIAL_WORDS = {
    "share",
    "share this",
    "share this:",
    "share on facebook",
    "share on twitter",
    "share on x",
    "share on pinterest",
    "share on linkedin",
    "tweet",
    "pin",
    "pin it",
    "facebook",
    "twitter",
    "x",
    "pinterest",
    "linkedin",
    "email",
    "e-mail",
    "print",
    "whatsapp",
    "reddit",
    "tumblr",
    "pocket",
    "telegram",
    "copy link",
    "like",
    "like this",
    "like this:",
    "instagram",
    "youtube",
    "tiktok",
    "follow us",
    "follow",
    "mail",
    "sms",
    "messenger",
    "threads",
    "bluesky",
}
_CRUFT_PHRASES = re.compile(
    r"""^(?:
        close\ this\ search\ box | search\ for: | search\ this\ (?:site|website|blog) | search\ \.\.\.
        | search… | type\ (?:your\ search|here\ to\ search).* | skip\ to\ (?:main\ )?content
        | toggle\ navigation | (?:main|primary|mobile|footer)\ menu | open\ menu | close\ menu
        | your\ email\ address\ will\ not\ be\ published.* | required\ fields\ are\ marked.*
        | save\ my\ name,?\ email.* | notify\ me\ of\ .* | (?:post|submit)\ comment | cancel\ reply
        | this\ site\ uses\ akismet.* | learn\ how\ your\ comment\ data\ is\ processed.*
        | comments?\ \*? | name\ ?\*? | e-?mail\ ?\*? | website | reply | log\ in\ to\ reply
        | comments\ are\ closed.* | you\ must\ be\ logged\ in\ to\ post\ a\ comment.*
        | share\ (?:this|on)\b.* | follow\ us\b.* | like\ this:? | like\ loading.* | loading\.\.\.
        | read\ more.* | continue\ reading.* | (?:previous|next)\ (?:post|article)\b.*
        | post\ navigation | recent\ posts | recent\ comments | categories:?.* | archives
        | tags?:.* | tagged\ (?:with\ )?.* | posted\ in\ .* | filed\ under\ .* | posted\ (?:on|by)\ .*
        | (?:subscribe|sign\ up)\ (?:to|for)\ (?:our|my)\ (?:newsletter|mailing\ list).*
        | (?:image|photo|picture)\ (?:credit|source|courtesy):?.* | advertisement | sponsored
        | all\ rights\ reserved.* | powered\ by\ .* | privacy\ policy.* | terms\ (?:of|and)\ .*
        | copyright\b.* | ©.* | back\ to\ top | scroll\ to\ top | link\ in\ bio.*
        | (?:phone|tel|telephone|call|text|fax|e-?mail|hours|address)\s*:.*
        | (?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\s*[-–:].*\d.*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_END_MARKERS = re.compile(
    r"""^(?:
        leave\ a\ (?:reply|comment|response) | more\ to\ explore | related\ (?:posts|articles|reading)
        | you\ (?:may|might)\ also\ (?:like|enjoy) | \d+\ (?:comments?|responses?|thoughts?)\b.*
        | (?:one|two|three)\ (?:comments?|responses?|thoughts?)\ (?:on|to)\b.* | comments
        | join\ the\ discussion | what\ do\ you\ think\?? | add\ a\ comment
    )\W*$""",
    re.IGNORECASE | re.VERBOSE,
)
_NUMBER = (
    r"(?:\d+|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|[a-z]+teen"
    r"|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
)
_CAPTCHA = re.compile(
    rf"^\W*(?:captcha\W*|solve\W*|please\s+solve\W*)?{_NUMBER}?\s*[+\-−×x*÷/]\s*{_NUMBER}?\s*=\s*{_NUMBER}?\s*\??\W*$",
    re.IGNORECASE,
)
_STREET = re.compile(
    r"^\d{1,6}\s+(?:[NSEW]\.?\s+|north\s+|south\s+|east\s+|west\s+)?[\w.'’ -]{1,40}?\s"
    r"(?:st|street|ave|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|way|ct|court|pkwy|parkway|"
    r"hwy|highway|pl|place|sq|square|ter|terrace|cir|circle|trl|trail|pike|plaza)\b\.?"
    r"(?:\s*,?\s*(?:suite|ste|unit|apt|floor|fl|#)\.?\s*#?\s*[\w-]+)?"
    r"(?:\s*,\s*[\w .'’-]+)?(?:\s*,?\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?)?\W*$",
    re.IGNORECASE,
)
_CITY_STATE_ZIP = re.compile(r"^[A-Z][\w .'’-]{1,40},?\s+[A-Z]{2}\.?,?\s+\d{5}(?:-\d{4})?\W*$")
_PHONE = re.compile(r"^\W*(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\W*$")
_EMAIL_ONLY = re.compile(r"^\s*[\w.+-]+@[\w-]+\.[\w.-]+\s*$")
_URL_ONLY = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$", re.IGNORECASE)
_DATE_ONLY = re.compile(
    r"^(?:(?:posted|published|updated)(?:\s+on)?:?\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\W*$|^\d{1,2}/\d{1,2}/\d{2,4}$",
    re.IGNORECASE,
)
_LINK_STUB = re.compile(
    r"\bclick\s+(?:here|this\s+link|below|the\s+link)\b|\bfor\s+the\s+link\b|\blink\s+(?:below|above)\b"
    r"|^\W*(?:check\s+out|watch|see|view)\s+(?:this|our|the|my)\b.{0,80}\b(?:video|link|post|clip|podcast)\b",
    re.IGNORECASE,
)
_PITCH = re.compile(
    r"\b(?:book(?:ing)?|schedul\w*|call|contact|text|e-?mail|reserve)\b.{0,60}"
    r"\b(?:appointments?|sessions?|massages?|today|online|now|consultations?|visit)\b"
    r"|^\W*(?:contact|call|email|text)\s+(?:me|us)\b|\bgift\s+cards?\b|\bbook\s+now\b",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^(?:by|written\s+by|posted\s+by|author:?|article\s+by)\s+(?P<name>.+)$", re.IGNORECASE)
_NAME = re.compile(
    r"(?P<name>[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|da|del|la))"
    r"{0,3}"
    r"(?:,\s*[A-Z][A-Z]{1,5}\b\.?)*)"
)
_TRAILING_BYLINE = re.compile(r"\bby\s+" + _NAME.pattern + r"\s*$")
SENTENCES = re.compile(r"[^.!?…]+(?:[.!?…]+[\"'”’)]*|$)")


def _split_tokens(text: str) -> list[str]:
    return [t.strip(" :").lower() for t in re.split(r"\s*[|•·»/]\s*|\s{2,}", text) if t.strip(" :")]


def is_menu(text: str) -> bool:
    tokens = _split_tokens(text)
    return bool(tokens) and all(t in _NAV_WORDS for t in tokens)


def is_social(text: str) -> bool:
    tokens = _split_tokens(text)
    return bool(tokens) and all(t in _SOCIAL_WORDS for t in tokens)


def _is_pitch_only(text: str) -> bool:
    """A standalone booking pitch: every sentence sells an appointment or is a teaser ("Ready?")."""
    if len(words(text)) > 40 or not _PITCH.search(text):
        return False
    sentences = [s.strip() for s in SENTENCES.findall(text) if s.strip()]
    pitches = [s for s in sentences if _PITCH.search(s)]
    teasers = [s for s in sentences if len(words(s)) <= 5 and terminal(s) in {"?", "!"}]
    return bool(pitches) and all(s in pitches or s in teasers for s in sentences)


def is_cruft(text: str) -> bool:
    """Is this whole line or paragraph page furniture rather than article text?"""
    text = clean_line(text).strip("*_=~#>- ")
    if not text:
        return True
    if not re.search(r"\w", text):
        return True  # decoration: "* * *", "———"
    if _CRUFT_PHRASES.match(text) or _CRUFT_PHRASES.match(text.rstrip(" .…!")):
        return True
    n_words = len(words(text))
    if n_words > 40:  # the rules below are all about short lines
        return False
    return bool(
        _CAPTCHA.match(text)
        or (n_words <= 8 and (is_menu(text) or is_social(text)))
        or (n_words <= 16 and (_STREET.match(text) or _CITY_STATE_ZIP.match(text)))
        or _PHONE.match(text)
        or _EMAIL_ONLY.match(text)
        or _URL_ONLY.match(text)
        or _DATE_ONLY.match(text)
        or (n_words <= 30 and _LINK_STUB.search(text))
        or _is_pitch_only(text)
    )


def is_end_marker(text: str) -> bool:
    """Comment sections and 'related posts' blocks: everything from here on is page furniture."""
    return bool(_END_MARKERS.match(clean_line(text).strip("*_=#>- ")))


def byline_author(text: str) -> str:
    """'By Erin Brummett, LMT – Founder' -> 'Erin Brummett, LMT'; '' when the line is no byline."""
    text = clean_line(text).strip("*_ ")
    match = _BYLINE.match(text)
    if not match or len(words(text)) > 20:
        return ""
    name = re.split(r"\s+[-–—|]\s+|\s+on\s+\w+\s+\d", match.group("name"))[0].strip(" ,.")
    found = _NAME.match(name)
    if not found or found.group("name").lower() in {"admin", "administrator", "staff", "editor"}:
        return ""
    return found.group("name").strip(" ,")


def trailing_byline_author(text: str) -> str:
    """'Massage therapy in Kansas City, MO by Aaron Harris, BCTMB' -> 'Aaron Harris, BCTMB'."""
    match = _TRAILING_BYLINE.search(clean_line(text))
    return match.group("name").strip(" ,") if match else ""


def drop_cruft(pieces: list[Piece], meta: ArticleMeta) -> list[Piece]:
    kept: list[Piece] = []
    for piece in pieces:
        text = piece.text
        if piece.kind != "caption" and is_end_marker(text):
            break
        author = byline_author(text) if piece.kind in ("para", "heading") else ""
        if author:
            meta.author = meta.author or author
            continue
        if piece.kind in ("ul", "ol"):
            items = tuple(i for i in piece.items if not is_cruft(plain(i)))
            if items:
                kept.append(replace(piece, items=items))
        elif piece.kind == "caption":
            if not is_cruft(plain(piece.html)):
                label_is_cruft = piece.label and is_cruft(plain(piece.label))
                kept.append(replace(piece, kind="para", label="") if label_is_cruft else piece)
        elif not is_cruft(text):
            kept.append(piece)
    return kept
