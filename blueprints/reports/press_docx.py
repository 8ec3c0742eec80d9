"""The press release as a Word document (.docx), right to left in Arabic.

python-docx writes every run as XML text (escaped by lxml), so what an organiser typed
stays text: no field codes, no formulas, no markup. Characters XML cannot hold were already
removed by press.clean_text.
"""

from __future__ import annotations

import io

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

FONTS = {"ar": "Noto Naskh Arabic", "fr": "Noto Sans"}
LANG_TAGS = {"ar": "ar-MA", "fr": "fr-MA"}


def _right_to_left(paragraph, language: str) -> None:
    """<w:bidi/> on the paragraph, <w:rtl/> and the Arabic font and language on its runs."""
    p_pr = paragraph._p.get_or_add_pPr()
    p_pr.append(OxmlElement("w:bidi"))
    for run in paragraph.runs:
        r_pr = run._r.get_or_add_rPr()
        r_pr.append(OxmlElement("w:rtl"))
        lang = OxmlElement("w:lang")
        lang.set(qn("w:bidi"), LANG_TAGS[language])
        r_pr.append(lang)


def _font(run, language: str, size: int) -> None:
    run.font.name = FONTS[language]
    run.font.size = Pt(size)
    fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:cs"), FONTS[language])  # the "complex script" font: Arabic


def write_docx(title: str, body: str, language: str) -> bytes:
    """The .docx of a press release: the title, then one paragraph per line of the text."""
    document = Document()
    heading = document.add_paragraph()
    _font(heading.add_run(title), language, 16)
    heading.runs[0].bold = True
    paragraphs = [heading]
    for line in body.split("\n"):
        paragraph = document.add_paragraph()
        if line:
            _font(paragraph.add_run(line), language, 11)
        paragraphs.append(paragraph)
    if language == "ar":
        for paragraph in paragraphs:
            _right_to_left(paragraph, language)
    document.core_properties.title = title[:255]
    document.core_properties.language = LANG_TAGS[language]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
