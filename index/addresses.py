"""Which network addresses the indexer may fetch from: public ones, and those an allow list names.

Loopback, private, link-local, shared (carrier-grade NAT), multicast, reserved and unspecified
addresses are not public, for IPv4 and IPv6, also when an IPv6 address carries an IPv4 one
(IPv4-mapped, IPv4-compatible, 6to4, Teredo, NAT64). trafilatura's own fetcher checks a
connected socket's peer with ``is_global`` alone, which lets multicast and IPv4 addresses inside
IPv6 ones through; hence this check.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
ALLOW_SETTING = "ASSISTANT_FETCH_ALLOW"

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")


@dataclass(frozen=True)
class AllowList:
    """Hosts (by name or address) and networks that may be fetched although not public."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, text: str | Iterable[str] | None) -> AllowList:
        """From ``"intranet.example, 10.0.0.0/8, 127.0.0.1"``; ValueError names a bad entry."""
        entries = text.split(",") if isinstance(text, str) else list(text or ())
        hosts: set[str] = set()
        networks: list[Network] = []
        for raw in entries:
            entry = raw.strip().lower()
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            if "/" in entry or not all(part.replace("-", "").replace("_", "").isalnum()
                                       for part in entry.rstrip(".").split(".")):
                raise ValueError(f"{entry!r} is neither a host name nor an address or network "
                                 "such as 10.0.0.0/8")
            hosts.add(entry.rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def allows(self, host: str, address: IPAddress) -> bool:
        forms = [a for a in (address, _embedded_ipv4(address)) if a is not None]
        return host.lower().rstrip(".") in self.hosts or any(
            form.version == net.version and form in net
            for form in forms for net in self.networks)


def not_public(address: IPAddress) -> str | None:
    """Why ``address`` is not a public one ("a loopback address"…), or None when it is."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        inner = not_public(embedded)
        return inner and f"{inner} ({embedded} inside an IPv6 address)"
    checks = (("unspecified", address.is_unspecified), ("loopback", address.is_loopback),
              ("link-local", address.is_link_local), ("multicast", address.is_multicast),
              ("shared (carrier-grade NAT)", address in _SHARED),
              ("private", address.is_private), ("reserved", address.is_reserved),
              ("non-global", not address.is_global))
    for kind, hit in checks:
        if hit:
            return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} address"
    return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address.teredo:
        return address.teredo[1]  # the client's address, reached through the relay
    if address in _NAT64 or int(address) >> 32 == 0 and int(address) > 1:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)  # NAT64, IPv4-compatible
    return None
