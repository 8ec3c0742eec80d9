"""Issue 15's "done when": the event page leads to its report, its press release and its
badges, and each of those pages to its PDF."""

from __future__ import annotations

from tests.surveys.conftest import make_registration


def test_the_event_page_leads_to_the_report_press_release_and_badges_pdfs(as_organiser, event):
    make_registration(event, "Karim Benali", email="karim@example.ma")
    show = as_organiser.get(f"/events/{event.id}?lang=fr").get_data(as_text=True)
    for page, pdf in (
        (f"/events/{event.id}/report", f"/events/{event.id}/report.pdf"),
        (f"/events/{event.id}/press-release", f"/events/{event.id}/press-release.pdf"),
        (f"/events/{event.id}/badges", f"/events/{event.id}/badges.pdf"),
    ):
        assert f'href="{page}' in show, page
        html = as_organiser.get(page + "?lang=fr").get_data(as_text=True)
        assert f'href="{pdf}' in html, pdf
        assert as_organiser.get(pdf).data.startswith(b"%PDF"), pdf
