"""`flask mail check-domain`: do the sender domain's SPF, DKIM and DMARC records fit?

Receivers judge an email by its From domain: SPF says which servers may send for it
(the relay, MAIL_SERVER, must be among them), DKIM publishes the public key that checks
Liqaa's signatures (core.dkim_signing), and DMARC says what to do with mail that fails
both. One line per check in plain words, with the record to publish when it does not
fit; the exit code is 1 when something is wrong. The DNS resolver is passed in (tests
give a fake one; the command uses dnspython's with the system's servers).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from dataclasses import dataclass

import click
import dns.exception
import dns.resolver
from cryptography.hazmat.primitives import serialization
from flask import current_app
from flask.cli import AppGroup

from core import dkim_signing

FITS, WRONG, NOTE = "fits", "does not fit", "note"
LOOPBACK = ("localhost", "localhost.localdomain", "::1")


@dataclass(frozen=True)
class Verdict:
    check: str  # SPF, DKIM, DMARC, domain
    status: str  # FITS, WRONG or NOTE (a NOTE is no failure)
    text: str

    def line(self) -> str:
        return f"{self.check:<6} {self.status}: {self.text}"


class Unanswered(Exception):
    """DNS gave no answer (timeout, no server reachable): nothing can be said."""


class Lookup:
    """TXT, address and MX look-ups through a dnspython-like resolver."""

    def __init__(self, resolver):
        self.resolver = resolver

    def _answer(self, name: str, rdtype: str):
        try:
            return list(self.resolver.resolve(name, rdtype))
        except dns.resolver.NXDOMAIN:
            return None  # the name does not exist
        except dns.resolver.NoAnswer:
            return []
        except dns.exception.DNSException as error:  # timeout, SERVFAIL, no servers
            raise Unanswered(f"no answer from DNS for {name} ({type(error).__name__})") from None

    def txt(self, name: str) -> list[str] | None:
        answer = self._answer(name, "TXT")
        if answer is None:
            return None
        return [b"".join(r.strings).decode("utf-8", "replace") for r in answer]

    def addresses(self, host: str) -> set:
        try:
            return {ipaddress.ip_address(host)}
        except ValueError:
            pass
        found = set()
        for rdtype in ("A", "AAAA"):
            found |= {ipaddress.ip_address(r.address) for r in self._answer(host, rdtype) or []}
        return found

    def mx(self, domain: str) -> set[str]:
        answer = self._answer(domain, "MX") or []
        return {r.exchange.to_text(omit_final_dot=True).lower() for r in answer}


def check(config, resolver) -> list[Verdict]:
    """Every verdict for these settings, asking `resolver`."""
    lookup = Lookup(resolver)
    sender = (config.get("MAIL_DEFAULT_SENDER") or "").rpartition("@")[2].strip().lower()
    try:
        records = lookup.txt(sender)
    except Unanswered as error:
        return [
            Verdict(
                "domain",
                WRONG,
                f"{error}: check this server's resolver "
                "(/etc/resolv.conf) and its network, then try again.",
            )
        ]
    if records is None:
        return [
            Verdict(
                "domain",
                WRONG,
                f"{sender} (the domain of MAIL_DEFAULT_SENDER) does "
                "not exist in DNS: send from the association's own registered domain.",
            )
        ]
    verdicts = []
    for name, judge in (("SPF", _spf), ("DKIM", _dkim), ("DMARC", _dmarc)):
        try:
            verdicts.append(judge(config, lookup, sender, records))
        except Unanswered as error:
            verdicts.append(Verdict(name, WRONG, f"could not be checked: {error}."))
    return verdicts


# ------------------------------------------------------------------------------ SPF


def _spf(config, lookup: Lookup, domain: str, records: list[str]) -> Verdict:
    host = (config.get("MAIL_SERVER") or "").strip().lower().rstrip(".")
    local = host in LOOPBACK or host.startswith("127.")
    wanted = "ip4:<this server's public address>" if local else f"a:{host}"
    spf = [r for r in records if r.lower() == "v=spf1" or r.lower().startswith("v=spf1 ")]
    if not spf:
        return Verdict(
            "SPF",
            WRONG,
            f'{domain} has no SPF record. Publish a TXT record at {domain}: "v=spf1 {wanted} ~all"',
        )
    if len(spf) > 1:
        return Verdict(
            "SPF",
            WRONG,
            f"{domain} has {len(spf)} SPF records and receivers then "
            f"ignore them all: merge them into one TXT record.",
        )
    (record,) = spf
    terms = record.split()[1:]
    ending = next((t.lower() for t in reversed(terms) if t.lower().lstrip("+-~?") == "all"), "")
    redirect = any(t.lower().startswith("redirect=") for t in terms)
    problems = []
    if ending in ("all", "+all"):
        problems.append(f"it ends in {ending}, which lets any server send as {domain}")
    elif (not ending and not redirect) or ending == "?all":
        problems.append("it does not end in -all or ~all, so it protects nothing")
    how = "" if local else _covers(lookup, domain, host, terms)
    if not local and not how:
        problems.append(f"it does not name the relay {host} (MAIL_SERVER)")
    if problems:
        kept = [t for t in terms if t.lower().lstrip("+-~?") != "all"]
        if not local and not how:
            kept.append(wanted)
        end = ending if ending in ("-all", "~all") else "~all"
        fixed = " ".join(["v=spf1", *kept, *([] if redirect else [end])])
        return Verdict(
            "SPF", WRONG, f'"{record}": {"; ".join(problems)}. Publish instead: "{fixed}"'
        )
    if local:
        return Verdict(
            "SPF",
            NOTE,
            f'"{record}" ends in {ending or "a redirect"}; the relay is '
            "this machine, so check that the record covers its public address.",
        )
    return Verdict("SPF", FITS, f'"{record}" {how} and ends in {ending or "a redirect"}.')


def _covers(lookup: Lookup, domain: str, host: str, terms: list[str]) -> str:
    """How the record lets the relay send ("" when it does not)."""
    relay: set | None = None  # the relay's addresses, looked up once if needed
    for term in terms:
        if term[:1] in "-~?":
            continue  # only passing mechanisms let a server send
        mechanism, _, value = term.lstrip("+").lower().partition(":")
        if "=" in mechanism:
            mechanism, _, value = mechanism.partition("=")
        value = value.split("/")[0].rstrip(".")
        if mechanism in ("include", "redirect"):
            return (
                f"lets the relay send through {term} (not followed: make sure it is your relay's)"
            )
        if mechanism in ("a", "mx") and value == host:
            return f"names the relay {host}"
        if mechanism == "mx" and host in lookup.mx(value or domain):
            return f"names the relay {host} through the MX of {value or domain}"
        if mechanism in ("a", "ip4", "ip6"):
            relay = relay if relay is not None else lookup.addresses(host)
            if mechanism == "a":
                if relay & lookup.addresses(value or domain):
                    return f"covers the relay {host} through {term}"
            elif any(_within(address, term) for address in relay):
                return f"covers the relay {host} through {term}"
    return ""


def _within(address, term: str) -> bool:
    try:
        return address in ipaddress.ip_network(term.partition(":")[2], strict=False)
    except ValueError:
        return False


# ----------------------------------------------------------------------------- DKIM


def _dkim(config, lookup: Lookup, sender: str, _records) -> Verdict:
    selector, domain = dkim_signing.selector_of(config), dkim_signing.domain_of(config)
    name = f"{selector}._domainkey.{domain}"
    if not config.get("DKIM_KEY_FILE"):
        return Verdict(
            "DKIM",
            NOTE,
            "Liqaa does not sign (DKIM_KEY_FILE is unset): unless your "
            f"relay signs for {sender}, receivers judge it by SPF alone; "
            "docs/deploy.md says how to make a key.",
        )
    try:
        key = dkim_signing.load_private_key(config["DKIM_KEY_FILE"])
    except dkim_signing.UnusableKey as error:
        return Verdict("DKIM", WRONG, f"DKIM_KEY_FILE {config['DKIM_KEY_FILE']} {error}.")
    wanted = dkim_signing.public_record(key)
    publish = f'Publish a TXT record at {name}: "{wanted}"'
    keys = [r for r in lookup.txt(name) or [] if "p=" in r]
    if not keys:
        return Verdict("DKIM", WRONG, f"no DKIM key is published at {name}. {publish}")
    tags = dict(
        (k.strip().lower(), "".join(v.split()))
        for k, _, v in (t.partition("=") for t in keys[0].split(";"))
    )
    if not tags.get("p"):
        return Verdict("DKIM", WRONG, f"the key at {name} is revoked (empty p=). {publish}")
    try:
        published = serialization.load_der_public_key(base64.b64decode(tags["p"]))
        same = published.public_numbers() == key.public_key().public_numbers()
    except (ValueError, binascii.Error, TypeError, AttributeError):
        same = False
    if not same:
        return Verdict(
            "DKIM",
            WRONG,
            f"the key published at {name} is not the public half of "
            f"DKIM_KEY_FILE: receivers will reject the signatures. {publish}",
        )
    if not _aligned(sender, domain):
        return Verdict(
            "DKIM",
            WRONG,
            f"the key at {name} matches, but DMARC needs the signing "
            f"domain {domain} to be {sender} or its parent: set DKIM_DOMAIN={sender}.",
        )
    return Verdict(
        "DKIM", FITS, f"{name} publishes the public half of DKIM_KEY_FILE ({key.key_size}-bit RSA)."
    )


def _aligned(sender: str, signer: str) -> bool:
    return sender == signer or sender.endswith("." + signer) or signer.endswith("." + sender)


# ---------------------------------------------------------------------------- DMARC


def _dmarc(config, lookup: Lookup, sender: str, _records) -> Verdict:
    labels = sender.split(".")
    for start in range(max(len(labels) - 1, 1)):  # the domain, then its parents
        name = "_dmarc." + ".".join(labels[start:])
        found = [
            r for r in lookup.txt(name) or [] if r.lower().replace(" ", "").startswith("v=dmarc1")
        ]
        if found:
            break
    else:
        return Verdict(
            "DMARC",
            WRONG,
            f"no DMARC record at _dmarc.{sender}. Publish a TXT record "
            f'at _dmarc.{sender}: "v=DMARC1; p=none; rua=mailto:dmarc@{sender}", '
            "then p=quarantine once the reports show your mail passes.",
        )
    if len(found) > 1:
        return Verdict(
            "DMARC",
            WRONG,
            f"{name} has {len(found)} DMARC records and receivers then ignore them all: keep one.",
        )
    tags = {
        k.strip().lower(): v.strip().lower()
        for k, _, v in (t.partition("=") for t in found[0].split(";"))
    }
    policy = tags.get("sp") if name != f"_dmarc.{sender}" and tags.get("sp") else tags.get("p")
    if policy not in ("none", "quarantine", "reject"):
        return Verdict(
            "DMARC",
            WRONG,
            f'"{found[0]}" at {name} has no valid policy (p=): '
            f'publish "v=DMARC1; p=none; rua=mailto:dmarc@{sender}".',
        )
    if policy == "none":
        return Verdict(
            "DMARC",
            FITS,
            f"{name} asks receivers to report only (p=none); move to "
            "p=quarantine once the reports show your mail passes.",
        )
    return Verdict(
        "DMARC", FITS, f"{name} asks receivers to {policy} mail that fails (p={policy})."
    )


# ------------------------------------------------------------------------------ CLI

cli = AppGroup("mail", help="Email delivery.")


def default_resolver():
    resolver = dns.resolver.Resolver()
    resolver.lifetime = 8.0
    return resolver


@cli.command("check-domain")
def check_domain_command():
    """Say whether the sender domain's SPF, DKIM and DMARC records fit these settings."""
    verdicts = check(current_app.config, default_resolver())
    for verdict in verdicts:
        click.echo(verdict.line())
    if any(v.status == WRONG for v in verdicts):
        raise SystemExit(1)
