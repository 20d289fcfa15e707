"""Where a pulled feed may be fetched from: public https addresses only.

An authority types the feed address, so without this the service would fetch whatever it names:
the cloud's metadata endpoint (credentials), the database port, an intranet page. The check is
made when the connection is opened, on the address the name resolved to, and the connection goes
to that very address (the Host header and the TLS server name stay the name typed): a DNS answer
that changes between a check and the connection cannot get round it, and every redirect opens its
connection through the same check. Environment proxies are ignored, since a proxy would resolve
the name itself.

Refused: loopback, private (10/8, 172.16/12, 192.168/16), shared (100.64/10), link-local
(169.254/16, fe80::/10), unique-local (fc00::/7), multicast, reserved and documentation ranges,
IPv4 addresses wrapped in IPv6 (::ffff:0:0/96, 6to4, NAT64) that are any of those, and the cloud
metadata endpoints that sit on ordinary-looking addresses. Nothing is sent to a refused address,
so an authority learns nothing about which ports inside are open: every refusal reads the same.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError
from urllib3.util.connection import allowed_gai_family

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

NOT_PUBLIC = ("the feed address leads to a private, local or reserved network address rather than the public "
              "internet, so it was not fetched; publish the register at a public https:// address")
HTTPS_ONLY = "the feed address must be an https:// URL (plain http:// is not accepted)"
HTTP_OR_HTTPS = "the feed address must be an http:// or https:// URL"

# Metadata services on addresses that ipaddress alone counts as global (Azure's WireServer; the
# IETF protocol block that holds Oracle Cloud's 192.0.0.192).
_ALSO_REFUSED = tuple(ipaddress.ip_network(n) for n in ("168.63.129.16/32", "192.0.0.0/24"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressRefused(Exception):
    """Deliberately not an OSError: urllib3 would take it for a network fault and retry or wrap it.
    The message is one of the two above and never names the address (it may be an internal one)."""


def is_public_address(ip: IPAddress) -> bool:
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
    return ip.is_global and not ip.is_multicast and not any(ip in network for network in _ALSO_REFUSED)


def any_address(ip: IPAddress) -> bool:
    """For tests and local demos only (CROSSCHECK_FEED_ALLOW_LOCAL_HTTP)."""
    return True


def address_problem(url: str, *, allow_plain_http: bool,
                    may_connect_to: Callable[[IPAddress], bool] = is_public_address) -> str | None:
    """What is wrong with a feed address before any lookup, for a clear answer when it is set: the
    scheme, or a host that is an internal address written out. Names ('localhost' too) are judged
    at connection time, on what they resolve to then."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises on a port that is not a number
    except ValueError:
        return HTTP_OR_HTTPS if allow_plain_http else HTTPS_ONLY
    if parts.scheme.lower() not in (("https", "http") if allow_plain_http else ("https",)) or not host:
        return HTTP_OR_HTTPS if allow_plain_http else HTTPS_ONLY
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return None
    return None if may_connect_to(ip) else NOT_PUBLIC


def mount_public_only(session, may_connect_to: Callable[[IPAddress], bool], *, allow_plain_http: bool) -> None:
    """Make `session` open connections only to addresses `may_connect_to` accepts, and refuse plain
    http (a redirect to it included) unless allowed."""
    session.trust_env = False
    adapter = _PublicOnlyAdapter(may_connect_to)
    session.mount("https://", adapter)
    session.mount("http://", adapter if allow_plain_http else _RefusePlainHttp())


class _PublicOnlyAdapter(HTTPAdapter):
    def __init__(self, may_connect_to: Callable[[IPAddress], bool]):
        self._may_connect_to = may_connect_to
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        check = self._may_connect_to

        class Connection(_CheckedConnection, HTTPConnection):
            may_connect_to = staticmethod(check)

        class SecureConnection(_CheckedConnection, HTTPSConnection):
            may_connect_to = staticmethod(check)

        class Pool(HTTPConnectionPool):
            ConnectionCls = Connection

        class SecurePool(HTTPSConnectionPool):
            ConnectionCls = SecureConnection

        self.poolmanager.pool_classes_by_scheme = {"http": Pool, "https": SecurePool}


class _CheckedConnection:
    """Resolves the name once, checks every address it gives, then connects to a checked address
    (urllib3 uses `_dns_host` for the socket and `host` for the Host header and TLS)."""

    may_connect_to: Callable[[IPAddress], bool]

    def _new_conn(self) -> socket.socket:
        name = self._dns_host.strip("[]")
        try:
            answers = socket.getaddrinfo(name, self.port, allowed_gai_family(), socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        addresses = list(dict.fromkeys(ipaddress.ip_address(answer[4][0].split("%")[0]) for answer in answers))
        # One internal answer refuses the name: a host that resolves both ways is not a council's
        # published register, and choosing the public one would still let a later lookup choose.
        if not addresses or not all(self.may_connect_to(ip) for ip in addresses):
            raise AddressRefused(NOT_PUBLIC)
        self._dns_host = str(addresses[0])
        return super()._new_conn()


class _RefusePlainHttp(BaseAdapter):
    def send(self, request, **kwargs):
        raise AddressRefused(HTTPS_ONLY)

    def close(self) -> None:
        pass
