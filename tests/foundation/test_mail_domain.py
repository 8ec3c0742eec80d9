"""`flask mail check-domain` against a fake DNS (no network here): one line per check,
the record to publish when it does not fit, exit code 1 when something is wrong."""

from __future__ import annotations

import dns.exception
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from core import dkim_signing, mail_domain

DOMAIN, RELAY, SELECTOR = "association.ma", "smtp.association.ma", "liqaa"
DKIM_NAME = f"{SELECTOR}._domainkey.{DOMAIN}"


class FakeResolver:
    """Answers from a dict {(name, type): [presentation texts]}, as dnspython would: a name
    it does not know is NXDOMAIN, a known name without that type NoAnswer."""

    def __init__(self, records: dict, timeout_on: tuple = ()):
        self.records, self.timeout_on, self.asked = records, timeout_on, []

    def resolve(self, name, rdtype):
        self.asked.append((name, rdtype))
        if name in self.timeout_on:
            raise dns.resolver.LifetimeTimeout(timeout=8.0, errors=[])
        if (name, rdtype) in self.records:
            kind = dns.rdatatype.from_text(rdtype)
            return [
                dns.rdata.from_text(dns.rdataclass.IN, kind, text)
                for text in self.records[name, rdtype]
            ]
        if any(known == name for known, _ in self.records):
            raise dns.resolver.NoAnswer()
        raise dns.resolver.NXDOMAIN()


def _txt(value: str) -> str:
    """A TXT record's presentation form, in 255-byte strings as DNS keeps long ones."""
    return " ".join(f'"{value[i : i + 255]}"' for i in range(0, len(value), 255))


@pytest.fixture
def key(rsa_key):
    return rsa_key


@pytest.fixture
def settings(key_file):
    return {
        "MAIL_DEFAULT_SENDER": f"liqaa@{DOMAIN}",
        "MAIL_SERVER": RELAY,
        "DKIM_KEY_FILE": str(key_file),
        "DKIM_SELECTOR": SELECTOR,
        "DKIM_DOMAIN": None,
    }


def _zone(key, changes: dict | None = None) -> dict:
    zone = {
        (DOMAIN, "TXT"): [
            _txt("v=spf1 mx a:smtp.association.ma -all"),
            _txt("google-site-verification=abc"),
        ],
        (DOMAIN, "MX"): ["10 mx.association.ma."],
        (RELAY, "A"): ["192.0.2.25"],
        (DKIM_NAME, "TXT"): [_txt(dkim_signing.public_record(key))],
        (f"_dmarc.{DOMAIN}", "TXT"): [_txt("v=DMARC1; p=quarantine; rua=mailto:d@association.ma")],
    }
    for name, value in (changes or {}).items():
        zone[name] = value
    return {k: v for k, v in zone.items() if v is not None}


def _run(app, monkeypatch, settings, zone, timeout_on=()):
    resolver = FakeResolver(zone, timeout_on)
    monkeypatch.setattr(mail_domain, "default_resolver", lambda: resolver)
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    result = app.test_cli_runner().invoke(args=["mail", "check-domain"])
    return result.exit_code, result.output.splitlines()


def _line(lines, check) -> str:
    (line,) = [x for x in lines if x.startswith(check + " ")]
    return line


def test_all_good(app, monkeypatch, settings, key):
    code, lines = _run(app, monkeypatch, settings, _zone(key))
    assert code == 0, lines
    assert len(lines) == 3 and all(" fits: " in line for line in lines), lines
    assert "names the relay smtp.association.ma" in _line(lines, "SPF") and "-all" in lines[0]
    assert "2048-bit" in _line(lines, "DKIM") and "p=quarantine" in _line(lines, "DMARC")


def test_spf_missing_says_what_to_publish(app, monkeypatch, settings, key):
    zone = _zone(key, {(DOMAIN, "TXT"): [_txt("google-site-verification=abc")]})
    code, lines = _run(app, monkeypatch, settings, zone)
    assert code == 1
    spf = _line(lines, "SPF")
    assert "does not fit" in spf and f'{DOMAIN}: "v=spf1 a:{RELAY} ~all"' in spf
    assert " fits: " in _line(lines, "DKIM") and " fits: " in _line(lines, "DMARC")


@pytest.mark.parametrize(
    ("record", "words"),
    [
        ("v=spf1 mx -all", f"does not name the relay {RELAY}"),
        ("v=spf1 ip4:198.51.100.0/24 -all", f"does not name the relay {RELAY}"),
        ("v=spf1 -a:smtp.association.ma -all", f"does not name the relay {RELAY}"),
        ("v=spf1 a:smtp.association.ma", "does not end in -all or ~all"),
        ("v=spf1 a:smtp.association.ma +all", "lets any server send"),
    ],
)
def test_spf_that_does_not_cover_the_relay_or_protects_nothing(
    app, monkeypatch, settings, key, record, words
):
    code, lines = _run(app, monkeypatch, settings, _zone(key, {(DOMAIN, "TXT"): [_txt(record)]}))
    assert code == 1
    spf = _line(lines, "SPF")
    assert "does not fit" in spf and words in spf and "Publish instead" in spf
    fixed = spf.partition("Publish instead: ")[2]
    assert f"a:{RELAY}" in fixed and fixed.endswith('-all"' if "-all" in record else '~all"')


@pytest.mark.parametrize(
    ("record", "how"),
    [
        ("v=spf1 ip4:192.0.2.0/24 -all", "through ip4:192.0.2.0/24"),
        ("v=spf1 include:_spf.relay-provider.example ~all", "include:_spf.relay-provider.example"),
        ("v=spf1 mx:association.ma -all", "through the MX"),
    ],
)
def test_spf_covering_the_relay_otherwise_fits(app, monkeypatch, settings, key, record, how):
    zone = _zone(key, {(DOMAIN, "TXT"): [_txt(record)], (DOMAIN, "MX"): [f"10 {RELAY}."]})
    code, lines = _run(app, monkeypatch, settings, zone)
    assert code == 0, lines
    assert " fits: " in _line(lines, "SPF") and how in _line(lines, "SPF")


def test_dkim_key_mismatch(app, monkeypatch, settings, key):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    zone = _zone(key, {(DKIM_NAME, "TXT"): [_txt(dkim_signing.public_record(other))]})
    code, lines = _run(app, monkeypatch, settings, zone)
    assert code == 1
    line = _line(lines, "DKIM")
    assert "does not fit" in line and "not the public half of DKIM_KEY_FILE" in line
    assert dkim_signing.public_record(key) in line  # what to publish instead


def test_dkim_key_missing_or_off(app, monkeypatch, settings, key):
    code, lines = _run(app, monkeypatch, settings, _zone(key, {(DKIM_NAME, "TXT"): None}))
    assert code == 1 and f"no DKIM key is published at {DKIM_NAME}" in _line(lines, "DKIM")
    code, lines = _run(app, monkeypatch, {**settings, "DKIM_KEY_FILE": None}, _zone(key))
    assert code == 0 and "note: Liqaa does not sign" in _line(lines, "DKIM")


def test_dmarc_missing(app, monkeypatch, settings, key):
    code, lines = _run(app, monkeypatch, settings, _zone(key, {(f"_dmarc.{DOMAIN}", "TXT"): None}))
    assert code == 1
    line = _line(lines, "DMARC")
    assert "does not fit" in line and f'_dmarc.{DOMAIN}: "v=DMARC1; p=none;' in line


def test_dmarc_of_the_parent_domain_applies_to_a_subdomain_sender(app, monkeypatch, settings, key):
    sub = f"mail.{DOMAIN}"
    zone = _zone(
        key,
        {
            (sub, "TXT"): [_txt(f"v=spf1 a:{RELAY} -all")],
            (f"_dmarc.{DOMAIN}", "TXT"): [_txt("v=DMARC1; p=none; sp=reject")],
        },
    )
    code, lines = _run(
        app,
        monkeypatch,
        {**settings, "MAIL_DEFAULT_SENDER": f"x@{sub}", "DKIM_DOMAIN": DOMAIN},
        zone,
    )
    assert code == 0, lines
    assert f"_dmarc.{DOMAIN} asks receivers to reject" in _line(lines, "DMARC")


def test_domain_not_found(app, monkeypatch, settings, key):
    code, lines = _run(
        app, monkeypatch, {**settings, "MAIL_DEFAULT_SENDER": "x@no-such.ma"}, _zone(key)
    )
    assert code == 1 and len(lines) == 1
    assert lines[0].startswith("domain does not fit: no-such.ma") and "not exist" in lines[0]


def test_dns_timeout(app, monkeypatch, settings, key):
    code, lines = _run(app, monkeypatch, settings, _zone(key), timeout_on=(DOMAIN,))
    assert code == 1 and len(lines) == 1
    assert "no answer from DNS for association.ma" in lines[0] and "resolv.conf" in lines[0]
    code, lines = _run(app, monkeypatch, settings, _zone(key), timeout_on=(f"_dmarc.{DOMAIN}",))
    assert code == 1 and " fits: " in _line(lines, "SPF")
    assert "could not be checked: no answer from DNS" in _line(lines, "DMARC")
