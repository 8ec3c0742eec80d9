"""A public event link shared in WhatsApp shows a preview (Open Graph and Twitter tags in
the page's language, an image), whatever the organisers typed in the title; and every page
has an icon (no more 404 for /favicon.ico)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.conftest import make_event

HOSTILE = '"><script>alert(1)</script><meta property="og:title" content="x\' & «ok»'


class Head(HTMLParser):
    """The <meta> and <link> tags of a page, and whether a <script> holds our alert."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict] = []
        self.in_script, self.alert = False, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            key = attrs.get("property") or attrs.get("name")
            self.meta.setdefault(key, []).append(attrs.get("content"))
        elif tag == "link":
            self.links.append(attrs)
        self.in_script = tag == "script"

    def handle_data(self, data):
        if self.in_script and "alert(1)" in data:
            self.alert = True


def head_of(client, url: str) -> Head:
    response = client.get(url)
    assert response.status_code == 200
    parser = Head()
    parser.feed(response.get_data(as_text=True))
    return parser


@pytest.mark.parametrize(("lang", "locale"), [("ar", "ar_MA"), ("fr", "fr_MA")])
def test_the_public_event_page_carries_a_link_preview(client, org, lang, locale):
    event = make_event(
        org,
        title_ar="لقاء تواصلي حول التغطية الصحية",
        title_fr="Rencontre sur la couverture médicale",
        description_fr="Présentation de Damancom. " * 20,
        venue_name="Salle CNSS",
        venue_name_ar="قاعة الضمان الاجتماعي",
    )
    head = head_of(client, f"/e/{event.public_id}?lang={lang}")
    title = event.title_ar if lang == "ar" else event.title_fr
    assert head.meta["og:title"] == [title] and head.meta["twitter:title"] == [title]
    assert head.meta["og:locale"] == [locale]
    assert head.meta["og:locale:alternate"] == [{"ar": "fr_MA", "fr": "ar_MA"}[lang], "en_US"]
    description = head.meta["og:description"][0]
    venue = "قاعة الضمان الاجتماعي" if lang == "ar" else "Salle CNSS"
    assert venue in description and str(event.starts_at.year) in description  # when, where
    assert len(description) < 300
    assert head.meta["og:url"][0].endswith(f"/e/{event.public_id}")
    assert head.meta["og:url"][0].startswith("http")
    image = head.meta["og:image"][0]
    assert image.startswith("http") and head.meta["twitter:card"] == ["summary_large_image"]
    picture = client.get("/" + image.split("://", 1)[1].partition("/")[2])
    assert picture.status_code == 200 and picture.mimetype == "image/png"


def test_a_hostile_title_stays_text_in_every_tag(client, org):
    event = make_event(org, title_fr=HOSTILE, title_ar="", description_fr=HOSTILE)
    html = client.get(f"/e/{event.public_id}?lang=fr").get_data(as_text=True)
    head = Head()
    head.feed(html)
    assert head.meta["og:title"] == [HOSTILE]  # one tag, the title exactly, as text
    assert head.meta["twitter:title"] == [HOSTILE]
    assert HOSTILE in head.meta["og:description"][0]
    assert not head.alert and "<script>alert" not in html


def test_every_page_has_an_icon(client):
    head = head_of(client, "/login")
    icons = {link["type"]: link["href"] for link in head.links if link.get("rel") == "icon"}
    assert set(icons) == {"image/svg+xml", "image/png"}
    svg = client.get(icons["image/svg+xml"])
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert len(svg.data) < 1024
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 200 and favicon.mimetype == "image/png"
    assert favicon.data.startswith(b"\x89PNG") and len(favicon.data) < 2048


def test_the_public_page_says_how_to_take_part_before_the_details(client, org):
    org.reply_to = "contact@amte-nador.ma"
    event = make_event(org)
    html = client.get(f"/e/{event.public_id}?lang=fr").get_data(as_text=True)
    assert "Cette rencontre est sur invitation." in html
    assert 'href="mailto:contact@amte-nador.ma"' in html
    assert html.index("public-contact") < html.index('class="programme')  # before the details
