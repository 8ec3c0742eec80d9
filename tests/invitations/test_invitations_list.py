"""The invitations list of an event: in pages, searchable, and honest when a search
finds nobody."""

from __future__ import annotations

import re

import sqlalchemy as sa

from blueprints.members.text import search_text_for
from extensions import db
from tests.conftest import make_member
from tests.invitations.conftest import invite

ROW = re.compile(r"<tr>\s*<td><bdi>([^<]+)</bdi>")


def _members(org, names):
    members = []
    for n, name in enumerate(names):
        member = make_member(org, name, email=f"invite{n}@example.ma", company=f"Atelier {n}")
        member.search_text = search_text_for(member.full_name, member.company, member.email)
        members.append(member)
    db.session.commit()
    return members


def test_a_long_list_comes_in_pages(app, as_organiser, org, event):
    names = [f"Invité {n:02d}" for n in range(46)]
    _members(org, names)
    invite(event, everyone=True)
    size = app.config["PAGE_SIZE"]

    first = as_organiser.get(f"/events/{event.id}/invitations").get_data(as_text=True)
    assert ROW.findall(first) == names[:size]
    assert f'href="/events/{event.id}/invitations?page=2"' in first
    second = as_organiser.get(f"/events/{event.id}/invitations?page=2").get_data(as_text=True)
    assert ROW.findall(second) == names[size : 2 * size]


def test_search_finds_invitees_in_arabic_or_latin_and_keeps_it_across_pages(
    app, as_organiser, org, event
):
    _members(
        org, ["أمينة الريفي", "Jean Dupont", "Amina Tazi"] + [f"Karim {n:02d}" for n in range(30)]
    )
    invite(event, everyone=True)

    html = as_organiser.get(f"/events/{event.id}/invitations?q=أمينة").get_data(as_text=True)
    assert ROW.findall(html) == ["أمينة الريفي"]
    html = as_organiser.get(f"/events/{event.id}/invitations?q=dupont").get_data(as_text=True)
    assert ROW.findall(html) == ["Jean Dupont"]
    html = as_organiser.get(f"/events/{event.id}/invitations?q=karim").get_data(as_text=True)
    assert len(ROW.findall(html)) == app.config["PAGE_SIZE"]
    assert "q=karim" in html.split('aria-label="Pages"')[1]  # the next page keeps the search


def test_an_empty_search_says_no_match_with_a_way_back(as_organiser, org, event):
    _members(org, ["Jean Dupont"])
    invite(event, everyone=True)
    html = as_organiser.get(f"/events/{event.id}/invitations?q=zzz&lang=fr").get_data(as_text=True)
    assert "Aucune invitation ne correspond à «\u00a0zzz\u00a0»." in html
    assert f'<a href="/events/{event.id}/invitations">Afficher toute la liste</a>' in html
    assert "Personne n’est encore invité" not in html

    html = as_organiser.get(f"/events/{event.id}/invitations?q=zzz&lang=ar").get_data(as_text=True)
    assert "لا توجد دعوة تطابق «zzz»." in html


def test_nobody_invited_yet_is_not_a_failed_search(as_organiser, event):
    html = as_organiser.get(f"/events/{event.id}/invitations?lang=fr").get_data(as_text=True)
    assert "Aucune invitation ne correspond" not in html
    assert 'class="text-muted empty-list"' in html


def test_a_large_event_lists_in_invitation_order_and_keeps_its_counts_a_moment(
    app, as_organiser, org, event, monkeypatch
):
    """From delivery.LARGE invitations (5,000; 3 here) the page lists the invitees in the
    order they were invited, counts the emails per state once a while and says when, and
    counts again at once after the organiser's own retry; a search still lists by name."""
    from blueprints.invitations import delivery
    from core.outbox import OutboxMessage, OutboxState

    monkeypatch.setattr(delivery, "LARGE", 3)
    monkeypatch.setitem(app.config, "DELIVERY_COUNTS_SECONDS", 60)
    delivery.forget(event)
    names = ["Zineb", "Amine", "Karim", "Badr"]
    for name in names:  # invited one by one, in this order
        _members(org, [name])
        invite(event, everyone=True)

    html = as_organiser.get(f"/events/{event.id}/invitations?lang=fr").get_data(as_text=True)
    assert ROW.findall(html) == names
    assert "Dans l’ordre des invitations." in html and "Chiffres au " in html
    figures = delivery.figures(event)
    assert figures.counted_at is not None and figures.counts["queued"] == 4

    first = db.session.scalar(sa.select(OutboxMessage).order_by(OutboxMessage.id).limit(1))
    first.state = OutboxState.FAILED  # a worker's doing: not seen before the next count
    db.session.commit()
    assert delivery.figures(event).counts == figures.counts
    assert delivery.retry_failed(event) == 1  # the organiser's doing: counted again
    db.session.commit()
    assert delivery.figures(event).counts["queued"] == 4
    first.state = OutboxState.SENT
    db.session.commit()
    delivery.forget(event)
    after = delivery.figures(event)
    assert (after.counts["sent"], after.counts["queued"]) == (1, 3)

    searched = as_organiser.get(f"/events/{event.id}/invitations?q=ine&lang=fr")
    html = searched.get_data(as_text=True)
    assert ROW.findall(html) == ["Amine", "Zineb"]  # by name, where Zineb was invited first
    assert "Dans l’ordre des invitations." not in html
    delivery.forget(event)  # the process's counts outlive the test's event id


def test_a_small_event_counts_every_time_and_lists_by_name(as_organiser, org, event):
    from blueprints.invitations import delivery

    _members(org, ["Zineb", "Amine"])
    invite(event, everyone=True)
    figures = delivery.figures(event)
    assert figures.counted_at is None and figures.counts["queued"] == 2
    html = as_organiser.get(f"/events/{event.id}/invitations?lang=fr").get_data(as_text=True)
    assert ROW.findall(html) == ["Amine", "Zineb"]
    assert "Chiffres au " not in html and "Dans l’ordre des invitations." not in html
